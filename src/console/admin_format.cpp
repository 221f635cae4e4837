// Implementation of console/admin_format.hpp.
#include "console/admin_format.hpp"

#include <fmt/format.h>

namespace impulse::console {

namespace {

std::string join_recipients(const std::vector<std::string>& rcpts) {
  std::string out;
  for (const auto& r : rcpts) {
    if (!out.empty()) out += ", ";
    out += "<" + r + ">";
  }
  return out;
}

}  // namespace

std::string format_summary(const admin::Summary& s) {
  std::string out;
  auto line = [&](std::string_view label, std::uint64_t v) { out += fmt::format("\t{}: {}\n", label, v); };
  line("Outbound Concurrency", s.outbound_concurrency);
  line("Inbound Concurrency", s.inbound_concurrency);
  line("Active Queue Size", s.active);
  line("Delayed Queue Size", s.delayed);
  line("Total Queue Size", s.total());
  line("Successfully Delivered Messages", s.delivered);
  line("Failed Messages", s.failed);
  line("Transient Failures", s.transient_failures);
  line("Received Messages", s.received);
  line("Uptime", static_cast<std::uint64_t>(s.uptime.count()));
  if (s.cluster_connected) out += fmt::format("\tCluster: {}\n", *s.cluster_connected ? "connected" : "degraded");
  return out;
}

std::string format_mailq(const std::vector<admin::QueueLine>& queues) {
  auto group_binding = [](const admin::QueueLine& q) {
    return (q.binding_group.empty() ? std::string("default") : q.binding_group) + "/" + q.binding;
  };
  std::string out = fmt::format("{:<30} {:<40} {:>8} {:>8}\n", "Group/Binding", "Domain", "AQ", "DQ");
  for (const auto& q : queues)
    out += fmt::format("{:<30} {:<40} {:>8} {:>8}\n", group_binding(q), q.domain, q.active, q.delayed);
  for (const auto& q : queues)
    if (q.held_until)
      out += fmt::format("Held: {} {} until {}: {}\n", group_binding(q), q.domain, *q.held_until, q.held_reason);
  return out;
}

std::string format_binding_summary(const std::vector<admin::BindingTotals>& bindings) {
  std::string out;
  for (const auto& b : bindings) {
    out += fmt::format("Binding: {}\n", b.binding);
    out += fmt::format("\tActive Queue Size: {}\n", b.active);
    out += fmt::format("\tDelayed Queue Size: {}\n", b.delayed);
    out += fmt::format("\tTotal Queue Size: {}\n", b.total());
    out += fmt::format("\tSuccessfully Delivered Messages: {}\n", b.delivered);
    out += fmt::format("\tFailed Messages: {}\n", b.failed);
    out += fmt::format("\tReceived Messages: {}\n", b.received);
  }
  return out;
}

std::string format_showqueue(const std::vector<admin::MessageInfo>& messages) {
  std::string out;
  for (const auto& m : messages) {
    out += fmt::format("[{}/{}] {} Created: {}\n", queue::entry_state_name(m.state), m.binding, m.id, m.created);
    out += fmt::format("From: <{}> To: {}\n", m.sender, join_recipients(m.recipients));
  }
  return out;
}

std::string format_message_details(const std::vector<admin::MessageInfo>& messages) {
  std::string out;
  for (const auto& m : messages) {
    out += fmt::format("Message: {}\n", m.id);
    out += fmt::format("Queue: {}/{} ({})\n", m.binding, m.domain, queue::entry_state_name(m.state));
    out += fmt::format("Created: {}\n", m.created);
    out += fmt::format("Next Attempt: {}\n", m.next_attempt);
    out += fmt::format("Retries: {}\n", m.retries);
    out += fmt::format("Sender: <{}>\n", m.sender);
    for (const auto& rc : m.recipients) out += fmt::format("Recipient: <{}>\n", rc);
    out += fmt::format("Size: {}\n", m.size);
    if (!m.origin_id.empty()) out += fmt::format("Origin Id: {}\n", m.origin_id);  // ECSTREAM: the sender's id
  }
  return out;
}

std::string format_option_value(const config::OptionValue& v) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const std::vector<std::string>& l) const {
      std::string out = "(";
      for (const auto& e : l) out += " \"" + e + "\"";
      return out + " )";
    }
    std::string operator()(const config::RateSpec& r) const {
      return r.per_seconds == 1 ? std::to_string(r.count) : fmt::format("{}/{}", r.count, r.per_seconds);
    }
    std::string operator()(const std::shared_ptr<const config::DictValue>& d) const {
      std::string out = "[";
      if (d)
        for (const auto& [k, val] : d->entries) out += " " + k + " = \"" + val + "\"";
      return out + " ]";
    }
  };
  return std::visit(Visitor{}, v.data);
}

std::string format_eval(const admin::EvalResult& r) {
  return fmt::format("{} = {}\n", r.option, format_option_value(r.value));
}

std::string format_reload_refused(const admin::ReloadOutcome& r) {
  std::string text;
  for (const auto& e : r.errors) text += e + "\n";
  text += "Reload refused: the running configuration is unchanged.\n";
  return text;
}

}  // namespace impulse::console

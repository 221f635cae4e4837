// Implementation of queue_commands.hpp.
#include "console/queue_commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>

#include "base/strings.hpp"
#include "queue/scheduler.hpp"

namespace impulse::console {

namespace {

using queue::QueueFilter;

std::int64_t epoch_seconds(spool::SpoolTime t) { return spool::unix_seconds(t); }

bool parse_count(std::string_view s, std::size_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string join_recipients(const std::vector<std::string>& rcpts) {
  std::string out;
  for (const auto& r : rcpts) {
    if (!out.empty()) out += ", ";
    out += "<" + r + ">";
  }
  return out;
}

QueueFilter domain_filter(const std::string& domain_or_all) {
  QueueFilter f;
  if (!iequals(domain_or_all, "all")) f.domain = to_lower(domain_or_all);
  return f;
}

std::string summary_text(const queue::SummaryCounts& s, const QueueCommandDeps& d) {
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - d.started).count();
  std::string out;
  auto line = [&](std::string_view label, std::uint64_t v) { out += fmt::format("\t{}: {}\n", label, v); };
  line("Outbound Concurrency", d.outbound_concurrency ? d.outbound_concurrency() : 0);
  line("Inbound Concurrency", d.inbound_concurrency ? d.inbound_concurrency() : 0);
  line("Active Queue Size", s.active);
  line("Delayed Queue Size", s.delayed);
  line("Total Queue Size", s.total());
  line("Successfully Delivered Messages", s.delivered);
  line("Failed Messages", s.failed);
  line("Transient Failures", s.transient_failures);
  line("Received Messages", s.received);
  line("Uptime", static_cast<std::uint64_t>(uptime));
  return out;
}

}  // namespace

void add_queue_commands(CommandRegistry& reg, QueueCommandDeps deps) {
  auto d = std::make_shared<QueueCommandDeps>(std::move(deps));
  queue::Scheduler& sched = d->scheduler;

  reg.add("summary", "summary", [d](const Words& a, Respond r) {
    if (!a.empty()) return r(failed("usage: summary\n"));
    r(ok(summary_text(d->scheduler.summary(), *d)));
  });

  reg.add("mailq", "mailq [-d DOMAIN]... [-b BINDING]... [-l N]", [&sched](const Words& a, Respond r) {
    std::vector<std::string> domains, bindings;
    std::size_t limit = 20;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i + 1 >= a.size()) return r(failed("usage: mailq [-d DOMAIN]... [-b BINDING]... [-l N]\n"));
      if (a[i] == "-d") domains.push_back(to_lower(a[++i]));
      else if (a[i] == "-b") bindings.push_back(a[++i]);
      else if (a[i] == "-l") {
        if (!parse_count(a[++i], limit)) return r(failed("mailq: -l needs a number\n"));
      } else
        return r(failed("usage: mailq [-d DOMAIN]... [-b BINDING]... [-l N]\n"));
    }
    sched.queue_sizes(QueueFilter{}, [r, domains, bindings, limit](std::vector<queue::QueueSizes> qs) {
      std::erase_if(qs, [&](const queue::QueueSizes& q) {
        if (q.total() == 0) return true;
        if (!domains.empty() && std::find(domains.begin(), domains.end(), q.key.domain) == domains.end()) return true;
        if (!bindings.empty() && std::find(bindings.begin(), bindings.end(), q.key.binding) == bindings.end())
          return true;
        return false;
      });
      std::sort(qs.begin(), qs.end(), [](const auto& x, const auto& y) {
        return x.total() != y.total() ? x.total() > y.total() : x.key < y.key;
      });
      std::string out = fmt::format("{:<30} {:<40} {:>8} {:>8}\n", "Group/Binding", "Domain", "AQ", "DQ");
      for (std::size_t i = 0; i < qs.size() && i < limit; ++i) {
        const auto& q = qs[i];
        std::string gb = (q.binding_group.empty() ? std::string("default") : q.binding_group) + "/" + q.key.binding;
        out += fmt::format("{:<30} {:<40} {:>8} {:>8}\n", gb, q.key.domain, q.active, q.delayed);
      }
      r(ok(out));
    });
  });

  reg.add("showqueue", "showqueue [binding NAME|all] DOMAIN [LIMIT,OFFSET]", [&sched](const Words& a, Respond r) {
    static const char* usage = "usage: showqueue [binding NAME|all] DOMAIN [LIMIT,OFFSET]\n";
    std::size_t i = 0;
    std::string binding = "default";
    if (a.size() >= 2 && iequals(a[0], "binding")) {
      binding = a[1];
      i = 2;
    }
    if (i >= a.size() || a.size() > i + 2) return r(failed(usage));
    std::string domain = to_lower(a[i]);
    std::size_t limit = 100, offset = 0;
    if (a.size() == i + 2) {
      auto parts = split(a[i + 1], ',');
      if (parts.size() != 2 || !parse_count(parts[0], limit) || !parse_count(parts[1], offset)) return r(failed(usage));
    }
    auto format = [](const std::vector<queue::QueuedMessageInfo>& ms) {
      std::string out;
      for (const auto& m : ms) {
        out += fmt::format("[{}/{}] {} Created: {}\n", queue::entry_state_name(m.state), m.key.binding,
                           m.id.to_string(), epoch_seconds(m.received));
        out += fmt::format("From: <{}> To: {}\n", m.sender, join_recipients(m.recipients));
      }
      return out;
    };
    if (binding != "all") {
      sched.show_queue(queue::QueueKey{binding, domain}, limit, offset,
                       [r, format](std::vector<queue::QueuedMessageInfo> ms) { r(ok(format(ms))); });
      return;
    }
    // Every binding holding this domain.
    sched.queue_sizes(QueueFilter{.binding = {}, .domain = domain},
                      [&sched, r, format, domain, limit, offset](std::vector<queue::QueueSizes> qs) {
                        if (qs.empty()) return r(ok(""));
                        auto acc = std::make_shared<std::vector<queue::QueuedMessageInfo>>();
                        auto left = std::make_shared<std::size_t>(qs.size());
                        auto mu = std::make_shared<std::mutex>();
                        for (const auto& q : qs)
                          sched.show_queue(q.key, limit, offset,
                                           [acc, left, mu, r, format](std::vector<queue::QueuedMessageInfo> ms) {
                                             std::lock_guard lk(*mu);
                                             acc->insert(acc->end(), ms.begin(), ms.end());
                                             if (--*left == 0) r(ok(format(*acc)));
                                           });
                      });
  });

  reg.add("message details", "message details ID", [&sched](const Words& a, Respond r) {
    if (a.size() != 1) return r(failed("usage: message details ID\n"));
    auto id = spool::MessageId::parse(a[0]);
    if (!id) return r(failed("message details: '" + a[0] + "' is not a message id\n"));
    sched.find_message(*id, [r, text = a[0]](std::vector<queue::QueuedMessageInfo> ms) {
      if (ms.empty()) return r(failed("Message " + text + " not found\n"));
      std::string out;
      for (const auto& m : ms) {
        out += fmt::format("Message: {}\n", m.id.to_string());
        out += fmt::format("Queue: {}/{} ({})\n", m.key.binding, m.key.domain, queue::entry_state_name(m.state));
        out += fmt::format("Created: {}\n", epoch_seconds(m.received));
        out += fmt::format("Next Attempt: {}\n", m.state == queue::EntryState::kDelayed ? epoch_seconds(m.next_attempt) : 0);
        out += fmt::format("Retries: {}\n", m.retries);
        out += fmt::format("Sender: <{}>\n", m.sender);
        for (const auto& rc : m.recipients) out += fmt::format("Recipient: <{}>\n", rc);
        out += fmt::format("Size: {}\n", m.size);
      }
      r(ok(out));
    });
  });

  auto message_action = [&sched](bool fail_it, const char* usage) {
    return [&sched, fail_it, usage](const Words& a, Respond r) {
      bool quiet = false;
      std::size_t i = 0;
      if (fail_it && !a.empty() && iequals(a[0], "quiet")) {
        quiet = true;
        i = 1;
      }
      if (a.size() != i + 1) return r(failed(usage));
      auto id = spool::MessageId::parse(a[i]);
      if (!id) return r(failed(std::string("'") + a[i] + "' is not a message id\n"));
      auto done = [r, text = a[i], fail_it](queue::MessageAction act) {
        switch (act) {
          case queue::MessageAction::kDone:
            return r(ok(fail_it ? "Message " + text + " failed.\n" : std::string("Message requeued for delivery\n")));
          case queue::MessageAction::kInFlight:
            return r(failed("Message " + text + " is being delivered; try again when the attempt ends\n"));
          case queue::MessageAction::kNotFound:
            return r(failed("Message " + text + " not found\n"));
        }
      };
      if (fail_it) sched.fail_message(*id, quiet, done);
      else sched.retry_message(*id, done);
    };
  };
  reg.add("message retry", "message retry ID", message_action(false, "usage: message retry ID\n"));
  reg.add("message fail", "message fail [quiet] ID", message_action(true, "usage: message fail [quiet] ID\n"));

  auto flush = [&sched](bool with_binding) {
    return [&sched, with_binding](const Words& a, Respond r) {
      std::size_t want = with_binding ? 2 : 1;
      if (a.size() != want)
        return r(failed(with_binding ? "usage: binding flush domain BINDING NAME|all\n" : "usage: flush domain NAME|all\n"));
      QueueFilter f = domain_filter(a.back());
      if (with_binding) f.binding = a[0];
      sched.flush(f, [r, name = a.back()](std::size_t n) {
        r(ok(fmt::format("{} flushed. {} messages requeued.\n", name, n)));
      });
    };
  };
  reg.add("flush domain", "flush domain NAME|all", flush(false));
  reg.add("binding flush domain", "binding flush domain BINDING NAME|all", flush(true));

  auto fail_domain = [&sched](bool with_binding) {
    return [&sched, with_binding](const Words& in, Respond r) {
      Words a = in;
      bool quiet = false;
      if (!a.empty() && iequals(a[0], "quiet")) {
        quiet = true;
        a.erase(a.begin());
      }
      std::size_t want = with_binding ? 2 : 1;
      if (a.size() != want || iequals(a.back(), "all"))
        return r(failed(with_binding ? "usage: binding fail domain [quiet] BINDING NAME\n"
                                     : "usage: fail domain [quiet] NAME\n"));
      QueueFilter f = domain_filter(a.back());
      if (with_binding) f.binding = a[0];
      sched.fail_queues(f, quiet, [r, name = a.back()](std::size_t n) {
        r(ok(fmt::format("{} purged. {} messages failed.\n", name, n)));
      });
    };
  };
  reg.add("fail domain", "fail domain [quiet] NAME", fail_domain(false));
  reg.add("binding fail domain", "binding fail domain [quiet] BINDING NAME", fail_domain(true));

  reg.add("binding summary", "binding summary [NAME]", [&sched](const Words& a, Respond r) {
    if (a.size() > 1) return r(failed("usage: binding summary [NAME]\n"));
    std::optional<std::string> only = a.empty() ? std::nullopt : std::optional<std::string>(a[0]);
    sched.queue_sizes(QueueFilter{.binding = only, .domain = {}}, [r, only](std::vector<queue::QueueSizes> qs) {
      std::map<std::string, queue::QueueSizes> per;
      if (only) per[*only].key.binding = *only;
      for (const auto& q : qs) {
        auto& b = per[q.key.binding];
        b.key.binding = q.key.binding;
        b.active += q.active;
        b.delayed += q.delayed;
        b.delivered += q.delivered;
        b.failed += q.failed;
        b.received += q.received;
      }
      if (per.empty()) per["default"].key.binding = "default";
      std::string out;
      for (const auto& [name, b] : per) {
        out += fmt::format("Binding: {}\n", name);
        out += fmt::format("\tActive Queue Size: {}\n", b.active);
        out += fmt::format("\tDelayed Queue Size: {}\n", b.delayed);
        out += fmt::format("\tTotal Queue Size: {}\n", b.total());
        out += fmt::format("\tSuccessfully Delivered Messages: {}\n", b.delivered);
        out += fmt::format("\tFailed Messages: {}\n", b.failed);
        out += fmt::format("\tReceived Messages: {}\n", b.received);
      }
      r(ok(out));
    });
  });
}

}  // namespace impulse::console

// The queue family of console/admin_commands.hpp: summary, mailq,
// showqueue, binding summary.
#include "admin/admin.hpp"
#include "console/admin_commands.hpp"
#include "console/admin_format.hpp"
#include "console/arguments.hpp"

namespace impulse::console {

namespace {

using AdminPtr = std::shared_ptr<admin::Admin>;

void add_summary(CommandRegistry& reg, const AdminPtr& admin) {
  reg.add("summary", "summary", [admin](const Words& a, Respond r) {
    if (!a.empty()) return r(failed("usage: summary\n"));
    r(ok(format_summary(admin->summary())));
  });
}

// mailq's words: -d DOMAIN, -b BINDING, -l N (any number, any order).
std::optional<Reply> parse_mailq(const Words& a, admin::QueueQuery& q) {
  static const char* usage = "usage: mailq [-d DOMAIN]... [-b BINDING]... [-l N]\n";
  std::size_t limit = 20;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i + 1 >= a.size()) return failed(usage);
    if (a[i] == "-d") q.domains.push_back(to_lower(a[++i]));
    else if (a[i] == "-b") q.bindings.push_back(a[++i]);
    else if (a[i] == "-l") {
      if (!parse_count(a[++i], limit)) return failed("mailq: -l needs a number\n");
    } else
      return failed(usage);
  }
  q.non_empty_only = true;
  q.limit = limit;
  return std::nullopt;
}

void add_mailq(CommandRegistry& reg, const AdminPtr& admin) {
  reg.add("mailq", "mailq [-d DOMAIN]... [-b BINDING]... [-l N]", [admin](const Words& a, Respond r) {
    admin::QueueQuery q;
    if (auto bad = parse_mailq(a, q)) return r(*bad);
    admin->queues(std::move(q), [r](std::vector<admin::QueueLine> qs) { r(ok(format_mailq(qs))); });
  });
}

// showqueue's words: [binding NAME|all] DOMAIN [LIMIT,OFFSET].
std::optional<admin::ShowQueueQuery> parse_showqueue(const Words& a) {
  admin::ShowQueueQuery q;
  std::size_t i = 0;
  q.binding = "default";
  if (a.size() >= 2 && iequals(a[0], "binding")) {
    q.binding = a[1] == "all" ? std::nullopt : std::optional<std::string>(a[1]);
    i = 2;
  }
  if (i >= a.size() || a.size() > i + 2) return std::nullopt;
  q.domain = to_lower(a[i]);
  if (a.size() == i + 2) {
    auto parts = split(a[i + 1], ',');
    if (parts.size() != 2 || !parse_count(parts[0], q.limit) || !parse_count(parts[1], q.offset)) return std::nullopt;
  }
  return q;
}

void add_showqueue(CommandRegistry& reg, const AdminPtr& admin) {
  reg.add("showqueue", "showqueue [binding NAME|all] DOMAIN [LIMIT,OFFSET]", [admin](const Words& a, Respond r) {
    auto q = parse_showqueue(a);
    if (!q) return r(failed("usage: showqueue [binding NAME|all] DOMAIN [LIMIT,OFFSET]\n"));
    admin->show_queue(std::move(*q), [r](std::vector<admin::MessageInfo> ms) { r(ok(format_showqueue(ms))); });
  });
}

void add_binding_summary(CommandRegistry& reg, const AdminPtr& admin) {
  reg.add("binding summary", "binding summary [NAME]", [admin](const Words& a, Respond r) {
    if (a.size() > 1) return r(failed("usage: binding summary [NAME]\n"));
    std::optional<std::string> only = a.empty() ? std::nullopt : std::optional<std::string>(a[0]);
    admin->binding_summary(std::move(only),
                           [r](std::vector<admin::BindingTotals> bs) { r(ok(format_binding_summary(bs))); });
  });
}

}  // namespace

void add_queue_commands(CommandRegistry& reg, const AdminPtr& admin) {
  add_summary(reg, admin);
  add_mailq(reg, admin);
  add_showqueue(reg, admin);
  add_binding_summary(reg, admin);
}

}  // namespace impulse::console

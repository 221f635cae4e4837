// Implementation of wiring.hpp: the order components start in.
#include "wiring.hpp"

#include <algorithm>
#include <memory>

#include "console_component.hpp"
#include "console/queue_commands.hpp"
#include "delivery/connection_manager.hpp"
#include "log/log_set.hpp"
#include "mta_component.hpp"
#include "queue/scheduler.hpp"

namespace impulse::daemon {

impulse::expected<void, std::string> wire_components(Daemon& d, StderrReporter& reporter) {
  auto mta = std::make_shared<MtaComponent>(d, reporter);
  if (auto r = mta->start(); !r) return r;
  d.add(mta);
  auto console = std::make_shared<ConsoleComponent>(d);
  console::add_queue_commands(console->registry(),
                              {.scheduler = mta->scheduler(),
                               .started = std::chrono::steady_clock::now(),
                               .outbound_concurrency =
                                   [m = mta.get()] {
                                     return static_cast<std::uint64_t>(m->connections().open_connections());
                                   },
                               .inbound_concurrency = [m = mta.get()] { return m->inbound_sessions(); }});
  console->registry().add("reopen logs", "reopen logs", [m = mta.get()](const console::Words& a, console::Respond r) {
    if (!a.empty()) return r(console::failed("usage: reopen logs\n"));
    auto res = m->logs().reopen();
    if (!res) return r(console::failed(res.error().message + "\n"));
    r(console::ok("Logs reopened.\n"));
  });
  // `refresh domain NAME|all` and `domain NAME` (the connection manager's
  // records plus the scheduler's queue lines).
  console->registry().add("refresh domain", "refresh domain NAME|all",
                          [m = mta.get()](const console::Words& a, console::Respond r) {
                            if (a.size() != 1) return r(console::failed("usage: refresh domain NAME|all\n"));
                            m->connections().refresh_domain(a[0], [r, name = a[0]](std::size_t) {
                              r(console::ok(name + " refreshed.\n"));
                            });
                          });
  console->registry().add("domain", "domain NAME", [m = mta.get()](const console::Words& a, console::Respond r) {
    if (a.size() != 1) return r(console::failed("usage: domain NAME\n"));
    m->connections().describe_domain(a[0], [r, m](delivery::DomainDescription d) {
      // The queue lines (Queue: Active/Delayed, Deliveries, Failures) per binding.
      auto desc = std::make_shared<delivery::DomainDescription>(std::move(d));
      m->scheduler().queue_sizes(queue::QueueFilter{.binding = {}, .domain = desc->domain},
                                 [r, desc](std::vector<queue::QueueSizes> qs) {
                                   for (const auto& q : qs)
                                     desc->queues.push_back({q.key.binding, q.active, q.delayed, q.delivered, q.failed});
                                   std::stable_sort(desc->queues.begin(), desc->queues.end(),
                                                    [](const auto& x, const auto& y) {
                                                      return x.binding == "default" && y.binding != "default";
                                                    });
                                   r(console::ok(delivery::format_domain_description(*desc)));
                                 });
    });
  });
  if (auto r = console->start(); !r) return r;
  d.add(console);
  return {};
}

}  // namespace impulse::daemon

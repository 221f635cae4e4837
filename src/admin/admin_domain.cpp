// Admin's domain report and domain actions (admin.hpp): `domain NAME`,
// `refresh domain`, flush and fail of a domain's queues.
#include <algorithm>

#include "admin/admin.hpp"
#include "base/strings.hpp"
#include "queue/scheduler.hpp"

namespace impulse::admin {

namespace {

// Adds the scheduler's queue lines to a description, "default" first.
void merge_queues(delivery::DomainDescription& d, const std::vector<queue::QueueSizes>& qs) {
  for (const auto& q : qs) {
    delivery::QueueView view{q.key.binding, q.active, q.delayed, q.delivered, q.failed, std::nullopt, q.held_reason};
    if (q.held_until) view.held_until = spool::unix_seconds(*q.held_until);
    d.queues.push_back(std::move(view));
  }
  std::stable_sort(d.queues.begin(), d.queues.end(), [](const auto& x, const auto& y) {
    return x.binding == "default" && y.binding != "default";
  });
}

}  // namespace

void Admin::domain(std::string name, std::function<void(delivery::DomainDescription)> done) const {
  queue::Scheduler& sched = deps_.scheduler;
  auto with_queues = [&sched, done = std::move(done)](delivery::DomainDescription d) {
    auto desc = std::make_shared<delivery::DomainDescription>(std::move(d));
    sched.queue_sizes(queue::QueueFilter{.binding = {}, .domain = desc->domain},
                      [desc, done](std::vector<queue::QueueSizes> qs) {
                        merge_queues(*desc, qs);
                        done(std::move(*desc));
                      });
  };
  if (!deps_.connections) {
    delivery::DomainDescription empty;
    empty.domain = to_lower(name);
    return with_queues(std::move(empty));
  }
  deps_.connections->describe_domain(std::move(name), std::move(with_queues));
}

void Admin::refresh_domain(std::string name, std::function<void(std::size_t)> done) {
  if (!deps_.connections) return done(0);
  deps_.connections->refresh_domain(std::move(name), std::move(done));
}

void Admin::flush(QueueSelector selector, std::function<void(std::size_t)> done) {
  queue::QueueFilter f{.binding = std::move(selector.binding), .domain = {}};
  if (selector.domain) f.domain = to_lower(*selector.domain);
  deps_.scheduler.flush(std::move(f), std::move(done));
}

void Admin::fail_domain(std::optional<std::string> binding, std::string domain, bool quiet,
                        std::function<void(std::size_t)> done) {
  deps_.scheduler.fail_queues(queue::QueueFilter{.binding = std::move(binding), .domain = to_lower(domain)}, quiet,
                              std::move(done));
}

}  // namespace impulse::admin

// Implementation of delivery/connection_manager.hpp: building the loops,
// routing on_ready to the queue's loop, and fanning console requests out to
// every loop.
#include "delivery/connection_manager.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <mutex>
#include <random>

#include "base/strings.hpp"
#include "delivery/connection_manager_shared.hpp"
#include "delivery/default_transports.hpp"
#include "delivery/delivery_loop.hpp"
#include "queue/domain_queue.hpp"

namespace impulse::delivery {

namespace asio = boost::asio;

namespace {

// Calls `per_loop` on every loop's thread and `done(results)` once, on the
// thread of the last loop to answer.
template <class T>
struct Gather {
  std::mutex mutex;
  std::size_t remaining = 0;
  std::vector<T> results;
  std::function<void(std::vector<T>)> done;
};

template <class T, class PerLoop>
void gather(const std::vector<std::unique_ptr<DeliveryLoop>>& loops, PerLoop per_loop,
            std::function<void(std::vector<T>)> done) {
  auto g = std::make_shared<Gather<T>>();
  g->remaining = loops.size();
  g->done = std::move(done);
  if (loops.empty()) {
    if (g->done) g->done({});
    return;
  }
  for (const auto& loop : loops) {
    DeliveryLoop* l = loop.get();
    asio::post(l->io(), [g, l, per_loop] {
      T value = per_loop(*l);
      std::vector<T> all;
      {
        std::lock_guard lock(g->mutex);
        g->results.push_back(std::move(value));
        if (--g->remaining != 0) return;
        all = std::move(g->results);
      }
      if (g->done) g->done(std::move(all));
    });
  }
}

}  // namespace

Result<std::unique_ptr<ConnectionManager>> ConnectionManager::create(ConnectionManagerDeps deps) {
  if (deps.loops.empty()) return fail("connection manager: no event loops");
  if (!deps.resolver) return fail("connection manager: no resolver factory");
  std::unique_ptr<ConnectionManager> cm(new ConnectionManager(std::move(deps)));
  std::uint64_t seed = cm->deps_.random_seed ? *cm->deps_.random_seed : std::random_device{}();
  bool first = true;
  for (asio::io_context* io : cm->deps_.loops) {
    auto resolver = cm->deps_.resolver(*io);
    if (!resolver) return unexpected(Error{"DNS resolver: " + resolver.error().message, resolver.error().code});
    auto loop = std::make_unique<DeliveryLoop>(
        *io,
        DeliveryLoopDeps{cm->deps_, cm->transports_, *cm->shared_, [raw = cm.get()] { raw->starved_released(); },
                         seed++, first},
        std::move(*resolver));
    first = false;
    cm->by_io_.emplace(io, loop.get());
    cm->loops_.push_back(std::move(loop));
  }
  return cm;
}

ConnectionManager::ConnectionManager(ConnectionManagerDeps deps)
    : deps_(std::move(deps)),
      transports_(deps_.transports ? *deps_.transports : default_transports()),
      shared_(std::make_unique<ConnectionManagerShared>(deps_.clock)) {}

ConnectionManager::~ConnectionManager() = default;

void ConnectionManager::on_ready(const std::shared_ptr<queue::DomainQueue>& queue) {
  if (!queue) return;
  auto it = by_io_.find(&queue->loop());
  if (it == by_io_.end()) {
    if (deps_.problem)
      deps_.problem(queue->key().to_string() + ": queue on an event loop the connection manager does not serve");
    return;
  }
  it->second->on_ready(queue);
}

void ConnectionManager::start() {
  for (const auto& loop : loops_) {
    DeliveryLoop* l = loop.get();
    asio::post(l->io(), [l] { l->start(); });
  }
}

void ConnectionManager::stop(std::function<void()> done) {
  struct Pending {
    std::mutex mutex;
    std::size_t remaining = 0;
    std::function<void()> done;
  };
  auto p = std::make_shared<Pending>();
  p->remaining = loops_.size();
  p->done = std::move(done);
  for (const auto& loop : loops_) {
    DeliveryLoop* l = loop.get();
    asio::post(l->io(), [l, p] {
      l->stop([p] {
        {
          std::lock_guard lock(p->mutex);
          if (--p->remaining != 0) return;
        }
        if (p->done) p->done();
      });
    });
  }
}

std::int64_t ConnectionManager::open_connections() const { return shared_->total(); }

std::int64_t ConnectionManager::open_connections(std::string_view binding) const {
  return shared_->binding_open(binding);
}

void ConnectionManager::refresh_domain(std::string domain, std::function<void(std::size_t)> done) {
  if (iequals(domain, "all")) domain.clear();
  gather<std::size_t>(
      loops_, [domain](DeliveryLoop& l) { return l.refresh(domain); },
      [done = std::move(done)](std::vector<std::size_t> counts) {
        std::size_t total = 0;
        for (auto n : counts) total += n;
        if (done) done(total);
      });
}

void ConnectionManager::describe_domain(std::string domain, std::function<void(DomainDescription)> done) {
  gather<std::vector<RecordView>>(
      loops_, [domain](DeliveryLoop& l) { return l.describe(domain); },
      [domain, done = std::move(done)](std::vector<std::vector<RecordView>> parts) {
        DomainDescription d;
        d.domain = to_lower(domain);
        for (auto& part : parts)
          for (auto& r : part) d.records.push_back(std::move(r));
        std::sort(d.records.begin(), d.records.end(), [](const RecordView& a, const RecordView& b) {
          if ((a.binding == "default") != (b.binding == "default")) return a.binding == "default";
          return a.binding < b.binding;
        });
        if (done) done(std::move(d));
      });
}

void ConnectionManager::expire_now(std::function<void()> done) {
  gather<int>(
      loops_,
      [](DeliveryLoop& l) {
        l.expire_now();
        return 0;
      },
      [done = std::move(done)](std::vector<int>) {
        if (done) done();
      });
}

void ConnectionManager::starved_released() {
  for (const auto& loop : loops_) {
    DeliveryLoop* l = loop.get();
    asio::post(l->io(), [l] { l->pump_starved(); });
  }
}

}  // namespace impulse::delivery

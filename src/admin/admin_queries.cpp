// Admin's queries over the scheduler (admin.hpp): summary, queue listings,
// binding summary, showqueue, message details.
#include <algorithm>
#include <map>
#include <mutex>

#include "admin/admin.hpp"
#include "admin/message_info.hpp"
#include "base/strings.hpp"
#include "queue/scheduler.hpp"
#include "spool/store.hpp"

namespace impulse::admin {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<MessageInfo> to_infos(const std::vector<queue::QueuedMessageInfo>& ms) {
  std::vector<MessageInfo> out;
  out.reserve(ms.size());
  for (const auto& m : ms) out.push_back(to_message_info(m));
  return out;
}

}  // namespace

Admin::Admin(AdminDeps deps) : deps_(std::move(deps)) {}

Summary Admin::summary() const {
  const queue::SummaryCounts s = deps_.scheduler.summary();
  Summary out;
  const std::int64_t outbound = deps_.connections ? deps_.connections->open_connections() : 0;
  out.outbound_concurrency = static_cast<std::uint64_t>(std::max<std::int64_t>(0, outbound));
  out.inbound_concurrency = deps_.inbound_concurrency ? deps_.inbound_concurrency() : 0;
  out.active = s.active;
  out.in_flight = s.in_flight;
  out.delayed = s.delayed;
  out.delivered = s.delivered;
  out.failed = s.failed;
  out.transient_failures = s.transient_failures;
  out.received = s.received;
  if (deps_.cluster_connected) out.cluster_connected = deps_.cluster_connected();
  if (deps_.store) {
    const spool::StoreStats spool = deps_.store->stats();
    out.spool_memtable_bytes = spool.memtable_bytes;
    out.spool_block_cache_bytes = spool.block_cache_bytes;
  }
  out.uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - deps_.started);
  return out;
}

void Admin::queues(QueueQuery query, std::function<void(std::vector<QueueLine>)> done) const {
  for (auto& d : query.domains) d = to_lower(d);
  deps_.scheduler.queue_sizes(queue::QueueFilter{}, [query = std::move(query),
                                                     done = std::move(done)](std::vector<queue::QueueSizes> qs) {
    std::vector<QueueLine> out;
    for (const auto& q : qs) {
      if (query.non_empty_only && q.total() == 0) continue;
      if (!query.domains.empty() && !contains(query.domains, q.key.domain)) continue;
      if (!query.bindings.empty() && !contains(query.bindings, q.key.binding)) continue;
      out.push_back(to_queue_line(q));
    }
    std::sort(out.begin(), out.end(), [](const QueueLine& x, const QueueLine& y) {
      if (x.total() != y.total()) return x.total() > y.total();
      return std::tie(x.binding, x.domain) < std::tie(y.binding, y.domain);
    });
    if (query.limit && out.size() > *query.limit) out.resize(*query.limit);
    done(std::move(out));
  });
}

void Admin::binding_summary(std::optional<std::string> binding,
                            std::function<void(std::vector<BindingTotals>)> done) const {
  std::shared_ptr<DomainConnections> connections = deps_.connections;
  deps_.scheduler.queue_sizes(
      queue::QueueFilter{.binding = binding, .domain = {}},
      [binding, connections, done = std::move(done)](std::vector<queue::QueueSizes> qs) {
        std::map<std::string, BindingTotals> per;
        if (binding) per[*binding].binding = *binding;
        for (const auto& q : qs) {
          auto& b = per[q.key.binding];
          b.binding = q.key.binding;
          b.active += q.active;
          b.delayed += q.delayed;
          b.delivered += q.delivered;
          b.failed += q.failed;
          b.received += q.received;
        }
        if (per.empty()) per["default"].binding = "default";
        std::vector<BindingTotals> out;
        for (auto& [name, b] : per) {
          if (connections) b.open_connections = connections->open_connections(name);
          out.push_back(std::move(b));
        }
        done(std::move(out));
      });
}

void Admin::show_queue(ShowQueueQuery query, std::function<void(std::vector<MessageInfo>)> done) const {
  queue::Scheduler& sched = deps_.scheduler;
  const std::string domain = to_lower(query.domain);
  if (query.binding) {
    sched.show_queue(queue::QueueKey{*query.binding, domain}, query.limit, query.offset,
                     [done = std::move(done)](std::vector<queue::QueuedMessageInfo> ms) { done(to_infos(ms)); });
    return;
  }
  // Every binding holding this domain; the answers are joined in key order.
  sched.queue_sizes(
      queue::QueueFilter{.binding = {}, .domain = domain},
      [&sched, query, done = std::move(done)](std::vector<queue::QueueSizes> qs) {
        if (qs.empty()) return done({});
        struct Gather {
          std::mutex mu;
          std::vector<std::vector<queue::QueuedMessageInfo>> parts;
          std::size_t left = 0;
        };
        auto g = std::make_shared<Gather>();
        g->parts.resize(qs.size());
        g->left = qs.size();
        for (std::size_t i = 0; i < qs.size(); ++i) {
          auto one = [g, i, done](std::vector<queue::QueuedMessageInfo> ms) {
            std::unique_lock lk(g->mu);
            g->parts[i] = std::move(ms);
            if (--g->left != 0) return;
            std::vector<MessageInfo> out;
            for (const auto& part : g->parts)
              for (const auto& m : part) out.push_back(to_message_info(m));
            lk.unlock();
            done(std::move(out));
          };
          sched.show_queue(qs[i].key, query.limit, query.offset, std::move(one));
        }
      });
}

void Admin::message_details(spool::MessageId id, std::function<void(std::vector<MessageInfo>)> done) const {
  deps_.scheduler.find_message(
      id, [done = std::move(done), store = deps_.store, id](std::vector<queue::QueuedMessageInfo> ms) {
        std::vector<MessageInfo> infos = to_infos(ms);
        // The origin id is kept in the spool record only (not in memory).
        if (store && !infos.empty())
          if (auto stored = store->load_message(id))
            for (auto& info : infos) info.origin_id = stored->origin_id;
        done(std::move(infos));
      });
}

}  // namespace impulse::admin

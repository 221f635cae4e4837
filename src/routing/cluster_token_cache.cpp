// Implementation of routing/cluster_token_cache.hpp.
#include "routing/cluster_token_cache.hpp"

#include <algorithm>

namespace impulse::routing {

ClusterTokenCache::ClusterTokenCache(ClusterLimits& backend, Post post)
    : backend_(backend), post_(std::move(post)), self_(std::make_shared<ClusterTokenCache*>(this)) {}

void ClusterTokenCache::drop_expired(Entry& e, Time now) const {
  while (!e.batches.empty() && (e.batches.front().tokens == 0 || e.batches.front().until <= now)) {
    e.held -= e.batches.front().tokens;
    e.batches.pop_front();
  }
}

std::int64_t ClusterTokenCache::next_size(const Entry& e, Time now) const {
  if (e.wanted == 0) return 1;  // nothing observed yet
  const auto elapsed = std::max<std::chrono::nanoseconds>(now - e.last_fetch, std::chrono::milliseconds(1));
  // What this loop spent since the last fetch, scaled to kHorizon.
  const std::int64_t estimate = (e.taken * std::chrono::nanoseconds(kHorizon).count() + elapsed.count() - 1) / elapsed.count();
  std::int64_t size = std::max(estimate, e.wanted / 2);  // shrinks by halves at most
  // Spent all it got and wants more: the demand is more than it could see.
  if (e.held == 0 && e.granted > 0 && e.taken >= e.granted) size = std::max(size, e.wanted * 2);
  return std::clamp<std::int64_t>(size, 1, kMaxBatch);
}

void ClusterTokenCache::fetch(const std::string& key, Entry& e, Time now) {
  const std::int64_t wanted = next_size(e, now);
  e.wanted = wanted;
  e.taken = 0;
  e.last_fetch = now;
  e.pending = true;
  ++fetches_;
  std::weak_ptr<ClusterTokenCache*> weak = self_;
  auto done = [weak, post = post_, key](TokenBatch batch) {
    // On the backend's thread: hop to the owning loop before touching anything.
    post([weak, key, batch] {
      if (auto self = weak.lock()) (*self)->arrived(key, batch);
    });
  };
  if (auto now_answer = backend_.fetch_tokens(key, e.rate, wanted, std::move(done))) apply(e, *now_answer);
}

void ClusterTokenCache::apply(Entry& e, const TokenBatch& batch) {
  e.pending = false;
  if (batch.tokens > 0) {
    e.batches.push_back(Batch{batch.tokens, batch.until});
    e.held += batch.tokens;
    e.granted = batch.tokens;
  } else {
    e.denied_until = batch.retry_at;
  }
}

void ClusterTokenCache::arrived(const std::string& key, const TokenBatch& batch) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  apply(it->second, batch);
  std::vector<std::function<void()>> wake;
  wake.swap(it->second.waiters);  // a woken caller may take (and wait) again
  for (auto& w : wake)
    if (w) w();
}

ClusterAnswer ClusterTokenCache::take(const std::string& key, const config::RateSpec& rate, Time now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) it = entries_.emplace(key, Entry{}).first;
  Entry& e = it->second;
  if (!(e.rate == rate)) {  // a reload changed the rate: tokens of the old one are not spent
    e.rate = rate;
    e.batches.clear();
    e.held = 0;
    e.wanted = 0;
    e.granted = 0;
    e.denied_until = {};
  }
  drop_expired(e, now);
  if (e.held == 0 && !e.pending && now >= e.denied_until) {
    fetch(key, e, now);  // may be answered at once (degraded mode)
    drop_expired(e, now);
  }
  if (e.held > 0) {
    --e.batches.front().tokens;
    --e.held;
    ++e.taken;
    drop_expired(e, now);
    // Ahead of need: the next batch is asked for while this one lasts.
    if (!e.pending && e.granted >= kMinPrefetchBatch && e.held * 2 <= e.granted && now >= e.denied_until)
      fetch(key, e, now);
    return ClusterAnswer{ClusterVerdict::kGranted, 0, {}};
  }
  if (e.pending) return ClusterAnswer{ClusterVerdict::kWait, 0, {}};
  return ClusterAnswer{ClusterVerdict::kDenied, 0, std::max(e.denied_until, now + std::chrono::milliseconds(1))};
}

void ClusterTokenCache::on_refill(const std::string& key, std::function<void()> wake) {
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.pending) {
    if (wake) post_(std::move(wake));  // nothing on its way: ask again now
    return;
  }
  it->second.waiters.push_back(std::move(wake));
}

std::int64_t ClusterTokenCache::held(const std::string& key, Time now) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  std::int64_t n = 0;
  for (const auto& b : it->second.batches)
    if (b.until > now) n += b.tokens;
  return n;
}

std::int64_t ClusterTokenCache::last_wanted(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.wanted;
}

}  // namespace impulse::routing

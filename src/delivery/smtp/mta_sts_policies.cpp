// Implementation of delivery/smtp/mta_sts_policies.hpp.
#include "delivery/smtp/mta_sts_policies.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

namespace impulse::delivery::smtp {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr std::int64_t kRetryAfterFailure = 60;  // seconds before the TXT/fetch is tried again
constexpr std::int64_t kMinRecheck = 30;
constexpr std::int64_t kMaxRecheck = 3600;

}  // namespace

MtaStsPolicies::MtaStsPolicies(std::function<std::int64_t()> now_unix, runtime::ProblemSink problems, Fetch fetch,
                               std::size_t max_domains)
    : now_unix_(std::move(now_unix)),
      problems_(std::move(problems)),
      fetch_(std::move(fetch)),
      max_domains_(std::max<std::size_t>(max_domains, 1)) {
  if (!fetch_) fetch_ = [](dns::Resolver& resolver, const MtaStsFetchOptions& options) {
    return fetch_mta_sts_policy(resolver, options);
  };
}

std::uint64_t MtaStsPolicies::fetches() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

std::size_t MtaStsPolicies::domains() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

MtaStsPolicies::Entry& MtaStsPolicies::entry_of(const std::string& domain, std::int64_t now) {
  if (auto it = entries_.find(domain); it != entries_.end()) return it->second;
  if (entries_.size() >= max_domains_) make_room(now);
  return entries_[domain];
}

void MtaStsPolicies::make_room(std::int64_t now) {
  const std::size_t target = max_domains_ - max_domains_ / 10 - 1;  // room for the new one, and some more
  const auto idle = [](const Entry& e) { return !e.checking && e.waiters.empty(); };
  for (auto it = entries_.begin(); it != entries_.end() && entries_.size() > target;) {
    if (idle(it->second) && !in_force(it->second, now))
      it = entries_.erase(it);
    else
      ++it;
  }
  for (auto it = entries_.begin(); it != entries_.end() && entries_.size() > target;) {
    if (idle(it->second))
      it = entries_.erase(it);
    else
      ++it;
  }
}

std::optional<protocol::MtaStsPolicy> MtaStsPolicies::in_force(const Entry& entry, std::int64_t now) const {
  if (entry.cached && cached_mta_sts_fresh(*entry.cached, now)) return entry.cached->policy;
  return std::nullopt;
}

awaitable<std::optional<protocol::MtaStsPolicy>> MtaStsPolicies::policy(dns::Resolver& resolver,
                                                                        const MtaStsQuery& query) {
  const auto executor = co_await asio::this_coro::executor;
  // A domain's first use reads its cache file (outside the lock).
  bool loaded = false;
  {
    std::lock_guard lock(mutex_);
    loaded = entry_of(query.domain, now_unix_()).loaded;
  }
  std::optional<CachedMtaSts> from_disk;
  if (!loaded && !query.store_dir.empty()) from_disk = MtaStsStore(query.store_dir).load(query.domain);

  std::shared_ptr<asio::steady_timer> timer;
  std::optional<protocol::MtaStsPolicy> result;
  bool start = false;
  std::optional<CachedMtaSts> cached;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entry_of(query.domain, now_unix_());
    if (!entry.loaded) {
      entry.loaded = true;
      entry.cached = std::move(from_disk);
    }
    const std::int64_t now = now_unix_();
    result = in_force(entry, now);
    if (now >= entry.next_check && !entry.checking) {
      entry.checking = true;
      start = true;
      cached = entry.cached;
    }
    if (!result && entry.checking) {
      // Nothing in force and a check under way (maybe on another loop): wait
      // for it on a timer of this executor; its end cancels the timer.
      timer = std::make_shared<asio::steady_timer>(executor, query.timeout);
      entry.waiters.push_back(Waiter{executor, timer});
    }
  }
  if (start) {
    runtime::spawn(executor, "mta_sts_check " + query.domain, check(&resolver, query, cached),
                   {.problems = problems_, .on_done = {}});
  }
  if (!timer) co_return result;
  co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  std::lock_guard lock(mutex_);
  co_return in_force(entries_[query.domain], now_unix_());
}

awaitable<void> MtaStsPolicies::check(dns::Resolver* resolver, MtaStsQuery query,
                                      std::optional<CachedMtaSts> cached) {
  auto self = shared_from_this();  // the check in flight keeps the cache
  Learnt learnt;
  learnt.next_check = now_unix_() + kRetryAfterFailure;
  try {
    learnt = co_await run_check(*resolver, query, cached);
  } catch (const std::exception& e) {
    runtime::report(problems_, "MTA-STS " + query.domain + ": check failed: " + e.what());
  }
  finish(query.domain, learnt);
}

awaitable<MtaStsPolicies::Learnt> MtaStsPolicies::run_check(dns::Resolver& resolver, const MtaStsQuery& query,
                                                            const std::optional<CachedMtaSts>& cached) {
  const auto deadline = std::chrono::steady_clock::now() + query.timeout;
  const std::int64_t now = now_unix_();
  const bool cached_fresh = cached && cached_mta_sts_fresh(*cached, now);
  const std::string keeping =
      cached_fresh ? std::string("; the cached policy (mode ") + protocol::mta_sts_mode_name(cached->policy.mode) +
                         ") stays in force"
                   : std::string("; no policy: the configured tls applies");
  auto later = [now](std::uint32_t ttl) {
    return now + std::clamp<std::int64_t>(ttl, kMinRecheck, kMaxRecheck);
  };
  Learnt out;
  out.next_check = now + kRetryAfterFailure;

  const MtaStsTxt txt = co_await lookup_mta_sts_txt(resolver, query.domain, deadline);
  if (txt.kind == MtaStsTxt::Kind::kFailed) {
    runtime::report(problems_, "MTA-STS " + query.domain + ": " + txt.detail + keeping);
    co_return out;
  }
  if (txt.kind == MtaStsTxt::Kind::kAbsent) {
    out.next_check = later(txt.ttl);  // a cached policy stays until it expires (RFC 8461 §5.1)
    co_return out;
  }
  if (cached_fresh && cached->id == txt.id) {
    out.next_check = later(txt.ttl);
    co_return out;
  }
  {
    std::lock_guard lock(mutex_);
    ++fetches_;
  }
  MtaStsFetchOptions options;  // named: it lives in this frame while the fetch runs
  options.domain = query.domain;
  options.tls = query.tls;
  options.port = query.port;
  options.addresses = query.addresses;
  options.deadline = deadline;
  MtaStsPolicyFetch fetched = co_await fetch_(resolver, options);
  if (!fetched) {
    runtime::report(problems_, "MTA-STS " + query.domain + ": policy fetch failed: " + fetched.error() + keeping);
    co_return out;
  }
  CachedMtaSts made{txt.id, now, std::move(*fetched)};
  out.next_check = std::min<std::int64_t>(later(txt.ttl), now + std::max<std::int64_t>(made.policy.max_age, 1));
  if (!query.store_dir.empty()) {
    if (auto saved = MtaStsStore(query.store_dir).save(query.domain, made); !saved)
      runtime::report(problems_, "MTA-STS " + query.domain + ": cannot store the policy: " + saved.error().message);
  }
  out.fetched = std::move(made);
  co_return out;
}

void MtaStsPolicies::finish(const std::string& domain, const Learnt& learnt) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[domain];
    entry.checking = false;
    if (learnt.fetched) entry.cached = learnt.fetched;
    entry.next_check = learnt.next_check;
    waiters.swap(entry.waiters);
  }
  // Each waiter's timer belongs to its loop: cancel it there.
  for (Waiter& w : waiters) asio::post(w.executor, [timer = std::move(w.timer)] { timer->cancel(); });
}

}  // namespace impulse::delivery::smtp

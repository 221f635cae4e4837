// MtaStsPolicies: the MTA-STS policies in force, for the whole daemon (RFC
// 8461 §5; SPEC §19). One instance is shared by the SMTP transports of every
// event loop (smtp_transport_factory makes it); each asks policy(domain)
// before connecting to an MX of a domain with use_mta_sts on.
//
// What it decides, per policy domain:
//   - the TXT record _mta-sts.<domain> is looked up again once its TTL
//     (clamped to 30 s .. 1 h; 60 s after a failure) has passed, not per
//     message; a changed id, an expired policy or no policy yet means a
//     fetch (mta_sts_fetch.hpp);
//   - a fetched policy is kept in memory and, with `mta_sts_policy_store`,
//     on disk (mta_sts_store.hpp; read back at the domain's first use, so a
//     restart keeps it) for its max_age;
//   - a failed TXT lookup or fetch never lowers security: an unexpired
//     cached policy stays in force (and the failure is reported once per
//     attempt as a problem line); with nothing cached the answer is "no
//     policy" (the configured tls applies);
//   - no TXT record: the cached policy until it expires, else none;
//   - at most `max_domains` domains are remembered (default 100,000): a new
//     one first forgets the idle domains (no check in flight, nobody
//     waiting) whose policy has expired or who have none, then, if still
//     full, idle ones in name order, down to 90 % of the limit. A forgotten
//     domain with a stored policy reads it back from disk at its next use;
//     without `mta_sts_policy_store` its next delivery checks again;
//   - one check (TXT + fetch) in flight per domain across all loops; the
//     first delivery to a domain (nothing cached) waits for it, on a timer
//     of its own executor bounded by the caller's timeout (connect_timeout),
//     woken by a post when the check ends; with a policy cached, callers
//     use it at once while a refresh runs.
//
// Leaves to others: the DNS and HTTPS exchange (mta_sts_fetch.hpp, through
// the Fetch seam), what a policy does to a connection (mta_sts_gate.hpp).
// A broken policy (unparsable, wrong media type) is a failed fetch of that
// domain only.
// Threading: policy() from any loop (state under a mutex, no I/O under it
// except reading one small cache file at a domain's first use); a check runs
// as a supervised coroutine on the loop of the caller that started it, with
// that loop's resolver. Keep it in a shared_ptr (a check holds it).
// Failure modes: none thrown; failures are lines for the problem sink.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "delivery/smtp/mta_sts_fetch.hpp"
#include "delivery/smtp/mta_sts_store.hpp"
#include "runtime/spawn.hpp"

namespace impulse::delivery::smtp {

// What a caller asks: a domain, where policies are stored, how to fetch.
struct MtaStsQuery {
  std::string domain;                  // lower-case, no trailing dot
  std::string store_dir;               // mta_sts_policy_store; "" = memory only
  http1::Http1TlsContextPtr tls;       // for the HTTPS fetch (tls_ca or the system store)
  std::uint16_t port = 443;
  dns::AddressPolicy addresses;        // how mta-sts.<domain> is resolved (use_ipv6)
  std::chrono::milliseconds timeout{30'000};  // connect_timeout: the check and the wait for it
};

class MtaStsPolicies : public std::enable_shared_from_this<MtaStsPolicies> {
 public:
  // The HTTPS fetch; fetch_mta_sts_policy in production, a fake in tests.
  using Fetch = std::function<boost::asio::awaitable<MtaStsPolicyFetch>(dns::Resolver&, const MtaStsFetchOptions&)>;

  static constexpr std::size_t kDefaultMaxDomains = 100'000;
  MtaStsPolicies(std::function<std::int64_t()> now_unix, runtime::ProblemSink problems, Fetch fetch = {},
                 std::size_t max_domains = kDefaultMaxDomains);

  // The policy in force for query.domain (nullopt: none). `resolver` is the
  // caller's loop's (Transport::use_resolver), which outlives a check run on
  // that loop. Arguments: named objects (g++ 12 coroutines).
  boost::asio::awaitable<std::optional<protocol::MtaStsPolicy>> policy(dns::Resolver& resolver,
                                                                       const MtaStsQuery& query);

  // Policy fetches started (successful or not), for tests and diagnostics.
  std::uint64_t fetches() const;
  // Domains remembered now (at most max_domains), for tests and diagnostics.
  std::size_t domains() const;

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };
  struct Entry {
    bool loaded = false;                // the disk cache was read
    std::optional<CachedMtaSts> cached;  // the last policy fetched
    std::int64_t next_check = 0;        // unix seconds: TXT again from then on
    bool checking = false;
    std::vector<Waiter> waiters;
  };
  // After a check: what it learnt.
  struct Learnt {
    std::optional<CachedMtaSts> fetched;  // a new policy
    std::int64_t next_check = 0;
  };

  std::optional<protocol::MtaStsPolicy> in_force(const Entry& entry, std::int64_t now) const;  // mutex_ held
  boost::asio::awaitable<void> check(dns::Resolver* resolver, MtaStsQuery query,
                                     std::optional<CachedMtaSts> cached);
  boost::asio::awaitable<Learnt> run_check(dns::Resolver& resolver, const MtaStsQuery& query,
                                           const std::optional<CachedMtaSts>& cached);
  void finish(const std::string& domain, const Learnt& learnt);
  // The entry of `domain`, made (after make_room) if new. mutex_ held.
  Entry& entry_of(const std::string& domain, std::int64_t now);
  void make_room(std::int64_t now);  // mutex_ held

  std::function<std::int64_t()> now_unix_;
  runtime::ProblemSink problems_;
  Fetch fetch_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::size_t max_domains_ = kDefaultMaxDomains;
  std::uint64_t fetches_ = 0;
};

}  // namespace impulse::delivery::smtp

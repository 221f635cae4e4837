// The DANE lookup for one MX host before the SMTP client connects to it
// (RFC 7672 §2.2; SPEC §19 use_dane; reference/protocols.md §7), on the
// loop's validating resolver:
//
//   1. MX of the domain and A/AAAA of the host (dane_gate): DANE applies
//      only when the MX RRset (or the implicit-MX denial) and the host's
//      address records are DNSSEC-secure; a route host configured by the
//      operator needs only its own address records to be secure;
//   2. TLSA at `_<port>._tcp.<base>` for each TLSA base domain (the secure
//      CNAME expansion of the host first, then the host), the port the one
//      actually connected to (dane_policy: secure usable records -> DANE;
//      secure, none usable -> TLS mandatory, unauthenticated; insecure or
//      denied -> configured tls; bogus, SERVFAIL, timeout -> defer).
//
// The MX and address questions are normally answered from libunbound's
// cache (the domain record was just built from them); the answers carry
// the DNSSEC state the domain record does not keep. The whole lookup runs
// under one deadline (connect_timeout): a question still open then is a
// timeout, so the host is deferred.
//
// DaneCache keeps each verdict (except deferrals) for the smallest TTL of
// the answers behind it, so a busy queue does not ask once per connection;
// a connection is looked up once, when it opens, never per message.
//
// Executor: lookup_dane runs on the loop that owns `resolver` (the resolver
// calls back there); the cache belongs to one transport, i.e. one loop; no
// locks. Failures are verdicts (kDefer with the reason), never exceptions.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "config/config.hpp"
#include "delivery/smtp/dane_policy.hpp"
#include "dns/resolver.hpp"

namespace impulse::delivery::smtp {

// DANE on for (binding, domain): enable_dane where set along the outbound
// chain (binding ... global; SPEC §19 calls it use_dane's synonym),
// else use_dane (domain, global). enable_dane = false turns it off.
bool dane_enabled(const config::Config& config, const config::OutboundKey& key);

struct DaneQuery {
  std::string domain;   // the queue's (next-hop) domain
  std::string host;     // the MX or route host name
  std::uint16_t port = 25;
  bool ipv6 = false;    // the address connected to is IPv6 (ask AAAA, not A)
};

// `resolver` null: deferred ("no resolver"). Never throws but bad_alloc.
boost::asio::awaitable<DaneVerdict> lookup_dane(dns::Resolver* resolver, DaneQuery query,
                                                std::chrono::steady_clock::time_point deadline);

class DaneCache {
 public:
  using Clock = std::chrono::steady_clock;
  // The cached verdict for `query`, or null when none is fresh at `now`.
  std::shared_ptr<const DaneVerdict> find(const DaneQuery& query, Clock::time_point now) const;
  // Keeps `verdict` for its ttl (deferrals and ttl 0 are not kept).
  void put(const DaneQuery& query, std::shared_ptr<const DaneVerdict> verdict, Clock::time_point now);
  std::size_t size() const { return entries_.size(); }

 private:
  using Key = std::tuple<std::string, std::string, std::uint16_t, bool>;
  struct Entry {
    std::shared_ptr<const DaneVerdict> verdict;
    Clock::time_point expires{};
  };
  static Key key_of(const DaneQuery& query);
  std::map<Key, Entry> entries_;
};

}  // namespace impulse::delivery::smtp

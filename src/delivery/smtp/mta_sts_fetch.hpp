// Finding and fetching a domain's MTA-STS policy (RFC 8461 §3; SPEC §19;
// reference/protocols.md §7 "MTA-STS"):
//   lookup_mta_sts_txt   TXT _mta-sts.<domain>: exactly one record starting
//                        "v=STSv1" gives the policy id; none (or several)
//                        means no policy is published; a DNS failure is
//                        kFailed (not the same as "none": a cached policy
//                        stays in force).
//   fetch_mta_sts_policy GET https://mta-sts.<domain>/.well-known/mta-sts.txt
//                        over the HTTP/1.1 client (delivery/http1): the
//                        host resolved through the loop's resolver like a
//                        route host (dns/host_lookup.hpp), the certificate
//                        verified for the name mta-sts.<domain> against
//                        tls_ca or the system store, redirects not followed
//                        (only 200), media type text/plain, the body capped
//                        at 64 KiB, parsed by protocol/mta_sts_policy.
// Everything within one deadline (connect_timeout, chosen by the caller).
//
// Leaves to others: caching, refetch decisions, one fetch per domain
// (mta_sts_policies.hpp); what a policy does to a delivery (mta_sts_gate).
// Executor: the caller's loop; the resolver must belong to it. Failures are
// values: one line saying what went wrong; never throws but bad_alloc.
// Internal to src/delivery (includes Asio).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "base/expected.hpp"
#include "delivery/http1/http1_tls.hpp"
#include "delivery/http1/http1_types.hpp"
#include "dns/address_order.hpp"
#include "dns/resolver.hpp"
#include "protocol/mta_sts_policy.hpp"

namespace impulse::delivery::smtp {

struct MtaStsTxt {
  enum class Kind { kRecord, kAbsent, kFailed };
  Kind kind = Kind::kFailed;
  std::string id;       // kRecord: the policy id
  std::uint32_t ttl = 0;
  std::string detail;   // kAbsent / kFailed: why, for logs
};

// Pure: what a TXT answer for _mta-sts.<domain> says.
MtaStsTxt mta_sts_txt_from_answer(const dns::Answer& answer);

boost::asio::awaitable<MtaStsTxt> lookup_mta_sts_txt(dns::Resolver& resolver, const std::string& domain,
                                                     std::chrono::steady_clock::time_point deadline);

struct MtaStsFetchOptions {
  std::string domain;              // the policy domain, lower-case, no trailing dot
  http1::Http1TlsContextPtr tls;   // make_http1_tls_context{verify, tls_ca}; null = cannot fetch
  std::uint16_t port = 443;        // RFC 8461 §3.3: HTTPS on its default port (tests may change it)
  dns::AddressPolicy addresses;    // use_ipv6 / prefer_ipv6_mxs, as for a route host
  std::chrono::steady_clock::time_point deadline{};
};

using MtaStsPolicyFetch = impulse::expected<protocol::MtaStsPolicy, std::string>;

// Pure: a response to the policy GET, judged (status 200, text/plain, parsed).
MtaStsPolicyFetch mta_sts_policy_from_response(const http1::Http1Response& response);

// `options` must stay alive until the coroutine ends (a named object).
boost::asio::awaitable<MtaStsPolicyFetch> fetch_mta_sts_policy(dns::Resolver& resolver,
                                                               const MtaStsFetchOptions& options);

}  // namespace impulse::delivery::smtp

// Why routing could not produce a host to connect to, as the outcome the
// queue applies to every recipient of the (binding, domain): permanent
// (bounce) or transient (retry), with Momentum's `[internal]` reply text
// (reference/momentum.md §7.6; SPEC §3). The queue, not routing, decides
// retry timing. Plain values; no state, no threading concerns.
#pragma once

#include <string>
#include <string_view>

namespace impulse::routing {

// Momentum's texts, exactly.
inline constexpr std::string_view kNullMxText = "550 5.4.4 [internal] NULL MX domain does not accept mail";
inline constexpr std::string_view kDomainLookupFailedText = "554 5.4.4 [internal] Domain Lookup Failed";
inline constexpr std::string_view kProhibitedAddressText = "551 5.4.6 [internal] Private/Loopback Address";
inline constexpr std::string_view kNoMxOrAText = "454 4.4.4 [internal] no MX or A for domain";
inline constexpr std::string_view kNoMxReachableText =
    "421 4.4.0 [internal] no MXs for this domain could be reached at this time";
inline constexpr std::string_view kNoValidHostsText = "451 4.4.1 [internal] No valid hosts";
// Impulse's choice: Momentum publishes no text for a DNS failure before
// dns_failures_to_purge is reached; this is the 554 text made transient with
// RFC 3463's 4.4.3 (directory server failure).
inline constexpr std::string_view kDnsTemporaryFailureText = "451 4.4.3 [internal] Domain Lookup Failed";

struct RoutingFailure {
  bool permanent = false;
  std::string text;  // full reply line: code, enhanced code, text

  bool operator==(const RoutingFailure&) const = default;
};

inline RoutingFailure permanent_failure(std::string_view text) { return {true, std::string(text)}; }
inline RoutingFailure transient_failure(std::string_view text) { return {false, std::string(text)}; }

}  // namespace impulse::routing

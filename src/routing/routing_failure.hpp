// Why routing could not produce a host to connect to, as the outcome the
// queue applies to every recipient of the (binding, domain): permanent
// (bounce) or transient (retry), with Momentum's `[internal]` reply text
// (reference/momentum.md §7.6; SPEC §3). The queue, not routing, decides
// retry timing. Plain values; no state, no threading concerns.
#pragma once

#include <string>
#include <string_view>

#include "protocol/internal_replies.hpp"

namespace impulse::routing {

// Momentum's texts, from the one catalogue (protocol/internal_replies.hpp).
inline constexpr std::string_view kNullMxText = protocol::internal_reply::kNullMx;
inline constexpr std::string_view kDomainLookupFailedText = protocol::internal_reply::kDomainLookupFailed;
inline constexpr std::string_view kProhibitedAddressText = protocol::internal_reply::kPrivateLoopback;
inline constexpr std::string_view kNoMxOrAText = protocol::internal_reply::kNoMxOrA;
inline constexpr std::string_view kNoMxReachableText = protocol::internal_reply::kNoMxReachable;
inline constexpr std::string_view kNoValidHostsText = protocol::internal_reply::kNoValidHosts;
inline constexpr std::string_view kDnsTemporaryFailureText = protocol::internal_reply::kDnsTemporaryFailure;

struct RoutingFailure {
  bool permanent = false;
  std::string text;  // full reply line: code, enhanced code, text

  bool operator==(const RoutingFailure&) const = default;
};

inline RoutingFailure permanent_failure(std::string_view text) { return {true, std::string(text)}; }
inline RoutingFailure transient_failure(std::string_view text) { return {false, std::string(text)}; }

}  // namespace impulse::routing

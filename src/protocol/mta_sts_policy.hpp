// MTA-STS (RFC 8461): the policy file served at
// https://mta-sts.<domain>/.well-known/mta-sts.txt (§3.2), the TXT record
// at _mta-sts.<domain> (§3.1), and matching an MX host name against the
// policy's "mx" patterns (§4.1).
//
// Pure: bytes in, values out; no I/O, no state, any thread; fuzzed
// (tests/fuzz/fuzz_protocol_mta_sts_policy.cpp). Leaves to others: the TXT
// lookup, the HTTPS fetch, the cache and what a mode means for a delivery
// (delivery/smtp/mta_sts_*). Failures are values: a short text saying what
// was wrong (a broken policy is treated by the caller as no policy).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace impulse::protocol {

enum class MtaStsMode { kNone, kTesting, kEnforce };

struct MtaStsPolicy {
  MtaStsMode mode = MtaStsMode::kNone;
  std::uint32_t max_age = 0;     // seconds, at most kMtaStsMaxAge
  std::vector<std::string> mx;   // lower-case patterns: "mx.example.com", "*.example.net"

  bool operator==(const MtaStsPolicy&) const = default;
};

inline constexpr std::uint32_t kMtaStsMaxAge = 31557600;  // RFC 8461 §3.2
inline constexpr std::size_t kMtaStsMaxPolicyOctets = 64 * 1024;

using MtaStsPolicyResult = impulse::expected<MtaStsPolicy, std::string>;

// The policy body: "key: value" lines ending in CRLF or LF; version STSv1,
// mode, max_age and (unless mode is none) at least one mx are required;
// unknown keys are ignored; the first of repeated version/mode/max_age wins.
MtaStsPolicyResult parse_mta_sts_policy(std::string_view body);

// The policy again as a body (for the on-disk cache); parses back equal.
std::string format_mta_sts_policy(const MtaStsPolicy& policy);

// The TXT record "v=STSv1; id=20160831085700Z;": returns the id (1-32
// alphanumerics). A record not starting with v=STSv1 is an error.
impulse::expected<std::string, std::string> parse_mta_sts_txt(std::string_view txt);

// §4.1: exact match, or "*.d" matching exactly one left-most label; case
// insensitive; a trailing dot on the host is ignored.
bool mta_sts_mx_matches(const MtaStsPolicy& policy, std::string_view host);

const char* mta_sts_mode_name(MtaStsMode mode);  // "none", "testing", "enforce"

}  // namespace impulse::protocol

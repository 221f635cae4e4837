// Turns what libunbound reported for one query into a dns::Answer: status
// (reference/protocols.md §8.1 "Classifying results"; RFC 2308 for
// NXDOMAIN/NODATA; RFC 7505 null MX), TTL, canonical name and parsed
// records. Pure: RawResult is a view of a struct ub_result (or of a test's
// bytes) and is only read during the call. Malformed rdata turns the whole
// answer into ServFail with the reason in error_text (an upstream fault, so
// transient). Talking to libunbound is unbound_resolver.hpp's job. No
// executor.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "dns/answer_parse.hpp"
#include "dns/resolver.hpp"

namespace impulse::dns {

constexpr int kRcodeNoError = 0;
constexpr int kRcodeServFail = 2;
constexpr int kRcodeNxDomain = 3;
constexpr int kRcodeRefused = 5;

// The fields of struct ub_result (and the callback's `err`) that matter.
struct RawResult {
  int error = 0;                      // libunbound error code; nonzero = no result
  std::string_view error_text;        // ub_strerror(error)
  int rcode = kRcodeNoError;
  bool havedata = false;
  bool nxdomain = false;
  bool bogus = false;
  bool secure = false;                // DNSSEC validated (ub_result::secure)
  std::string_view why_bogus;
  std::uint32_t ttl = 0;
  std::string_view canonname;         // "" when libunbound gave none
  std::vector<Bytes> rdata;           // wire-format rdata of the asked type
};

// DNS RR type numbers (RFC 1035, RFC 3596).
std::uint16_t wire_type(RecordType type);

// `qname` is the name asked (any case, with or without trailing dot); it
// becomes the canonical name when libunbound reports no CNAME target.
Answer classify_result(const RawResult& raw, RecordType type, std::string_view qname);

}  // namespace impulse::dns

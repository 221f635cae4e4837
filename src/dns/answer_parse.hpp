// Pure parsers for the wire-format rdata libunbound returns in
// ub_result::data[] (bytes in, values out; fuzzable): MX (RFC 1035 §3.3.9;
// a null MX "0 ." per RFC 7505 gives preference 0 and exchange ""), A
// (RFC 1035 §3.4.1) and AAAA (RFC 3596). Names come back in presentation
// format, lower-cased, without the trailing dot; special characters are
// escaped ("\." "\\" "\"" "\(" "\)" "\;" "\@" "\$") and bytes outside
// 0x21..0x7e become "\DDD" (RFC 1035 §5.1). libunbound hands rdata over
// decompressed, so a compression pointer is an error here.
// Classifying a whole answer is answer_classify.hpp's job. Malformed input
// is an Error value, never an exception or a crash. No executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "base/error.hpp"
#include "config/net.hpp"
#include "dns/resolver.hpp"

namespace impulse::dns {

using Bytes = std::span<const std::uint8_t>;

// Decodes one uncompressed wire name starting at `offset` and advances
// `offset` past it. The root name gives "".
Result<std::string> parse_wire_name(Bytes wire, std::size_t& offset);

// 2-octet big-endian preference + wire name, exactly filling the rdata.
Result<MxRecord> parse_mx_rdata(Bytes rdata);

// Exactly 4 (A) or 16 (AAAA) octets.
Result<config::IpAddress> parse_a_rdata(Bytes rdata);
Result<config::IpAddress> parse_aaaa_rdata(Bytes rdata);

}  // namespace impulse::dns

// Pure parsers for TLSA (RFC 6698 §2.1) and TXT (RFC 1035 §3.3.14) rdata as
// libunbound hands it over (wire format, one record). Bytes in, values out;
// fuzzable; no executor. Classifying an answer is answer_classify.hpp's job,
// asking libunbound is unbound_resolver.hpp's. Malformed input is an Error.
#pragma once

#include <string>

#include "base/error.hpp"
#include "dns/answer_parse.hpp"
#include "dns/resolver.hpp"

namespace impulse::dns {

// usage, selector, matching type (one octet each), then the association
// data (at least one octet).
Result<TlsaRecord> parse_tlsa_rdata(Bytes rdata);

// One or more <character-string>s (length octet + bytes), concatenated as
// RFC 7489/8461 read them.
Result<std::string> parse_txt_rdata(Bytes rdata);

}  // namespace impulse::dns

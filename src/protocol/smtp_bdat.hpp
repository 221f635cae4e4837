// The arguments of CHUNKING's BDAT command (RFC 3030 §2): "BDAT <size> [LAST]",
// the size a run of ASCII digits (at most 19, so it fits 64 bits), LAST in
// any case. The session reads exactly `size` octets after the line.
// Leaves to others: the chunk's octets, sequencing and size limits (the
// ESMTP session). Pure: no I/O, any thread; fuzzed with the AUTH exchange
// (tests/fuzz/fuzz_protocol_smtp_auth.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol {

struct BdatCommand {
  std::uint64_t size = 0;
  bool last = false;
};

// `arguments`: the text after "BDAT ". The error says what was wrong.
impulse::expected<BdatCommand, std::string> parse_bdat_arguments(std::string_view arguments);

// "BDAT <size>[ LAST]\r\n" (the client side).
std::string format_bdat(std::uint64_t size, bool last);

}  // namespace impulse::protocol

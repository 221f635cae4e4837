// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum that
// guards each spool record (spool/record.hpp) against silent corruption.
// Pure functions; no state, no failures. crc32c() uses the processor's
// CRC32 instruction where there is one (x86-64 SSE4.2: a spool scan at
// start-up checks every record), crc32c_portable() a compile-time table;
// both give the same value.
#pragma once

#include <cstdint>
#include <string_view>

namespace impulse::spool {

// Checksum of `data`, continuing from `crc` (0 to start).
std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0);
// The same, a byte at a time, on any processor (the tests' reference).
std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc = 0);

}  // namespace impulse::spool

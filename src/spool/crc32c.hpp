// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum that
// guards each spool record (spool/record.hpp) against silent corruption.
// Pure function, table computed at compile time; no state, no failures.
#pragma once

#include <cstdint>
#include <string_view>

namespace impulse::spool {

// Checksum of `data`, continuing from `crc` (0 to start).
std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0);

}  // namespace impulse::spool

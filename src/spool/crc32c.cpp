// Implementation of spool/crc32c.hpp: the SSE4.2 CRC32 instruction (8 bytes
// a step) on x86-64 processors that have it, checked once at run time;
// otherwise, and as the reference the tests compare with, a byte-at-a-time
// table lookup.
#include "spool/crc32c.hpp"

#include <array>
#include <cstring>

namespace impulse::spool {
namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78u;

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? (c >> 1) ^ kPolynomial : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> kTable = make_table();

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define IMPULSE_CRC32C_SSE42 1
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::string_view data, std::uint32_t crc) {
  std::uint64_t c = ~crc;
  const char* p = data.data();
  std::size_t n = data.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);  // little-endian: the reflected CRC consumes the low byte first
    c = __builtin_ia32_crc32di(c, word);
  }
  auto c32 = static_cast<std::uint32_t>(c);
  for (; n > 0; ++p, --n) c32 = __builtin_ia32_crc32qi(c32, static_cast<unsigned char>(*p));
  return ~c32;
}

bool have_sse42() { return __builtin_cpu_supports("sse4.2"); }  // libgcc's CPUID result, read from memory
#endif

}  // namespace

std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc) {
  crc = ~crc;
  for (unsigned char b : data) crc = kTable[(crc ^ b) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

std::uint32_t crc32c(std::string_view data, std::uint32_t crc) {
#ifdef IMPULSE_CRC32C_SSE42
  if (have_sse42()) return crc32c_sse42(data, crc);
#endif
  return crc32c_portable(data, crc);
}

}  // namespace impulse::spool

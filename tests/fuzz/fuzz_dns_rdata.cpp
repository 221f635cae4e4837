// Fuzz target: the pure DNS rdata parsers (MX, A, AAAA, wire names) must
// return a value or an Error for any bytes, never crash or over-read.
#include <cstddef>
#include <cstdint>

#include "dns/answer_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::dns;
  Bytes bytes(data, size);
  (void)parse_mx_rdata(bytes);
  (void)parse_a_rdata(bytes);
  (void)parse_aaaa_rdata(bytes);
  std::size_t offset = 0;
  while (offset < size) {
    std::size_t before = offset;
    auto name = parse_wire_name(bytes, offset);
    if (!name || offset <= before) break;
  }
  return 0;
}

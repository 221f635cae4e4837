// Fuzz target for protocol/dsn_params.hpp: every parser fails cleanly, and
// what parses survives being formatted and parsed again unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/dsn_params.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto n = parse_notify(in)) {
    if (*parse_notify(format_notify(*n)) != *n) std::abort();
  }
  if (auto r = parse_ret(in)) {
    if (*parse_ret(format_ret(*r)) != *r) std::abort();
  }
  if (auto e = parse_envid(in)) {
    auto again = xtext_decode(xtext_encode(*e));
    if (!again || *again != *e) std::abort();
  }
  if (auto o = parse_orcpt(in)) {
    const std::string formatted = format_orcpt(*o);  // may grow past the limit: raw UTF-8 escaped
    auto again = parse_orcpt(formatted);
    if (formatted.size() <= kMaxOrcptOctets && (!again || *again != *o)) std::abort();
  }
  auto decoded = xtext_decode(xtext_encode(in));
  if (!decoded || *decoded != in) std::abort();
  (void)valid_utf8(in);
  return 0;
}

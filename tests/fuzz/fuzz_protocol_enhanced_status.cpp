// Fuzz target: enhanced status parsing (protocol/enhanced_status.hpp) and the
// bounce classifier that consumes it. Checks invariants, not just crashes:
// a parsed status is in range and survives a to_string()/parse round trip.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/bounce_classify.hpp"
#include "protocol/enhanced_status.hpp"

using namespace impulse::protocol;

namespace {

void check(const std::optional<EnhancedStatus>& st) {
  if (!st) return;
  if (st->klass != 2 && st->klass != 4 && st->klass != 5) std::abort();
  if (st->subject < 0 || st->subject > kEnhancedMaxSubject) std::abort();
  if (st->detail < 0 || st->detail > kEnhancedMaxDetail) std::abort();
  auto again = parse_enhanced_status(st->to_string());
  if (!again || !(*again == *st)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check(parse_enhanced_status(input));
  check(extract_enhanced_status(input));
  check(status_of_reply(input));
  if (auto code = parse_reply_code(input); code && (*code < 200 || *code > 599)) std::abort();
  int klass = bounce_class_code(classify_reply(input));
  if (klass < 1 || klass > 100) std::abort();
  return 0;
}

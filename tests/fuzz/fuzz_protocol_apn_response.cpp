// Fuzz target: APNs response classification and Retry-After parsing
// (protocol/apn_response.hpp). Input layout: the first two bytes pick the
// HTTP status (100-599), the first line after them is the Retry-After
// value (empty = absent), the rest is the response body. The response text
// always starts with the status, stays one printable line of bounded
// length, and the verdict follows SPEC §12's table for the statuses it
// names; a Retry-After, when read, is between 0 and ten years.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/apn_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  if (size < 2) return 0;
  const int status = 100 + (data[0] << 8 | data[1]) % 500;
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t nl = rest.find('\n');
  const std::string_view retry = rest.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  constexpr std::int64_t kNow = 1'800'000'000;
  const std::optional<std::string_view> header = retry.empty() ? std::nullopt : std::optional(retry);
  const ApnVerdict v = classify_apn_response(status, body, header, kNow);

  const std::string code = std::to_string(status);
  if (!v.response_text.starts_with(code)) std::abort();
  if (v.response_text.size() > code.size() + 1 + 200) std::abort();
  for (char c : v.response_text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) std::abort();
  }
  const bool ok_kind = status == 200   ? v.kind == ApnVerdictKind::kDelivered
                       : status == 410 ? v.kind == ApnVerdictKind::kDeadToken
                       : status == 400 || status == 413 ? v.kind == ApnVerdictKind::kPermanent
                       : status == 403 ? (v.kind == ApnVerdictKind::kCredentials || v.kind == ApnVerdictKind::kRenewToken)
                       : status == 503 ? (v.kind == ApnVerdictKind::kTransient ||
                                          v.kind == ApnVerdictKind::kRetryOnNewConnection)
                                       : v.kind == ApnVerdictKind::kTransient;
  if (!ok_kind) std::abort();
  if (v.retry_after && (v.retry_after->count() < 0 || v.retry_after->count() > 10LL * 366 * 24 * 3600)) std::abort();
  if (header && parse_retry_after(*header, kNow) != v.retry_after) std::abort();
  return 0;
}

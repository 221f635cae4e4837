// Fuzz target: FCM v1 and legacy GCM response classification
// (protocol/gcm_response.hpp). Input layout: the first two bytes pick the
// HTTP status (100-599), the third the protocol (even: v1, odd: legacy),
// the first line after them is the Retry-After value (empty = absent), the
// rest is the response body. The response text always starts with the
// status and stays one printable line of bounded length; a delivered
// verdict needs status 200; a v1 verdict follows SPEC §13 for the statuses
// it names when the body has no FCM error code; a canonical token is only
// reported on delivery; a Retry-After is between 0 and ten years.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/apn_response.hpp"
#include "protocol/gcm_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  if (size < 3) return 0;
  const int status = 100 + (data[0] << 8 | data[1]) % 500;
  const bool legacy = data[2] & 1;
  std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);
  const std::size_t nl = rest.find('\n');
  const std::string_view retry = rest.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  constexpr std::int64_t kNow = 1'800'000'000;
  const std::optional<std::string_view> header = retry.empty() ? std::nullopt : std::optional(retry);
  const GcmVerdict v = legacy ? classify_gcm_legacy_response(status, body, header, kNow)
                              : classify_fcm_v1_response(status, body, header, kNow);

  const std::string code = std::to_string(status);
  if (!v.response_text.starts_with(code)) std::abort();
  if (v.response_text.size() > code.size() + 1 + 200) std::abort();
  for (char c : v.response_text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) std::abort();
  }
  if (v.kind == GcmVerdictKind::kDelivered && status != 200) std::abort();
  if (!v.canonical_token.empty() && (legacy == false || v.kind != GcmVerdictKind::kDelivered)) std::abort();
  if (!legacy && v.error_code.empty()) {
    const bool ok = status == 200   ? v.kind == GcmVerdictKind::kDelivered
                    : status == 400 ? v.kind == GcmVerdictKind::kPermanent
                    : status == 401 ? v.kind == GcmVerdictKind::kCredentials
                    : status == 403 ? v.kind == GcmVerdictKind::kPermanent || v.kind == GcmVerdictKind::kCredentials
                                    : v.kind == GcmVerdictKind::kTransient;
    if (!ok) std::abort();
  }
  if (legacy && status != 200) {
    const bool ok = status == 400   ? v.kind == GcmVerdictKind::kPermanent
                    : status == 401 ? v.kind == GcmVerdictKind::kCredentials
                                    : v.kind == GcmVerdictKind::kTransient;
    if (!ok) std::abort();
  }
  if (v.retry_after && (v.retry_after->count() < 0 || v.retry_after->count() > 10LL * 366 * 24 * 3600)) std::abort();
  if (header && parse_retry_after(*header, kNow) != v.retry_after) std::abort();
  return 0;
}

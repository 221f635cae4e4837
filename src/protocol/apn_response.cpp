// Implementation of protocol/apn_response.hpp.
#include "protocol/apn_response.hpp"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <vector>

#include "base/strings.hpp"

namespace impulse::protocol {
namespace {

constexpr std::size_t kMaxReason = 200;
constexpr std::int64_t kMaxRetryAfter = 10LL * 366 * 24 * 3600;

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= kMaxReason) break;
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  return out;
}

struct Body {
  std::string reason;
  std::optional<std::int64_t> timestamp;
};

Body read_body(std::string_view json) {
  Body b;
  if (json.empty()) return b;
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return b;
  const auto& obj = v.get_object();
  if (auto it = obj.find("reason"); it != obj.end() && it->value().is_string())
    b.reason = printable(std::string_view(it->value().get_string()));
  if (auto it = obj.find("timestamp"); it != obj.end()) {
    if (it->value().is_int64()) b.timestamp = it->value().get_int64();
    else if (it->value().is_uint64() && it->value().get_uint64() <= INT64_MAX)
      b.timestamp = static_cast<std::int64_t>(it->value().get_uint64());
  }
  return b;
}

std::optional<std::int64_t> digits(std::string_view s, std::size_t max_len = 18) {
  if (s.empty() || s.size() > max_len) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<unsigned> month_of(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < kMonths.size(); ++i)
    if (s == kMonths[i]) return i + 1;
  return std::nullopt;
}

bool is_day_name(std::string_view s) {
  if (s.size() < 3) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

// "08:49:37" -> seconds of the day.
std::optional<std::int64_t> time_of_day(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  auto h = digits(s.substr(0, 2));
  auto m = digits(s.substr(3, 2));
  auto sec = digits(s.substr(6, 2));
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + *sec;
}

std::optional<std::int64_t> unix_time(std::int64_t year, unsigned month, std::int64_t day, std::int64_t seconds) {
  if (year < 1900 || year > 9999 || day < 1 || day > 31) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(year)), std::chrono::month(month),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch().count() * 86400LL + seconds;
}

// RFC 9110 §5.6.7: IMF-fixdate, obsolete RFC 850 and asctime forms.
std::optional<std::int64_t> parse_http_date(std::string_view value) {
  std::string flat(value);
  for (char& c : flat)
    if (c == ',') c = ' ';
  std::vector<std::string_view> t;
  for (std::string_view piece : split(flat, ' '))
    if (!piece.empty()) t.push_back(piece);
  if (t.size() == 6 && is_day_name(t[0]) && t[5] == "GMT") {  // Sun, 06 Nov 1994 08:49:37 GMT
    if (t[3].size() != 4) return std::nullopt;
    auto day = digits(t[1], 2);
    auto month = month_of(t[2]);
    auto year = digits(t[3]);
    auto tod = time_of_day(t[4]);
    if (!day || !month || !year || !tod) return std::nullopt;
    return unix_time(*year, *month, *day, *tod);
  }
  if (t.size() == 4 && is_day_name(t[0]) && t[3] == "GMT") {  // Sunday, 06-Nov-94 08:49:37 GMT
    auto parts = split(t[1], '-');
    // sizes checked before, not as `cond ? digits(..) : nullopt`: GCC 12 -O1
    // warns -Wmaybe-uninitialized on *yy after such a ternary (false positive)
    if (parts.size() != 3 || parts[2].size() != 2) return std::nullopt;
    auto day = digits(parts[0], 2);
    auto month = month_of(parts[1]);
    auto yy = digits(parts[2]);
    auto tod = time_of_day(t[2]);
    if (!day || !month || !yy || !tod) return std::nullopt;
    return unix_time(*yy < 70 ? 2000 + *yy : 1900 + *yy, *month, *day, *tod);
  }
  if (t.size() == 5 && is_day_name(t[0])) {  // Sun Nov  6 08:49:37 1994
    if (t[4].size() != 4) return std::nullopt;
    auto month = month_of(t[1]);
    auto day = digits(t[2], 2);
    auto tod = time_of_day(t[3]);
    auto year = digits(t[4]);
    if (!day || !month || !year || !tod) return std::nullopt;
    return unix_time(*year, *month, *day, *tod);
  }
  return std::nullopt;
}

}  // namespace

std::string_view http_reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::int64_t now_unix) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    for (char c : value)
      if (c < '0' || c > '9') return std::nullopt;
    // Long runs of digits saturate rather than overflow.
    if (value.size() > 12) return std::chrono::seconds(kMaxRetryAfter);
    return std::chrono::seconds(std::min(*digits(value), kMaxRetryAfter));
  }
  auto at = parse_http_date(value);
  if (!at) return std::nullopt;
  return std::chrono::seconds(std::clamp<std::int64_t>(*at - now_unix, 0, kMaxRetryAfter));
}

ApnVerdict classify_apn_response(int status, std::string_view body_json,
                                 std::optional<std::string_view> retry_after_header, std::int64_t now_unix) {
  const Body body = read_body(body_json);
  ApnVerdict v;
  v.reason = body.reason;
  if (retry_after_header) v.retry_after = parse_retry_after(*retry_after_header, now_unix);
  std::string reason = body.reason;
  if (reason.empty()) reason = status == 200 ? "Success" : std::string(http_reason_phrase(status));
  v.response_text = std::to_string(status);
  if (!reason.empty()) v.response_text += " " + reason;
  switch (status) {
    case 200: v.kind = ApnVerdictKind::kDelivered; break;
    case 400:
    case 413: v.kind = ApnVerdictKind::kPermanent; break;
    case 403:
      v.kind = body.reason == "ExpiredProviderToken" ? ApnVerdictKind::kRenewToken : ApnVerdictKind::kCredentials;
      break;
    case 410:
      v.kind = ApnVerdictKind::kDeadToken;
      v.invalid_since_ms = body.timestamp;
      break;
    case 503:
      v.kind = body.reason == "Shutdown" ? ApnVerdictKind::kRetryOnNewConnection : ApnVerdictKind::kTransient;
      break;
    default: v.kind = ApnVerdictKind::kTransient; break;  // 404, 405, 429, 500 and anything unlisted
  }
  return v;
}

}  // namespace impulse::protocol

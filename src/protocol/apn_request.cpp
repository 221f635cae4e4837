// Implementation of protocol/apn_request.hpp.
#include "protocol/apn_request.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "base/strings.hpp"

namespace impulse::protocol {
namespace {

// The part's header if present (even empty, it is the sender's choice), else the option.
std::string pick(const ChannelPart& part, std::string_view header, std::string_view option) {
  if (auto v = part.header(header)) return std::string(*v);
  return std::string(option);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// A value that can travel as an HTTP header value (no CR, LF, NUL).
bool header_safe(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

}  // namespace

impulse::expected<ApnRequest, std::string> build_apn_request(const ChannelPart& part, std::string_view device_token,
                                                             const ApnOptions& options, std::int64_t now_unix,
                                                             std::string apns_id) {
  ApnRequest req;
  req.push_type = pick(part, "X-APNs-Push-Type", options.push_type);
  if (req.push_type.empty()) req.push_type = "alert";
  const std::size_t limit = iequals(req.push_type, "voip") ? kApnMaxVoipPayload : kApnMaxPayload;
  if (part.payload.size() > limit)
    return impulse::unexpected("APN payload of " + std::to_string(part.payload.size()) + " bytes exceeds the " +
                               std::to_string(limit) + "-byte limit");
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(part.payload, ec);
  if (ec) return impulse::unexpected("APN payload is not valid JSON: " + ec.message());
  if (!json.is_object()) return impulse::unexpected(std::string("APN payload is not a JSON object"));

  const std::string topic = pick(part, "X-APNs-Topic", options.topic);
  if (topic.empty() && options.token_auth)
    return impulse::unexpected(std::string("no APNs topic (X-APNs-Topic or APN_Topic) with token authentication"));
  const std::string priority = pick(part, "X-APNs-Priority", options.priority);
  if (!priority.empty() && !all_digits(priority))
    return impulse::unexpected("APNs priority '" + priority + "' is not a number");
  std::string expiration;
  if (auto v = part.header("X-APNs-Expiration")) {
    expiration = std::string(*v);
    if (!all_digits(expiration) || expiration.size() > 19)
      return impulse::unexpected("X-APNs-Expiration '" + expiration + "' is not Unix seconds");
  } else if (options.expiry_seconds > 0) {
    expiration = std::to_string(now_unix + options.expiry_seconds);
  }
  const auto collapse = part.header("X-APNs-Collapse-ID");

  auto add = [&](std::string name, std::string_view value) { req.headers.emplace_back(std::move(name), value); };
  if (!topic.empty()) add("apns-topic", topic);
  add("apns-push-type", req.push_type);
  if (!priority.empty()) add("apns-priority", priority);
  if (collapse && !collapse->empty()) add("apns-collapse-id", *collapse);
  if (!expiration.empty()) add("apns-expiration", expiration);
  add("apns-id", apns_id);
  for (const auto& [name, value] : req.headers)
    if (!header_safe(value)) return impulse::unexpected(name + " cannot be sent: it contains a line break");

  req.path = "/3/device/" + std::string(device_token);
  req.body = part.payload;
  req.apns_id = std::move(apns_id);
  return req;
}

std::string format_uuid_v4(const std::uint8_t (&bytes)[16]) {
  std::uint8_t b[16];
  for (int i = 0; i < 16; ++i) b[i] = bytes[i];
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0x0F];
  }
  return out;
}

std::string new_apns_id(const std::function<std::uint64_t()>& random64) {
  std::uint8_t bytes[16];
  const std::uint64_t hi = random64();
  const std::uint64_t lo = random64();
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<std::uint8_t>(hi >> (8 * (7 - i)));
    bytes[8 + i] = static_cast<std::uint8_t>(lo >> (8 * (7 - i)));
  }
  return format_uuid_v4(bytes);
}

}  // namespace impulse::protocol

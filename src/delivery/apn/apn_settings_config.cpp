// Implementation of delivery/apn/apn_settings_config.hpp.
#include "delivery/apn/apn_settings_config.hpp"

#include <algorithm>
#include <limits>

#include "base/strings.hpp"
#include "config/net.hpp"

namespace impulse::delivery::apn {

Result<ApnSettings> apn_settings_from_config(const config::Config& config, const config::OutboundKey& key) {
  auto value = [&](std::string_view option) -> const config::OptionValue& { return *config.resolve(key, option).value; };
  auto text = [&](std::string_view option) -> const std::string& { return value(option).as_string(); };
  auto seconds = [&](std::string_view option) {
    return std::chrono::milliseconds(
        std::clamp<std::int64_t>(value(option).as_int(), 0, std::numeric_limits<std::int32_t>::max()) * 1000);
  };

  ApnSettings s;
  s.key_file = text("apn_key_file");
  s.key_id = text("apn_key_id");
  s.team_id = text("apn_team_id");
  s.tls.certificate = text("tls_certificate");
  if (iequals(s.tls.certificate, "none")) s.tls.certificate.clear();
  s.tls.key = text("tls_key");
  s.tls.ca = text("tls_ca");
  const config::Resolved verify = config.resolve(key, "tls_verify");
  s.tls.verify = verify.is_default() || !iequals(verify.value->as_string(), "no");
  s.tls_required = iequals(text("tls"), "required");

  const bool token = !s.key_file.empty() || !s.key_id.empty() || !s.team_id.empty();
  const bool certificate = !s.tls.certificate.empty();
  if (token && certificate)
    return fail("APN token authentication (apn_key_file) and certificate authentication (tls_certificate) are both set");
  if (token && (s.key_file.empty() || s.key_id.empty() || s.team_id.empty()))
    return fail("APN token authentication needs apn_key_file, apn_key_id and apn_team_id");
  s.auth = token ? ApnAuth::kToken : certificate ? ApnAuth::kCertificate : ApnAuth::kNone;

  s.topic = text("apn_topic");
  s.push_type = text("apn_push_type");
  s.priority = text("apn_priority");
  if (!s.priority.empty() && s.priority != "10" && s.priority != "5" && s.priority != "1")
    return fail("apn_priority \"" + s.priority + "\" is not 10, 5 or 1");
  s.expiry_seconds = std::max<std::int64_t>(value("apn_expiry").as_int(), 0);

  std::string bind = text("bind_address");
  if (bind.size() >= 2 && bind.front() == '[' && bind.back() == ']') bind = bind.substr(1, bind.size() - 2);
  if (!bind.empty() && bind != "*") {
    auto ip = config::parse_ip(bind);
    if (!ip) return fail("bind_address \"" + bind + "\" is not an IP address (host names are not resolved)");
    s.bind_address = ip->str();
  }

  s.connect_timeout = seconds("connect_timeout");
  s.idle_timeout = seconds("idle_timeout");
  s.response_timeout = std::chrono::milliseconds(std::max<std::int64_t>(value("delivery_response_timeout").as_int(), 1));
  s.max_deliveries_per_connection = static_cast<std::uint32_t>(std::clamp<std::int64_t>(
      value("max_deliveries_per_connection").as_int(), 0, std::numeric_limits<std::uint32_t>::max()));
  s.credentials_hold = std::chrono::seconds(std::max<std::int64_t>(value("host_failure_retry").as_int(), 1));
  return s;
}

}  // namespace impulse::delivery::apn

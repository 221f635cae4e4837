// Implementation of delivery/gcm/gcm_settings_config.hpp.
#include "delivery/gcm/gcm_settings_config.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "base/strings.hpp"
#include "config/net.hpp"

namespace impulse::delivery::gcm {

impulse::expected<protocol::ServiceAccount, std::string> load_service_account(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return impulse::unexpected("GCM_Service_Account " + file + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return impulse::unexpected("GCM_Service_Account " + file + ": cannot be read");
  auto account = protocol::parse_service_account(text.str());
  if (!account) return impulse::unexpected("GCM_Service_Account " + file + ": " + account.error());
  return account;
}

Result<GcmSettings> gcm_settings_from_config(const config::Config& config, const config::OutboundKey& key) {
  auto value = [&](std::string_view option) -> const config::OptionValue& { return *config.resolve(key, option).value; };
  auto text = [&](std::string_view option) -> const std::string& { return value(option).as_string(); };
  auto seconds = [&](std::string_view option) {
    return std::chrono::milliseconds(
        std::clamp<std::int64_t>(value(option).as_int(), 0, std::numeric_limits<std::int32_t>::max()) * 1000);
  };

  GcmSettings s;
  s.service_account_file = text("gcm_service_account");
  s.legacy_key = text("gcm_authorization_token_id");
  if (!s.service_account_file.empty() && !s.legacy_key.empty())
    return fail("GCM_Service_Account (FCM HTTP v1) and GCM_Authorization_Token_ID (legacy API) are both set");
  if (!s.service_account_file.empty()) {
    auto account = load_service_account(s.service_account_file);
    if (!account) return fail(account.error());
    s.account = std::move(*account);
    s.auth = GcmAuth::kServiceAccount;
  } else if (!s.legacy_key.empty()) {
    s.auth = GcmAuth::kLegacyKey;
  }
  s.project_id = text("gcm_project_id");
  if (s.project_id.empty()) s.project_id = s.account.project_id;
  s.http_uri = text("http_uri");
  if (s.http_uri.empty()) s.http_uri = "/gcm/send";
  if (s.http_uri.front() != '/') s.http_uri.insert(0, "/");

  s.request.ttl = value("gcm_ttl").as_int();
  s.request.dry_run = value("gcm_dry_run").as_bool();
  s.request.delay_while_idle = value("gcm_delay_while_idle").as_bool();
  s.request.application_id = text("gcm_application_id");

  s.tls.certificate = text("tls_certificate");
  if (iequals(s.tls.certificate, "none")) s.tls.certificate.clear();
  s.tls.key = text("tls_key");
  s.tls.ca = text("tls_ca");
  const config::Resolved verify = config.resolve(key, "tls_verify");
  s.tls.verify = verify.is_default() || !iequals(verify.value->as_string(), "no");

  std::string bind = text("bind_address");
  if (bind.size() >= 2 && bind.front() == '[' && bind.back() == ']') bind = bind.substr(1, bind.size() - 2);
  if (!bind.empty() && bind != "*") {
    auto ip = config::parse_ip(bind);
    if (!ip) return fail("bind_address \"" + bind + "\" is not an IP address (host names are not resolved)");
    s.bind_address = ip->str();
  }

  s.address_policy.use_ipv6 = config.global("use_ipv6").as_bool();
  s.address_policy.prefer_ipv6_mxs = config.global("prefer_ipv6_mxs").as_bool();
  s.connect_timeout = seconds("connect_timeout");
  s.idle_timeout = seconds("idle_timeout");
  s.response_timeout = std::chrono::milliseconds(std::max<std::int64_t>(value("delivery_response_timeout").as_int(), 1));
  s.max_deliveries_per_connection = static_cast<std::uint32_t>(std::clamp<std::int64_t>(
      value("max_deliveries_per_connection").as_int(), 0, std::numeric_limits<std::uint32_t>::max()));
  s.credentials_hold = std::chrono::seconds(std::max<std::int64_t>(value("host_failure_retry").as_int(), 1));
  return s;
}

}  // namespace impulse::delivery::gcm

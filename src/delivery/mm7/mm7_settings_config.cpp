// Implementation of delivery/mm7/mm7_settings_config.hpp.
#include "delivery/mm7/mm7_settings_config.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "base/strings.hpp"
#include "config/net.hpp"

namespace impulse::delivery::mm7 {

namespace {

Result<std::vector<int>> codes(const std::vector<std::string>& list, std::string_view option) {
  std::vector<int> out;
  for (const auto& item : list) {
    int code = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), code);
    if (item.empty() || ec != std::errc{} || end != item.data() + item.size() || code < 0)
      return fail(std::string(option) + ": \"" + item + "\" is not a status code");
    out.push_back(code);
  }
  return out;
}

}  // namespace

Result<Mm7Settings> mm7_settings_from_config(const config::Config& config, const config::OutboundKey& key) {
  auto value = [&](std::string_view option) -> const config::OptionValue& { return *config.resolve(key, option).value; };
  auto text = [&](std::string_view option) -> const std::string& { return value(option).as_string(); };
  auto seconds = [&](std::string_view option) {
    return std::chrono::milliseconds(
        std::clamp<std::int64_t>(value(option).as_int(), 0, std::numeric_limits<std::int32_t>::max()) * 1000);
  };

  Mm7Settings s;
  s.namespace_uri = text("mm7_namespace");
  if (s.namespace_uri.empty()) s.namespace_uri = text("mm7_xml_schema");
  s.soap_env = text("mm7_soap_env");
  if (s.soap_env.empty()) s.soap_env = "env";
  s.version = text("mm7_version");
  s.vaspid = text("mm7_vaspid");
  s.vasid = text("mm7_vasid");
  s.sender_address = text("mm7_sender_address");
  s.service_code = text("mm7_service_code");
  s.message_class = text("mm7_message_class");
  s.delivery_report = value("mm7_delivery_report").as_bool();
  s.read_reply = value("mm7_read_reply").as_bool();
  s.number_prefix = text("mm7_number_prefix");
  auto permanent = codes(value("mm7_permanent_status_codes").as_list(), "mm7_permanent_status_codes");
  if (!permanent) return unexpected(permanent.error());
  auto temporary = codes(value("mm7_temporary_status_codes").as_list(), "mm7_temporary_status_codes");
  if (!temporary) return unexpected(temporary.error());
  s.overrides = {std::move(*permanent), std::move(*temporary)};

  s.http_uri = text("http_uri");
  s.http_host = text("http_host");
  s.basic_auth = text("http_basic_auth");
  if (!s.basic_auth.empty() && s.basic_auth.find(':') == std::string::npos)
    return fail("http_basic_auth must be \"user:password\"");
  s.tls_required = iequals(text("tls"), "required");
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

  s.connect_timeout = seconds("connect_timeout");
  s.idle_timeout = seconds("idle_timeout");
  s.response_timeout = std::max(seconds("mm7_response_timer"), std::chrono::milliseconds(1000));
  s.max_deliveries_per_connection = static_cast<std::uint32_t>(std::clamp<std::int64_t>(
      value("max_deliveries_per_connection").as_int(), 0, std::numeric_limits<std::uint32_t>::max()));
  s.credentials_hold = std::chrono::seconds(std::max<std::int64_t>(value("host_failure_retry").as_int(), 1));
  s.message_expiration = std::chrono::seconds(std::max<std::int64_t>(value("message_expiration").as_int(), 1));
  return s;
}

}  // namespace impulse::delivery::mm7

// Implementation of delivery/smtp/smtp_settings_config.hpp.
#include "delivery/smtp/smtp_settings_config.hpp"

#include <algorithm>
#include <limits>
#include <optional>

#include "base/strings.hpp"
#include "config/net.hpp"
#include "routing/delivery_method.hpp"

namespace impulse::delivery::smtp {
namespace {

const config::OptionValue& value_of(const config::Config& config, const config::OutboundKey& key,
                                    std::string_view option) {
  return *config.resolve(key, option).value;
}

std::chrono::milliseconds seconds_of(const config::Config& config, const config::OutboundKey& key,
                                     std::string_view option) {
  const std::int64_t s = std::clamp<std::int64_t>(value_of(config, key, option).as_int(), 0,
                                                  std::numeric_limits<std::int64_t>::max() / 1000);
  return std::chrono::milliseconds(s * 1000);
}

std::uint32_t u32_of(const config::Config& config, const config::OutboundKey& key, std::string_view option) {
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(value_of(config, key, option).as_int(), 0,
                                                             std::numeric_limits<std::uint32_t>::max()));
}

}  // namespace

Result<SmtpSettings> smtp_settings_from_config(const config::Config& config, const config::OutboundKey& key) {
  SmtpSettings s;
  auto text = [&](std::string_view option) -> const std::string& { return value_of(config, key, option).as_string(); };

  const std::string& method = text("delivery_method");
  const std::optional<routing::DeliveryMethod> parsed = routing::parse_delivery_method(method);
  if (parsed == routing::DeliveryMethod::Esmtp) {
    s.protocol = SessionProtocol::kEsmtp;
  } else if (parsed == routing::DeliveryMethod::Smtp) {
    s.protocol = SessionProtocol::kSmtp;
  } else if (parsed == routing::DeliveryMethod::Lmtp) {
    s.protocol = SessionProtocol::kLmtp;
  } else {
    return fail("delivery_method " + method + " is not delivered by the SMTP client");
  }

  const std::string& ehlo = text("ehlo_hostname");
  if (ehlo.empty() || iequals(ehlo, "__hostname__")) {
    s.ehlo_hostname = local_hostname();
  } else if (iequals(ehlo, "__message__")) {
    s.ehlo_hostname = local_hostname();  // used when the sender has no domain
    s.ehlo_from_sender = true;
  } else {
    s.ehlo_hostname = ehlo;
  }

  std::string bind = text("bind_address");
  if (bind == "*" || bind.empty()) {
    s.bind_address.clear();
  } else {
    if (bind.size() >= 2 && bind.front() == '[' && bind.back() == ']') bind = bind.substr(1, bind.size() - 2);
    auto ip = config::parse_ip(bind);
    if (!ip) return fail("bind_address \"" + bind + "\" is not an IP address (host names are not resolved)");
    s.bind_address = ip->str();
  }

  const std::string& tls = text("tls");
  s.tls = iequals(tls, "required") ? TlsMode::kRequired : iequals(tls, "ifavailable") ? TlsMode::kIfAvailable : TlsMode::kNo;
  const std::string& verify = text("tls_verify");
  s.tls_verify = iequals(verify, "ca")         ? TlsVerify::kCa
                 : iequals(verify, "host")     ? TlsVerify::kHost
                 : iequals(verify, "optional") ? TlsVerify::kOptional
                                               : TlsVerify::kNo;
  s.tls_ca = text("tls_ca");
  s.tls_certificate = text("tls_certificate");
  if (iequals(s.tls_certificate, "none")) s.tls_certificate.clear();
  s.tls_key = text("tls_key");
  s.tls_ciphers = text("tls_ciphers");
  s.tls_ifavailable_fallback = value_of(config, key, "tls_ifavailable_fallback").as_bool();

  const std::string& xclient = text("xclient");
  s.xclient = iequals(xclient, "required")      ? XclientMode::kRequired
              : iequals(xclient, "ifavailable") ? XclientMode::kIfAvailable
                                                : XclientMode::kNo;
  s.send_8bitmime = iequals(text("send_8bitmime"), "ifavailable");
  s.auth_type = text("outbound_smtp_auth_type");
  s.auth_user = text("outbound_smtp_auth_user");
  s.auth_pass = text("outbound_smtp_auth_pass");

  s.max_recipients_per_batch = std::max<std::uint32_t>(u32_of(config, key, "max_recipients_per_batch"), 1);
  s.max_deliveries_per_connection = u32_of(config, key, "max_deliveries_per_connection");

  s.timeouts.connect = seconds_of(config, key, "connect_timeout");
  s.timeouts.ehlo = seconds_of(config, key, "ehlo_timeout");
  s.timeouts.mailfrom = seconds_of(config, key, "mailfrom_timeout");
  s.timeouts.rcptto = seconds_of(config, key, "rcptto_timeout");
  s.timeouts.body = seconds_of(config, key, "body_timeout");
  s.timeouts.rset = seconds_of(config, key, "rset_timeout");
  s.timeouts.idle = seconds_of(config, key, "idle_timeout");
  return s;
}

}  // namespace impulse::delivery::smtp

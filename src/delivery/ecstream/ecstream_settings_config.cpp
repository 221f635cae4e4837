// Implementation of delivery/ecstream/ecstream_settings_config.hpp.
#include "delivery/ecstream/ecstream_settings_config.hpp"

#include <algorithm>
#include <limits>

#include "base/hostname.hpp"
#include "base/strings.hpp"
#include "config/net.hpp"
#include "routing/delivery_method.hpp"

namespace impulse::delivery::ecstream {
namespace {

std::chrono::milliseconds seconds_of(const config::OptionValue& v) {
  return std::chrono::milliseconds(
      std::clamp<std::int64_t>(v.as_int(), 0, std::numeric_limits<std::int64_t>::max() / 1000) * 1000);
}

}  // namespace

Result<EcstreamSettings> ecstream_settings_from_config(const config::Config& config, const config::OutboundKey& key) {
  auto value = [&](std::string_view option) -> const config::OptionValue& { return *config.resolve(key, option).value; };
  auto text = [&](std::string_view option) -> const std::string& { return value(option).as_string(); };
  EcstreamSettings s;
  if (routing::parse_delivery_method(text("delivery_method")) != routing::DeliveryMethod::Ecstream)
    return fail("delivery_method " + text("delivery_method") + " is not delivered by the ECSTREAM client");

  const std::string& ehlo = text("ehlo_hostname");
  s.hostname = ehlo.empty() || iequals(ehlo, "__hostname__") || iequals(ehlo, "__message__") ? local_hostname() : ehlo;
  std::string bind = text("bind_address");
  if (bind != "*" && !bind.empty()) {
    if (bind.size() >= 2 && bind.front() == '[' && bind.back() == ']') bind = bind.substr(1, bind.size() - 2);
    auto ip = config::parse_ip(bind);
    if (!ip) return fail("bind_address \"" + bind + "\" is not an IP address (host names are not resolved)");
    s.bind_address = ip->str();
  }
  s.timeout = seconds_of(value("ecstream_timeout"));
  if (s.timeout.count() == 0) s.timeout = std::chrono::milliseconds(600'000);
  s.idle = seconds_of(value("idle_timeout"));
  s.max_deliveries_per_connection = static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(value("max_deliveries_per_connection").as_int(), 0, std::numeric_limits<std::uint32_t>::max()));

  const std::string& tls = text("tls");
  s.tls = iequals(tls, "required") ? smtp::TlsMode::kRequired
          : iequals(tls, "ifavailable") ? smtp::TlsMode::kIfAvailable
                                        : smtp::TlsMode::kNo;
  const std::string& verify = text("tls_verify");
  s.tls_verify = iequals(verify, "ca")         ? smtp::TlsVerify::kCa
                 : iequals(verify, "host")     ? smtp::TlsVerify::kHost
                 : iequals(verify, "optional") ? smtp::TlsVerify::kOptional
                                               : smtp::TlsVerify::kNo;
  s.tls_ca = text("tls_ca");
  s.tls_certificate = text("tls_certificate");
  if (iequals(s.tls_certificate, "none")) s.tls_certificate.clear();
  s.tls_key = text("tls_key");
  s.tls_ciphers = text("tls_ciphers");
  s.tls_ifavailable_fallback = value("tls_ifavailable_fallback").as_bool();
  return s;
}

smtp::SmtpSettings tls_options(const EcstreamSettings& s) {
  smtp::SmtpSettings o;
  o.tls = s.tls;
  o.tls_verify = s.tls_verify;
  o.tls_ca = s.tls_ca;
  o.tls_certificate = s.tls_certificate;
  o.tls_key = s.tls_key;
  o.tls_ciphers = s.tls_ciphers;
  return o;
}

}  // namespace impulse::delivery::ecstream

// Implementation of delivery/smtp/mta_sts_gate.hpp.
#include "delivery/smtp/mta_sts_gate.hpp"

#include "dns/dns_name.hpp"

namespace impulse::delivery::smtp {

using boost::asio::awaitable;

bool mta_sts_enabled(const config::Config& config, const config::OutboundKey& key) {
  auto on = [&](std::string_view option) {
    const auto resolved = config.resolve(key, option);
    return resolved.value != nullptr && resolved.value->as_bool();
  };
  return on("use_mta_sts") && on("enable_mta_sts");
}

SmtpSettings mta_sts_tls_basis(const SmtpSettings& smtp) {
  SmtpSettings basis = smtp;
  basis.tls_verify = stricter(basis.tls_verify, TlsVerify::kOptional);
  basis.tls_context = nullptr;
  return basis;
}

std::string mta_sts_testing_note(const protocol::MtaStsPolicy& policy, const std::string& domain,
                                 const std::string& host) {
  if (policy.mode != protocol::MtaStsMode::kTesting || protocol::mta_sts_mx_matches(policy, host)) return {};
  return "MTA-STS " + domain + ": testing mode: " + dns::display_name(host) + " not in policy for " + domain +
         " (enforce would refuse it); delivering as configured";
}

std::string mta_sts_testing_tls_note(const std::string& domain, const std::string& host, bool tls_active,
                                     const std::string& certificate_problem) {
  std::string what;
  if (!tls_active) {
    what = "no TLS";
  } else if (!certificate_problem.empty()) {
    what = certificate_problem;
  } else {
    return {};
  }
  return "MTA-STS " + domain + ": testing mode: " + dns::display_name(host) + ": " + what +
         " (enforce would refuse it); delivering as configured";
}

http1::Http1TlsContextPtr MtaStsGate::fetch_tls(const config::ConfigPtr& config, const std::string& ca) {
  if (config != tls_config_) {
    fetch_tls_.clear();
    tls_config_ = config;
  }
  if (auto it = fetch_tls_.find(ca); it != fetch_tls_.end()) return it->second;
  http1::Http1TlsContextPtr built;
  if (auto made = http1::make_http1_tls_context(http1::Http1TlsOptions{true, ca, {}, {}})) {
    built = std::move(*made);
  } else {
    runtime::report(problems_, "MTA-STS: no TLS context for policy fetches: " + made.error().message);
  }
  fetch_tls_.emplace(ca, built);
  return built;
}

std::shared_ptr<const MtaStsSettings> MtaStsGate::settings(const config::ConfigPtr& config,
                                                           const config::OutboundKey& key, const SmtpSettings& smtp) {
  if (!config || key.domain.empty() || !mta_sts_enabled(*config, key)) return nullptr;
  auto made = std::make_shared<MtaStsSettings>();
  made->query.domain = dns::display_name(key.domain);
  made->query.store_dir = config->global("mta_sts_policy_store").as_string();
  made->query.tls = fetch_tls(config, smtp.tls_ca);
  made->query.timeout = smtp.timeouts.connect;
  made->query.addresses.use_ipv6 = config->global("use_ipv6").as_bool();
  made->query.addresses.prefer_ipv6_mxs = config->global("prefer_ipv6_mxs").as_bool();
  return made;
}

awaitable<std::optional<MtaStsRequirement>> MtaStsGate::requirement(const MtaStsSettings& settings,
                                                                    const SmtpSettings& smtp,
                                                                    const std::string& host) {
  if (resolver_ == nullptr || !policies_) co_return std::nullopt;
  const std::optional<protocol::MtaStsPolicy> policy = co_await policies_->policy(*resolver_, settings.query);
  if (!policy) co_return std::nullopt;
  const std::string& domain = settings.query.domain;
  if (std::string note = mta_sts_testing_note(*policy, domain, host); !note.empty()) runtime::report(problems_, note);
  co_return MtaStsRequirement{apply_mta_sts(&*policy, smtp.tls, smtp.tls_verify, domain, host),
                              policy->mode == protocol::MtaStsMode::kTesting,
                              policy->mode == protocol::MtaStsMode::kEnforce};
}

void MtaStsGate::after_testing_open(const MtaStsSettings& settings, const std::string& host, bool tls_active,
                                    const std::string& certificate_problem) {
  if (std::string note = mta_sts_testing_tls_note(settings.query.domain, host, tls_active, certificate_problem);
      !note.empty())
    runtime::report(problems_, note);
}

}  // namespace impulse::delivery::smtp

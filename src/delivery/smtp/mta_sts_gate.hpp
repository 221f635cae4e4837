// MTA-STS at the SMTP transport (RFC 8461 §4-§5; SPEC §19 use_mta_sts;
// reference/momentum.md §3): one MtaStsGate per SMTP transport (per loop).
//
//   settings()     per (binding, domain) and snapshot: null unless
//                  use_mta_sts (domain, global) and enable_mta_sts
//                  (binding ... global) are both true; else what a policy
//                  query needs: the domain, mta_sts_policy_store, the TLS
//                  context for the HTTPS fetch (tls_ca or the system store,
//                  always verified), connect_timeout, use_ipv6.
//   requirement()  before connecting to an MX host: the policy in force
//                  (MtaStsPolicies: cached, or fetched while the first
//                  delivery waits) made into a TlsRequirement
//                  (mta_sts_tls.hpp: enforce = tls required + tls_verify
//                  host, an MX outside the policy refused; testing = at
//                  least ifavailable + optional; none = the configuration);
//                  nullopt when no policy is in force. In testing mode an
//                  MX outside the policy is logged (problem sink) as what
//                  enforce would have refused, and delivery goes on;
//                  after_testing_open() logs the same for a connection
//                  without TLS or with a certificate that failed.
// The caller hands the requirement to host_tls() (host_tls.hpp), where DANE
// and MTA-STS meet the configured tls (DANE wins).
// mta_sts_tls_basis(): the settings the transport builds its TLS context
// from when MTA-STS is on, so that a policy raising tls_verify finds the
// CA bundle loaded.
//
// Leaves to others: the policy cache and fetch (mta_sts_policies,
// mta_sts_fetch), the refusal's outcome (session_outcome), the handshake.
// Executor: the transport's loop; no locks of its own. Failures: a fetch
// that fails leaves the cached policy or none (see MtaStsPolicies); a TLS
// context for the fetch that cannot be built is reported and no policy is
// fetched for that queue.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "delivery/smtp/mta_sts_policies.hpp"
#include "delivery/smtp/mta_sts_tls.hpp"
#include "delivery/smtp/smtp_settings.hpp"
#include "runtime/spawn.hpp"

namespace impulse::delivery::smtp {

// use_mta_sts (domain, global) and enable_mta_sts (binding ... global) both true.
bool mta_sts_enabled(const config::Config& config, const config::OutboundKey& key);

// `smtp` with tls_verify raised to at least `optional` (the CA bundle is
// loaded; checks still follow the connection's own tls_verify).
SmtpSettings mta_sts_tls_basis(const SmtpSettings& smtp);

// What the testing mode logs for `host`, or "" when enforce would accept it.
std::string mta_sts_testing_note(const protocol::MtaStsPolicy& policy, const std::string& domain,
                                 const std::string& host);

// What enforce would have refused of a connection made under a testing
// policy: "" when nothing (TLS up, certificate verified for the MX host).
std::string mta_sts_testing_tls_note(const std::string& domain, const std::string& host, bool tls_active,
                                     const std::string& certificate_problem);

struct MtaStsSettings {
  MtaStsQuery query;
};

// The requirement of the policy in force, and whether it is a testing one.
struct MtaStsRequirement {
  TlsRequirement tls;
  bool testing = false;
  // enforce: the certificate must name the MX host itself (RFC 8461 §4.2);
  // the queue's domain, which tls_verify = host also accepts, does not count.
  bool enforce = false;
};

class MtaStsGate {
 public:
  MtaStsGate(std::shared_ptr<MtaStsPolicies> policies, runtime::ProblemSink problems)
      : policies_(std::move(policies)), problems_(std::move(problems)) {}

  // The loop's resolver (Transport::use_resolver); without one no policy is looked up.
  void use_resolver(dns::Resolver& resolver) { resolver_ = &resolver; }

  std::shared_ptr<const MtaStsSettings> settings(const config::ConfigPtr& config, const config::OutboundKey& key,
                                                 const SmtpSettings& smtp);

  // Arguments: named objects that outlive the coroutine (g++ 12).
  boost::asio::awaitable<std::optional<MtaStsRequirement>> requirement(const MtaStsSettings& settings,
                                                                       const SmtpSettings& smtp,
                                                                       const std::string& host);

  // After a connection opened under a testing policy: logs what enforce
  // would have refused (no TLS, a certificate that failed the checks).
  void after_testing_open(const MtaStsSettings& settings, const std::string& host, bool tls_active,
                          const std::string& certificate_problem);

 private:
  http1::Http1TlsContextPtr fetch_tls(const config::ConfigPtr& config, const std::string& ca);

  std::shared_ptr<MtaStsPolicies> policies_;
  runtime::ProblemSink problems_;
  dns::Resolver* resolver_ = nullptr;
  config::ConfigPtr tls_config_;  // the snapshot fetch_tls_ was built for
  std::map<std::string, http1::Http1TlsContextPtr> fetch_tls_;  // by tls_ca ("" = system store)
};

}  // namespace impulse::delivery::smtp

// Implementation of delivery/smtp/smtp_transport.hpp: SmtpTransport (per
// loop: settings with shared TLS contexts, open) and SmtpSession (one
// SmtpConnection behind the Session interface).
#include "delivery/smtp/smtp_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <limits>

#include "delivery/smtp/dane_lookup.hpp"
#include "delivery/smtp/host_tls.hpp"
#include "delivery/smtp/mta_sts_gate.hpp"
#include "delivery/smtp/smtp_connection.hpp"
#include "delivery/smtp/smtp_settings_config.hpp"
#include "delivery/smtp/tls_context_cache.hpp"
#include "protocol/channel_part_reception.hpp"
#include "spool/message.hpp"

namespace impulse::delivery::smtp {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

std::string sender_domain(const queue::DeliveryJob& job) {
  if (auto parts = spool::split_address(job.sender())) return std::string(parts->domain);
  return {};
}

// The original client for XCLIENT, from what the queue kept of the message.
OriginalClient original_client(const queue::MessageHead& head) {
  OriginalClient client;
  client.addr = head.peer_ip.empty() ? "unknown" : head.peer_ip;
  client.helo = head.helo;
  // The queue keeps whether it came by SMTP, not whether by HELO or EHLO.
  client.proto = head.protocol == spool::Protocol::kEsmtp ? "ESMTP" : "";
  return client;
}

class SmtpSession final : public Session {
 public:
  SmtpSession(std::unique_ptr<SmtpConnection> connection, std::shared_ptr<const SmtpSettings> settings)
      : connection_(std::move(connection)), settings_(std::move(settings)) {}

  std::size_t capacity() const override { return 1; }
  bool reusable() const override { return connection_->reusable(); }
  std::size_t deliveries_left() const override {
    const std::uint32_t max = settings_->max_deliveries_per_connection;
    if (max == 0) return std::numeric_limits<std::size_t>::max();
    const std::uint32_t done = connection_->deliveries();
    return max > done ? max - done : 0;
  }

  awaitable<queue::AttemptResult> deliver(const queue::DeliveryJob& job, spool::Body body) override {
    SmtpJob smtp_job;
    smtp_job.sender = job.sender();
    smtp_job.recipients.reserve(job.recipients.size());
    for (const auto& r : job.recipients) smtp_job.recipients.push_back(r.address);
    // An MCMT message accepted under MCMT_Reception allow (or over the HTTP
    // API or ECSTREAM, which always allow): email recipients get its
    // message/rfc822 part only (SPEC §11).
    const bool always_allow = job.message->protocol == spool::Protocol::kRest ||
                              job.message->protocol == spool::Protocol::kEcstream;
    if (auto email = body ? protocol::email_body_for(*body, always_allow) : std::nullopt)
      body = std::make_shared<const std::string>(std::move(*email));
    smtp_job.body = std::move(body);
    smtp_job.client = original_client(*job.message);
    smtp_job.smtputf8 = job.message->smtputf8();
    smtp_job.dsn_ret = job.message->dsn_ret();
    smtp_job.dsn_envid = job.message->dsn_envid();
    for (const auto& r : job.recipients) {
      smtp_job.dsn_notify.push_back(job.message->notify_of(r.index));
      smtp_job.dsn_orcpt.emplace_back(job.message->orcpt_of(r.index));
    }
    co_return co_await connection_->deliver(smtp_job);
  }

  awaitable<SessionIdleEnd> idle() override {
    // Awaited into a variable first: g++ 12 miscompiles co_await in a
    // switch condition.
    const IdleEnd end = co_await connection_->idle();
    SessionIdleEnd mapped = SessionIdleEnd::kClosed;
    if (end == IdleEnd::kWoken) mapped = SessionIdleEnd::kWoken;
    if (end == IdleEnd::kTimedOut) mapped = SessionIdleEnd::kTimedOut;
    co_return mapped;
  }
  void wake() override { connection_->wake(); }
  awaitable<void> close() override { co_await connection_->close(); }

 private:
  std::unique_ptr<SmtpConnection> connection_;
  std::shared_ptr<const SmtpSettings> settings_;
};

class SmtpTransport final : public Transport {
 public:
  SmtpTransport(asio::io_context& io, SmtpSettingsSource source, std::shared_ptr<MtaStsPolicies> mta_sts,
                runtime::ProblemSink problems)
      : io_(io), source_(std::move(source)), mta_sts_(std::move(mta_sts), std::move(problems)) {}

  Result<MethodSettingsPtr> settings(const config::ConfigPtr& config, const config::OutboundKey& key) override {
    if (!config) return fail("no configuration");
    auto smtp = source_ ? source_(*config, key) : smtp_settings_from_config(*config, key);
    if (!smtp) return unexpected(smtp.error());
    const bool dane = dane_enabled(*config, key);
    auto mta_sts = mta_sts_.settings(config, key, *smtp);  // null: MTA-STS off for this queue
    if ((smtp->tls != TlsMode::kNo || dane || mta_sts) && !smtp->tls_context)
      smtp->tls_context = tls_contexts_.get(config, mta_sts ? mta_sts_tls_basis(*smtp) : *smtp);
    auto made = std::make_shared<SmtpMethodSettings>();
    made->mta_sts = std::move(mta_sts);
    made->dane = dane;
    made->max_deliveries_per_session = smtp->max_deliveries_per_connection;
    made->smtp = std::make_shared<const SmtpSettings>(std::move(*smtp));
    return MethodSettingsPtr(std::move(made));
  }

  awaitable<SessionOpenResult> open(const SessionTarget& where, const MethodSettingsPtr& settings,
                                    const queue::DeliveryJob& first) override {
    const auto& method = static_cast<const SmtpMethodSettings&>(*settings);
    auto smtp = method.smtp;
    SmtpTarget target{where.target.host, where.target.address_text(), where.target.port, where.key.domain};
    if (where.target.unix_socket()) {
      // A local socket: the peer is this machine ("localhost" for TLS names
      // and the DSN's Remote-MTA); address (the logs' remote_ip) is the path.
      target.host = "localhost";
      target.unix_socket = true;
    }
    // The TLS this host requires (host_tls.hpp: DANE, else MTA-STS, else
    // the configuration). MTA-STS: pass its TlsRequirement as the last
    // argument of host_tls() here.
    std::shared_ptr<const DaneVerdict> dane;
    if (method.dane && !target.unix_socket) dane = co_await dane_for(where, *smtp);
    std::optional<MtaStsRequirement> mta_sts;  // the policy in force (mta_sts_gate.hpp), if any
    if (method.mta_sts && !target.unix_socket) mta_sts = co_await mta_sts_.requirement(*method.mta_sts, *smtp, target.host);
    const HostTls required = host_tls(smtp->tls, smtp->tls_verify, dane, mta_sts ? &mta_sts->tls : nullptr);
    if (required.refused) {
      // Stage 17 (TLS set-up), not 0: a stage-0 open failure is reported by
      // the connection manager as "no MXs could be reached", losing the reason.
      const SessionFailure failure = dane_failure(Phase::kTlsHandshake, required.reason);
      co_return impulse::unexpected(
          SessionOpenFailure{map_failure(failure, OutcomeContext{target.address, target.host, 0}), required.reason});
    }
    if (required.tls != smtp->tls || required.verify != smtp->tls_verify) {
      auto stricter = std::make_shared<SmtpSettings>(*smtp);
      stricter->tls = required.tls;
      stricter->tls_verify = required.verify;
      smtp = std::move(stricter);
    }
    target.dane = required.dane;
    if (mta_sts && mta_sts->enforce && !required.dane) target.domain.clear();  // the MX host name only
    std::string ehlo_domain;
    if (smtp->ehlo_from_sender) ehlo_domain = sender_domain(first);
    auto opened = co_await SmtpConnection::open(io_.get_executor(), std::move(target), smtp, std::move(ehlo_domain));
    if (!opened)
      co_return impulse::unexpected(SessionOpenFailure{std::move(opened.error().outcome), std::move(opened.error().detail)});
    if (mta_sts && mta_sts->testing && !required.dane)
      mta_sts_.after_testing_open(*method.mta_sts, where.target.host, (*opened)->tls_active(),
                                  (*opened)->certificate_problem());
    co_return std::unique_ptr<Session>(std::make_unique<SmtpSession>(std::move(*opened), std::move(smtp)));
  }

  // The loop's resolver (DANE's TLSA lookups; MTA-STS's TXT lookups may share it).
  void use_resolver(dns::Resolver& resolver) override {
    resolver_ = &resolver;
    mta_sts_.use_resolver(resolver);
  }

 private:
  // This host's DANE verdict: cached, else looked up under connect_timeout.
  awaitable<std::shared_ptr<const DaneVerdict>> dane_for(const SessionTarget& where, const SmtpSettings& smtp) {
    const DaneQuery query{where.key.domain, where.target.host, where.target.port, where.target.address.v6};
    const auto now = std::chrono::steady_clock::now();
    if (auto cached = dane_cache_.find(query, now)) co_return cached;
    auto verdict = std::make_shared<const DaneVerdict>(co_await lookup_dane(resolver_, query, now + smtp.timeouts.connect));
    dane_cache_.put(query, verdict, std::chrono::steady_clock::now());
    co_return verdict;
  }

  asio::io_context& io_;
  SmtpSettingsSource source_;
  TlsContextCache tls_contexts_;  // shared by every queue of this loop
  dns::Resolver* resolver_ = nullptr;  // use_resolver(); null in tests without DNS
  DaneCache dane_cache_;               // TLSA verdicts of this loop, by (domain, host, port)
  MtaStsGate mta_sts_;                 // MTA-STS policies (shared by every loop) applied per connection
};

}  // namespace

TransportFactory smtp_transport_factory(SmtpSettingsSource source, std::function<void(std::string_view)> problems) {
  // One MTA-STS policy cache for the daemon: every loop's transport shares it.
  auto unix_now = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  auto mta_sts = std::make_shared<MtaStsPolicies>(unix_now, problems);
  return [source = std::move(source), mta_sts, problems](asio::io_context& io) -> std::unique_ptr<Transport> {
    return std::make_unique<SmtpTransport>(io, source, mta_sts, problems);
  };
}

}  // namespace impulse::delivery::smtp

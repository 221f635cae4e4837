// Implementation of delivery/smtp/smtp_transport.hpp: SmtpTransport (per
// loop: settings with shared TLS contexts, open) and SmtpSession (one
// SmtpConnection behind the Session interface).
#include "delivery/smtp/smtp_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <limits>

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
  SmtpTransport(asio::io_context& io, SmtpSettingsSource source) : io_(io), source_(std::move(source)) {}

  Result<MethodSettingsPtr> settings(const config::ConfigPtr& config, const config::OutboundKey& key) override {
    if (!config) return fail("no configuration");
    auto smtp = source_ ? source_(*config, key) : smtp_settings_from_config(*config, key);
    if (!smtp) return unexpected(smtp.error());
    if (smtp->tls != TlsMode::kNo && !smtp->tls_context) smtp->tls_context = tls_contexts_.get(config, *smtp);
    auto made = std::make_shared<SmtpMethodSettings>();
    made->max_deliveries_per_session = smtp->max_deliveries_per_connection;
    made->smtp = std::make_shared<const SmtpSettings>(std::move(*smtp));
    return MethodSettingsPtr(std::move(made));
  }

  awaitable<SessionOpenResult> open(const SessionTarget& where, const MethodSettingsPtr& settings,
                                    const queue::DeliveryJob& first) override {
    auto smtp = static_cast<const SmtpMethodSettings&>(*settings).smtp;
    SmtpTarget target{where.target.host, where.target.address_text(), where.target.port, where.key.domain};
    if (where.target.unix_socket()) {
      // A local socket: the peer is this machine ("localhost" for TLS names
      // and the DSN's Remote-MTA); address (the logs' remote_ip) is the path.
      target.host = "localhost";
      target.unix_socket = true;
    }
    std::string ehlo_domain;
    if (smtp->ehlo_from_sender) ehlo_domain = sender_domain(first);
    auto opened = co_await SmtpConnection::open(io_.get_executor(), std::move(target), smtp, std::move(ehlo_domain));
    if (!opened)
      co_return impulse::unexpected(SessionOpenFailure{std::move(opened.error().outcome), std::move(opened.error().detail)});
    co_return std::unique_ptr<Session>(std::make_unique<SmtpSession>(std::move(*opened), std::move(smtp)));
  }

 private:
  asio::io_context& io_;
  SmtpSettingsSource source_;
  TlsContextCache tls_contexts_;  // shared by every queue of this loop
};

}  // namespace

TransportFactory smtp_transport_factory(SmtpSettingsSource source) {
  return [source = std::move(source)](asio::io_context& io) -> std::unique_ptr<Transport> {
    return std::make_unique<SmtpTransport>(io, source);
  };
}

}  // namespace impulse::delivery::smtp

// SmtpConnection, part 1: opening the session (connect, banner, EHLO/HELO/
// LHLO, STARTTLS), idling, closing and the I/O helpers. Delivery of a job
// is in smtp_delivery.cpp.
#include "delivery/smtp/smtp_connection.hpp"

#include <boost/asio.hpp>

#include "delivery/smtp/command_format.hpp"
#include "delivery/smtp/dane_policy.hpp"
#include "delivery/smtp/dane_tls.hpp"
#include "delivery/smtp/tls_client.hpp"

namespace impulse::delivery::smtp {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

Deadline after(std::chrono::milliseconds timeout) { return std::chrono::steady_clock::now() + timeout; }

}  // namespace

SmtpConnection::SmtpConnection(asio::any_io_executor executor, SmtpTarget target,
                               std::shared_ptr<const SmtpSettings> settings, std::string ehlo_name)
    : executor_(executor),
      target_(std::move(target)),
      settings_(std::move(settings)),
      tls_context_(settings_->tls_context),
      ehlo_name_(std::move(ehlo_name)),
      stream_(executor) {}

SmtpConnection::~SmtpConnection() = default;

awaitable<SmtpConnection::OpenResult> SmtpConnection::open(asio::any_io_executor executor, SmtpTarget target,
                                                           std::shared_ptr<const SmtpSettings> settings,
                                                           std::string sender_domain) {
  std::string ehlo = settings->ehlo_hostname;
  if (settings->ehlo_from_sender && !sender_domain.empty()) ehlo = sender_domain;
  if (ehlo.empty()) ehlo = "localhost";

  auto make = [&] {
    return std::unique_ptr<SmtpConnection>(new SmtpConnection(executor, target, settings, ehlo));
  };
  auto conn = make();
  std::optional<SessionFailure> failure;
  Establish result = co_await conn->establish(true, failure);
  if (result == Establish::kRetryPlain) {
    // tls = ifavailable with tls_ifavailable_fallback: same attempt, plain text.
    std::shared_ptr<const TlsClientContext> built = conn->tls_context_;
    conn = make();
    conn->tls_context_ = std::move(built);
    failure.reset();
    result = co_await conn->establish(false, failure);
  }
  if (result == Establish::kDone) co_return OpenResult(std::move(conn));
  if (!failure) failure = SessionFailure{Phase::kConnect, FailureKind::kConnectFailed, {}, "connection set-up failed"};
  OpenFailure out{map_failure(*failure, conn->context(conn->stream_.bytes_written())), failure->detail};
  if (out.detail.empty() && failure->kind == FailureKind::kRejected) out.detail = failure->reply;
  co_return impulse::unexpected<OpenFailure>(std::move(out));
}

awaitable<SmtpConnection::Establish> SmtpConnection::establish(bool allow_tls,
                                                                std::optional<SessionFailure>& failure) {
  const auto& t = settings_->timeouts;
  if (target_.unix_socket) {
    // A local server (LMTP to Dovecot/Cyrus): no source address to bind.
    const IoResult io = co_await stream_.connect_local(target_.address, after(t.connect));
    if (!io.ok()) {
      const bool timed_out = io.status == IoStatus::kTimedOut;
      failure = SessionFailure{Phase::kConnect, timed_out ? FailureKind::kConnectTimeout : FailureKind::kConnectFailed,
                               {},
                               "connect to " + target_.address + ": " +
                                   (timed_out ? std::string("timed out") : io.error.message())};
      stream_.close();
      co_return Establish::kFailed;
    }
    co_return co_await greet(allow_tls, failure);
  }
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(target_.address, ec);
  if (ec) {
    failure = SessionFailure{Phase::kConnect, FailureKind::kConnectFailed, {},
                             "not an IP address: \"" + target_.address + "\""};
    co_return Establish::kFailed;
  }
  std::optional<asio::ip::address> source;
  if (!settings_->bind_address.empty()) {
    source = asio::ip::make_address(settings_->bind_address, ec);
    if (ec) {
      failure = SessionFailure{Phase::kConnect, FailureKind::kConnectFailed, {},
                               "bind_address is not an IP address: \"" + settings_->bind_address + "\""};
      co_return Establish::kFailed;
    }
    if (source->is_v4() != ip.is_v4()) {
      failure = SessionFailure{Phase::kConnect, FailureKind::kConnectFailed, {},
                               "bind_address " + settings_->bind_address + " cannot reach " + target_.address};
      co_return Establish::kFailed;
    }
  }

  const IoResult io = co_await stream_.connect(asio::ip::tcp::endpoint(ip, target_.port), source, after(t.connect));
  if (!io.ok()) {
    const bool timed_out = io.status == IoStatus::kTimedOut;
    failure = SessionFailure{Phase::kConnect, timed_out ? FailureKind::kConnectTimeout : FailureKind::kConnectFailed,
                             {},
                             "connect to " + target_.address + ":" + std::to_string(target_.port) + ": " +
                                 (timed_out ? std::string("timed out") : io.error.message())};
    stream_.close();
    co_return Establish::kFailed;
  }
  co_return co_await greet(allow_tls, failure);
}

awaitable<SmtpConnection::Establish> SmtpConnection::greet(bool allow_tls, std::optional<SessionFailure>& failure) {
  const auto& t = settings_->timeouts;
  alive_ = true;

  auto banner = co_await read_reply(Phase::kBanner, t.ehlo);
  if (!banner) {
    failure = banner.error();
    co_return Establish::kFailed;
  }
  if (banner->code != 220) {
    // 421 / 554 "no service here": the server still expects QUIT.
    failure = SessionFailure{Phase::kBanner, FailureKind::kRejected, banner->text, {}};
    co_await close();
    co_return Establish::kFailed;
  }
  if (auto f = co_await hello()) {
    failure = std::move(f);
    co_await close();
    co_return Establish::kFailed;
  }
  if (allow_tls && settings_->tls != TlsMode::kNo) {
    const Establish tls = co_await start_tls(failure);
    if (tls != Establish::kDone || !alive_) co_return tls;
  }
  if (auto f = co_await authenticate()) {  // outbound SMTP AUTH (smtp_auth.cpp)
    failure = std::move(f);
    if (alive_) co_await close();
    co_return Establish::kFailed;
  }
  co_return Establish::kDone;
}

awaitable<std::optional<SessionFailure>> SmtpConnection::hello() {
  const auto timeout = settings_->timeouts.ehlo;
  HelloVerb verb = HelloVerb::kEhlo;
  if (settings_->protocol == SessionProtocol::kLmtp) verb = HelloVerb::kLhlo;
  if (settings_->protocol == SessionProtocol::kSmtp) verb = HelloVerb::kHelo;
  caps_ = Capabilities{};
  extensions_ = false;

  if (auto f = co_await send(Phase::kHello, format_hello(verb, ehlo_name_), timeout)) co_return f;
  auto reply = co_await read_reply(Phase::kHello, timeout);
  if (!reply) co_return reply.error();
  if (reply->positive()) {
    if (verb != HelloVerb::kHelo) {
      caps_ = parse_capabilities(reply->lines);
      extensions_ = true;
    }
    co_return std::nullopt;
  }
  if (verb == HelloVerb::kEhlo && reply->permanent()) {
    // SPEC §4: HELO if EHLO is refused with 5xx; no extensions then.
    if (auto f = co_await send(Phase::kHello, format_hello(HelloVerb::kHelo, ehlo_name_), timeout)) co_return f;
    reply = co_await read_reply(Phase::kHello, timeout);
    if (!reply) co_return reply.error();
    if (reply->positive()) co_return std::nullopt;
  }
  co_return SessionFailure{Phase::kHello, FailureKind::kRejected, reply->text, {}};
}

awaitable<SmtpConnection::Establish> SmtpConnection::start_tls(std::optional<SessionFailure>& failure) {
  const bool required = settings_->tls == TlsMode::kRequired;
  const bool fallback = !required && settings_->tls_ifavailable_fallback;
  const auto timeout = settings_->timeouts.ehlo;

  if (!caps_.starttls) {
    if (!required) co_return Establish::kDone;  // ifavailable: plain text
    failure = SessionFailure{Phase::kHello, FailureKind::kStartTlsNotAdvertised, {}, {}};
    co_await close();
    co_return Establish::kFailed;
  }
  if (!tls_context_) {
    auto built = make_tls_client_context(*settings_);
    if (!built) {
      failure = SessionFailure{Phase::kTlsHandshake, FailureKind::kTlsFailed, {}, built.error().message};
      if (fallback) co_return Establish::kDone;  // STARTTLS not sent yet: go on in plain text
      co_await close();
      co_return Establish::kFailed;
    }
    tls_context_ = std::move(*built);
  }

  if (auto f = co_await send(Phase::kStartTls, "STARTTLS\r\n", timeout)) {
    failure = std::move(f);
    co_return Establish::kFailed;
  }
  auto reply = co_await read_reply(Phase::kStartTls, timeout);
  if (!reply) {
    failure = reply.error();
    co_return Establish::kFailed;
  }
  if (reply->code != 220) {
    if (reply->code == 421) {
      failure = SessionFailure{Phase::kStartTls, FailureKind::kRejected, reply->text, {}};
      drop();
      co_return Establish::kFailed;
    }
    if (fallback) co_return Establish::kDone;  // refused; the session goes on in plain text
    failure = SessionFailure{Phase::kStartTls, FailureKind::kRejected, reply->text, {}};
    co_await close();
    co_return Establish::kFailed;
  }
  if (reader_.buffered() != 0) {
    // Bytes after the 220 were sent in plain text but would be read as if
    // they came through TLS: plaintext injection.
    failure = SessionFailure{Phase::kStartTls, FailureKind::kTlsFailed, {}, "data after the 220 to STARTTLS"};
    drop();
    co_return Establish::kFailed;
  }

  // DANE (RFC 7672 §3; host_tls.hpp): SNI names the TLSA base domain and
  // the records go to OpenSSL before the handshake (dane_tls.hpp).
  const DaneVerdict* dane = target_.dane.get();
  const std::string& sni = dane && !dane->names.empty() ? dane->names.front() : target_.host;
  SSL* ssl = stream_.begin_tls(tls_context_->get(), sni);
  std::size_t dane_records = 0;  // 0 under DANE: no usable record, TLS unauthenticated (RFC 7672 §2.2)
  if (dane && !dane->records.empty()) {
    auto added = add_dane_records(ssl, dane->names, dane->records);
    if (!added) {
      failure = SessionFailure{Phase::kTlsHandshake, FailureKind::kTlsFailed, {}, added.error().message};
      drop();
      co_return Establish::kFailed;
    }
    dane_records = *added;
  }
  const IoResult io = co_await stream_.finish_tls(after(timeout));
  if (!io.ok()) {
    failure = SessionFailure{Phase::kTlsHandshake, FailureKind::kTlsFailed, {},
                             io.status == IoStatus::kTimedOut ? std::string("TLS handshake timed out")
                                                              : "TLS handshake: " + io.error.message()};
    drop();
    co_return fallback ? Establish::kRetryPlain : Establish::kFailed;
  }
  if (dane_records > 0 && !dane_verified(stream_.native_tls())) {
    failure = dane_failure(Phase::kTlsHandshake,
                           "DANE: certificate of " + target_.host + " does not match TLSA " + dane->tlsa_name);
    co_await close();
    co_return Establish::kFailed;
  }
  const auto check = dane ? CertificateCheck::kOk
                          : check_certificate(stream_.native_tls(), settings_->tls_verify, {target_.host, target_.domain});
  if (check != CertificateCheck::kOk)  // kept for tls_verify = optional (MTA-STS testing reports it)
    certificate_problem_ = check == CertificateCheck::kUntrusted ? "certificate not signed by a trusted CA"
                                                                 : "certificate does not match " + target_.host;
  if (check != CertificateCheck::kOk && settings_->tls_verify != TlsVerify::kOptional) {
    failure = SessionFailure{Phase::kTlsHandshake,
                             check == CertificateCheck::kUntrusted ? FailureKind::kCertUntrusted
                                                                   : FailureKind::kCertNameMismatch,
                             {}, "certificate of " + target_.host + " (" + target_.address + ") rejected"};
    co_await close();
    co_return Establish::kFailed;
  }
  // RFC 3207 §4.2: forget what was learnt before TLS; EHLO again.
  if (auto f = co_await hello()) {
    failure = std::move(f);
    co_await close();
    co_return Establish::kFailed;
  }
  co_return Establish::kDone;
}

awaitable<IdleEnd> SmtpConnection::idle() {
  if (!alive_) co_return IdleEnd::kClosed;
  if (wake_pending_) {
    wake_pending_ = false;
    co_return IdleEnd::kWoken;
  }
  idle_ = true;
  const IoResult io = co_await stream_.read_some(asio::buffer(buffer_), after(settings_->timeouts.idle));
  idle_ = false;
  if (io.status == IoStatus::kInterrupted) {
    wake_pending_ = false;
    co_return IdleEnd::kWoken;
  }
  if (io.status == IoStatus::kTimedOut) co_return IdleEnd::kTimedOut;
  // The server spoke unasked (a 421 before it closes) or went away.
  drop();
  co_return IdleEnd::kClosed;
}

void SmtpConnection::wake() {
  if (idle_) {
    stream_.interrupt();
  } else {
    wake_pending_ = true;
  }
}

awaitable<void> SmtpConnection::close() {
  if (alive_) {
    const auto timeout = settings_->timeouts.rset;
    if (!co_await send(Phase::kIdle, "QUIT\r\n", timeout)) co_await read_reply(Phase::kIdle, timeout);
  }
  drop();
}

bool SmtpConnection::reusable() const {
  const auto limit = settings_->max_deliveries_per_connection;
  return alive_ && (limit == 0 || deliveries_ < limit);
}

awaitable<SmtpConnection::ReplyResult> SmtpConnection::read_reply(Phase phase, std::chrono::milliseconds timeout) {
  const Deadline deadline = after(timeout);
  while (true) {
    auto next = reader_.next();
    if (!next) {
      drop();
      co_return impulse::unexpected<SessionFailure>(
          SessionFailure{phase, FailureKind::kBadReply, {}, std::string(reply_error_text(next.error()))});
    }
    if (*next) co_return std::move(**next);
    const IoResult io = co_await stream_.read_some(asio::buffer(buffer_), deadline);
    if (!io.ok()) {
      SessionFailure f = io_failure(phase, io, false);
      drop();
      co_return impulse::unexpected<SessionFailure>(std::move(f));
    }
    reader_.feed(std::string_view(buffer_.data(), io.bytes));
  }
}

awaitable<std::optional<SessionFailure>> SmtpConnection::send(Phase phase, std::string_view bytes,
                                                              std::chrono::milliseconds timeout) {
  const IoResult io = co_await stream_.write(asio::buffer(bytes.data(), bytes.size()), after(timeout));
  if (io.ok()) co_return std::nullopt;
  SessionFailure f = io_failure(phase, io, true);
  drop();
  co_return f;
}

SessionFailure SmtpConnection::io_failure(Phase phase, const IoResult& io, bool writing) {
  SessionFailure f{phase, FailureKind::kClosed, {}, {}};
  if (io.status == IoStatus::kTimedOut) {
    f.kind = writing ? FailureKind::kSendFailed : FailureKind::kTimeout;
    f.detail = writing ? "write timed out" : "no reply in time";
  } else if (io.peer_closed()) {
    f.kind = FailureKind::kClosed;
    f.detail = io.error.message();
  } else {
    f.kind = writing ? FailureKind::kSendFailed : FailureKind::kClosed;
    f.detail = io.status == IoStatus::kInterrupted ? std::string("interrupted") : io.error.message();
  }
  return f;
}

void SmtpConnection::drop() {
  alive_ = false;
  stream_.close();
}

OutcomeContext SmtpConnection::context(std::uint64_t bytes_sent) const {
  return OutcomeContext{target_.address, target_.host, bytes_sent};
}

}  // namespace impulse::delivery::smtp

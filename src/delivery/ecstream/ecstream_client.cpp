// Implementation of delivery/ecstream/ecstream_client.hpp.
#include "delivery/ecstream/ecstream_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <limits>

#include "delivery/ecstream/ecstream_settings_config.hpp"
#include "delivery/smtp/tls_client.hpp"
#include "runtime/spawn.hpp"

namespace impulse::delivery::ecstream {

namespace asio = boost::asio;
namespace ec = protocol::ecstream;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;
using runtime::with_deadline;

namespace {

constexpr std::size_t kEnvelopeRoom = 65536;  // ids, sender and recipients beside the body

bool has_8bit(std::string_view body) {
  for (char c : body)
    if (static_cast<unsigned char>(c) & 0x80) return true;
  return false;
}

}  // namespace

EcstreamClient::EcstreamClient(asio::any_io_executor executor, EcstreamTarget target,
                               std::shared_ptr<const EcstreamSettings> settings)
    : executor_(executor),
      target_(std::move(target)),
      settings_(std::move(settings)),
      tls_context_(settings_->tls_context),
      socket_(executor),
      read_deadline_(executor),
      write_deadline_(executor),
      write_wake_(executor, asio::steady_timer::time_point::max()),
      idle_timer_(executor) {}

EcstreamClient::~EcstreamClient() = default;

OutcomeContext EcstreamClient::context(std::uint64_t bytes) const {
  return OutcomeContext{target_.address, target_.host, bytes};
}

SessionOpenFailure EcstreamClient::open_failure(FailureKind kind, std::string detail) const {
  return SessionOpenFailure{failure_outcome(kind, context(0)), std::move(detail)};
}

awaitable<EcstreamClient::OpenResult> EcstreamClient::open(asio::any_io_executor executor, EcstreamTarget target,
                                                           std::shared_ptr<const EcstreamSettings> settings) {
  auto client = std::make_shared<EcstreamClient>(executor, target, settings);
  std::optional<SessionOpenFailure> failure;
  Establish result = co_await client->establish(true, failure);
  if (result == Establish::kRetryPlain) {
    client = std::make_shared<EcstreamClient>(executor, target, settings);
    failure.reset();
    result = co_await client->establish(false, failure);
  }
  if (result != Establish::kDone) {
    client->shut();
    if (!failure) failure = client->open_failure(FailureKind::kConnectFailed, "connection set-up failed");
    co_return impulse::unexpected(std::move(*failure));
  }
  // The reader and writer hold the client until the connection ends.
  runtime::spawn(executor, "ecstream_client_reader " + target.address,
                 [](std::shared_ptr<EcstreamClient> c) -> awaitable<void> { co_await c->reader(); }(client));
  runtime::spawn(executor, "ecstream_client_writer " + target.address,
                 [](std::shared_ptr<EcstreamClient> c) -> awaitable<void> { co_await c->writer(); }(client));
  co_return client;
}

awaitable<EcstreamClient::Establish> EcstreamClient::establish(bool allow_tls,
                                                               std::optional<SessionOpenFailure>& failure) {
  const auto& s = *settings_;
  const std::string where = target_.address + ":" + std::to_string(target_.port);
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(target_.address, ec);
  if (ec) {
    failure = open_failure(FailureKind::kConnectFailed, "not an IP address: \"" + target_.address + "\"");
    co_return Establish::kFailed;
  }
  const asio::ip::tcp::endpoint endpoint(ip, target_.port);
  socket_.open(endpoint.protocol(), ec);
  if (!ec && !s.bind_address.empty()) {
    const auto source = asio::ip::make_address(s.bind_address, ec);
    if (!ec) socket_.bind(asio::ip::tcp::endpoint(source, 0), ec);
  }
  if (ec) {
    failure = open_failure(FailureKind::kConnectFailed, "connect to " + where + ": " + ec.message());
    co_return Establish::kFailed;
  }
  const auto connected = co_await with_deadline(socket_.async_connect(endpoint, asio::as_tuple(use_awaitable)),
                                                write_deadline_, Clock::now() + s.timeout,
                                                runtime::cancel_of(socket_));
  if (!connected.ok()) {
    failure = open_failure(connected.completed() ? FailureKind::kConnectFailed : FailureKind::kConnectTimeout,
                           "connect to " + where + ": " +
                               (connected.completed() ? connected.error.message() : std::string("timed out")));
    co_return Establish::kFailed;
  }
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);

  if (allow_tls && s.tls != smtp::TlsMode::kNo) {
    if (!tls_context_) {
      auto built = smtp::make_tls_client_context(tls_options(s));
      if (!built) {
        failure = open_failure(FailureKind::kTlsFailed, built.error().message);
        co_return Establish::kFailed;
      }
      tls_context_ = std::move(*built);
    }
    tls_stream_.emplace(socket_, tls_context_->get());
    boost::system::error_code not_ip;
    asio::ip::make_address(target_.host, not_ip);
    if (!target_.host.empty() && not_ip) SSL_set_tlsext_host_name(tls_stream_->native_handle(), target_.host.c_str());
    const auto shaken = co_await with_deadline(
        tls_stream_->async_handshake(asio::ssl::stream_base::client, asio::as_tuple(use_awaitable)), write_deadline_,
        Clock::now() + s.timeout, runtime::cancel_of(socket_));
    if (!shaken.ok()) {
      const std::string why = shaken.completed() ? shaken.error.message() : "timed out";
      if (s.tls == smtp::TlsMode::kIfAvailable && s.tls_ifavailable_fallback) co_return Establish::kRetryPlain;
      failure = open_failure(FailureKind::kTlsFailed, "TLS handshake with " + where + ": " + why);
      co_return Establish::kFailed;
    }
    const auto check = smtp::check_certificate(tls_stream_->native_handle(), s.tls_verify,
                                               {target_.host, target_.address});
    if (check != smtp::CertificateCheck::kOk && s.tls_verify != smtp::TlsVerify::kOptional) {
      failure = open_failure(
          check == smtp::CertificateCheck::kUntrusted ? FailureKind::kCertUntrusted : FailureKind::kCertNameMismatch,
          "certificate of " + where);
      co_return Establish::kFailed;
    }
  }

  ec::Frame frame;
  if (!co_await read_frame(frame, Clock::now() + s.timeout)) {
    failure = open_failure(FailureKind::kNoGreeting, "no ECSTREAM greeting from " + where);
    co_return Establish::kFailed;
  }
  if (frame.type != ec::FrameType::kGreeting) {
    std::string why = "expected GREETING from " + where + ", got " + std::string(ec::frame_type_name(frame.type));
    if (frame.type == ec::FrameType::kError)
      if (auto e = ec::parse_error(frame.payload, decoder_.limits())) why += ": " + e->line();
    failure = open_failure(FailureKind::kNoGreeting, std::move(why));
    co_return Establish::kFailed;
  }
  auto greeting = ec::parse_greeting(frame.payload, decoder_.limits());
  if (!greeting || greeting->min_version > ec::kVersion || greeting->max_version < ec::kVersion) {
    failure = open_failure(FailureKind::kNoGreeting,
                           "unusable GREETING from " + where + ": " +
                               (greeting ? std::string("no common version") : greeting.error().reason));
    co_return Establish::kFailed;
  }
  greeting_ = std::move(*greeting);
  const std::string hello = ec::encode(ec::Hello{ec::kVersion, s.hostname});
  const auto sent = co_await write(hello, Clock::now() + s.timeout);
  if (!sent.ok()) {
    failure = open_failure(FailureKind::kNoGreeting, "cannot send HELLO to " + where);
    co_return Establish::kFailed;
  }
  co_return Establish::kDone;
}

awaitable<runtime::DeadlineResult> EcstreamClient::read_some(Clock::time_point deadline) {
  if (tls_stream_)
    co_return co_await with_deadline(tls_stream_->async_read_some(asio::buffer(buffer_), asio::as_tuple(use_awaitable)),
                                     read_deadline_, deadline, runtime::cancel_of(socket_));
  co_return co_await with_deadline(socket_.async_read_some(asio::buffer(buffer_), asio::as_tuple(use_awaitable)),
                                   read_deadline_, deadline, runtime::cancel_of(socket_));
}

awaitable<runtime::DeadlineResult> EcstreamClient::write(const std::string& bytes, Clock::time_point deadline) {
  if (tls_stream_)
    co_return co_await with_deadline(asio::async_write(*tls_stream_, asio::buffer(bytes), asio::as_tuple(use_awaitable)),
                                     write_deadline_, deadline, runtime::cancel_of(socket_));
  co_return co_await with_deadline(asio::async_write(socket_, asio::buffer(bytes), asio::as_tuple(use_awaitable)),
                                   write_deadline_, deadline, runtime::cancel_of(socket_));
}

awaitable<bool> EcstreamClient::read_frame(ec::Frame& frame, Clock::time_point deadline) {
  for (;;) {
    auto next = decoder_.next();
    if (!next) co_return false;
    if (*next) {
      frame = std::move(**next);
      co_return true;
    }
    const auto r = co_await read_some(deadline);
    if (!r.ok()) co_return false;
    decoder_.feed(std::string_view(buffer_.data(), r.bytes));
  }
}

awaitable<void> EcstreamClient::reader() {
  while (!broken_) {
    // Frames already buffered (the GREETING's read may have brought more).
    for (;;) {
      auto next = decoder_.next();
      if (!next) {
        fail_all(FailureKind::kProtocolError);
        co_return;
      }
      if (!*next) break;
      handle(**next);
      if (broken_) co_return;
    }
    const auto r = co_await read_some(Clock::now() + settings_->timeout);
    if (broken_) co_return;
    if (r.timed_out()) {
      // ECStream_Timeout is the REPLY deadline of each message.
      bool overdue = false;
      for (const auto& [seq, p] : pending_)
        if (Clock::now() - p->sent_at >= settings_->timeout) overdue = true;
      if (overdue) {
        fail_all(FailureKind::kNoResponse);
        co_return;
      }
      continue;
    }
    if (!r.ok()) {
      fail_all(FailureKind::kClosed);
      co_return;
    }
    decoder_.feed(std::string_view(buffer_.data(), r.bytes));
  }
}

awaitable<void> EcstreamClient::writer() {
  std::string sending;
  while (!broken_) {
    if (out_.empty()) {
      write_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await write_wake_.async_wait(asio::as_tuple(use_awaitable));
      continue;
    }
    sending.clear();
    sending.swap(out_);
    const auto r = co_await write(sending, Clock::now() + settings_->timeout);
    if (broken_) co_return;
    if (!r.ok()) {
      fail_all(FailureKind::kSendFailed);
      co_return;
    }
  }
}

void EcstreamClient::handle(const ec::Frame& frame) {
  const auto& limits = decoder_.limits();
  switch (frame.type) {
    case ec::FrameType::kReply: {
      auto reply = ec::parse_reply(frame.payload, limits);
      if (!reply) return fail_all(FailureKind::kProtocolError);
      auto it = pending_.find(reply->seq);
      if (it == pending_.end()) return fail_all(FailureKind::kProtocolError);
      Pending& p = *it->second;
      p.reply = std::move(*reply);
      pending_.erase(it);
      p.signal.cancel();
      return;
    }
    case ec::FrameType::kGoaway: {
      auto goaway = ec::parse_goaway(frame.payload, limits);
      if (!goaway) return fail_all(FailureKind::kProtocolError);
      goaway_ = true;
      idle_timer_.cancel();  // an idle session ends (idle() says kClosed)
      for (auto it = pending_.upper_bound(goaway->last_seq); it != pending_.end();) {
        it->second->goaway = *goaway;
        it->second->signal.cancel();
        it = pending_.erase(it);
      }
      return;
    }
    default: return fail_all(FailureKind::kProtocolError);  // ERROR, or a frame a receiver never sends
  }
}

void EcstreamClient::fail_all(FailureKind kind) {
  for (auto& [seq, p] : pending_) {
    p->failure = kind;
    p->signal.cancel();
  }
  pending_.clear();
  shut();
}

void EcstreamClient::shut() {
  if (broken_) return;
  broken_ = true;
  write_wake_.cancel();
  idle_timer_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

std::size_t EcstreamClient::capacity() const {
  return std::max<std::size_t>(1, std::min<std::size_t>(greeting_.window, settings_->max_window));
}

bool EcstreamClient::reusable() const {
  return !broken_ && !goaway_ && next_seq_ < std::numeric_limits<std::uint32_t>::max() - 1;
}

awaitable<queue::AttemptResult> EcstreamClient::deliver(const queue::DeliveryJob& job, spool::Body body) {
  queue::AttemptResult result;
  auto all = [&](const queue::Outcome& o) { result.outcomes.assign(job.recipients.size(), o); };
  const std::string_view data = body ? std::string_view(*body) : std::string_view();
  // Over the receiver's Max_Message_Size: its REPLY says so (552). Over what
  // one frame may carry: refused here, since the frame would end the connection.
  if (data.size() + kEnvelopeRoom > greeting_.max_payload) {
    all(failure_outcome(FailureKind::kTooBig, context(0)));
    co_return result;
  }
  if (!reusable()) {
    all(failure_outcome(FailureKind::kClosed, context(0)));
    co_return result;
  }
  const std::uint32_t seq = ++next_seq_;
  std::vector<std::string_view> recipients;
  recipients.reserve(job.recipients.size());
  for (const auto& r : job.recipients) recipients.push_back(r.address);
  const std::size_t before = out_.size();
  ec::append_message(out_, seq, has_8bit(data) ? ec::kFlag8BitMime : 0, job.id().to_string(), job.key.binding,
                     job.sender(), recipients, data);
  const std::uint64_t bytes = out_.size() - before;
  Pending p(executor_);
  p.sent_at = Clock::now();
  pending_.emplace(seq, &p);
  write_wake_.cancel();
  co_await p.signal.async_wait(asio::as_tuple(use_awaitable));
  if (p.reply) {
    all(reply_outcome(*p.reply, context(bytes)));
  } else if (p.goaway) {
    all(goaway_outcome(*p.goaway, context(bytes)));
  } else {
    pending_.erase(seq);  // no-op unless woken some other way
    all(failure_outcome(p.failure.value_or(FailureKind::kClosed), context(bytes)));
  }
  co_return result;
}

awaitable<SessionIdleEnd> EcstreamClient::idle() {
  if (!reusable()) co_return SessionIdleEnd::kClosed;
  if (woken_) {
    woken_ = false;
    co_return SessionIdleEnd::kWoken;
  }
  idle_timer_.expires_after(settings_->idle);
  const auto [ec] = co_await idle_timer_.async_wait(asio::as_tuple(use_awaitable));
  if (!reusable()) co_return SessionIdleEnd::kClosed;
  if (woken_) {
    woken_ = false;
    co_return SessionIdleEnd::kWoken;
  }
  co_return ec ? SessionIdleEnd::kWoken : SessionIdleEnd::kTimedOut;
}

void EcstreamClient::wake() {
  woken_ = true;
  idle_timer_.cancel();
}

awaitable<void> EcstreamClient::close() {
  fail_all(FailureKind::kClosed);  // nothing runs when the manager closes; answers any straggler
  co_return;
}

}  // namespace impulse::delivery::ecstream

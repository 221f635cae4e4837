// EcstreamClient: one ECSTREAM connection from the sending node to a
// receiver (docs/ecstream.md; SPEC §15): connect (Bind_Address), TLS from
// the first octet when configured (the SMTP client's TLS context and
// certificate checks), the receiver's GREETING, our HELLO; then MESSAGE
// frames pipelined up to the receiver's window, each deliver() waiting
// for its own REPLY.
//
// Inside, two coroutines per connection on its loop: a writer that sends
// whatever MESSAGE frames are queued in one write (many messages per
// write), and a reader that matches REPLY frames to waiting deliveries by
// seq. A GOAWAY answers the messages after its last seq at once
// (transient: the receiver asked us to retry) and makes the connection
// not reusable; the ones before it still get their REPLY. Any failure of
// the connection (closed, write failed, ERROR or a bad frame, nothing read
// for ECStream_Timeout while a message waits) answers every waiting
// delivery transiently and ends the connection. Outcomes come from
// ecstream_outcome.hpp only.
//
// Leaves to others: which target and when (the connection manager),
// retries (the queue). Threads: everything on the executor given to
// open(); not thread-safe. Failures are values (OpenFailure, outcomes);
// nothing throws but allocation.
// Internal to src/delivery (includes Asio).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/expected.hpp"
#include "delivery/ecstream/ecstream_outcome.hpp"
#include "delivery/ecstream/ecstream_settings.hpp"
#include "delivery/transport.hpp"
#include "protocol/ecstream_frame.hpp"
#include "queue/delivery_job.hpp"
#include "runtime/deadline.hpp"

namespace impulse::delivery::ecstream {

struct EcstreamTarget {
  std::string host;     // the Gateway's host name (TLS name checks)
  std::string address;  // IP literal to connect to
  std::uint16_t port = protocol::ecstream::kDefaultPort;
};

class EcstreamClient : public std::enable_shared_from_this<EcstreamClient> {
 public:
  using OpenResult = impulse::expected<std::shared_ptr<EcstreamClient>, SessionOpenFailure>;

  // `target` and `settings` are held by value inside.
  static boost::asio::awaitable<OpenResult> open(boost::asio::any_io_executor executor, EcstreamTarget target,
                                                 std::shared_ptr<const EcstreamSettings> settings);

  EcstreamClient(boost::asio::any_io_executor executor, EcstreamTarget target,
                 std::shared_ptr<const EcstreamSettings> settings);
  ~EcstreamClient();

  // One MESSAGE and its REPLY: one outcome per job recipient.
  boost::asio::awaitable<queue::AttemptResult> deliver(const queue::DeliveryJob& job, spool::Body body);
  boost::asio::awaitable<SessionIdleEnd> idle();
  void wake();
  // Half-closes and closes; the reader and writer end with it.
  boost::asio::awaitable<void> close();

  std::size_t capacity() const;
  bool reusable() const;
  std::uint32_t deliveries() const { return next_seq_; }
  const protocol::ecstream::Greeting& greeting() const { return greeting_; }

 private:
  struct Pending {
    explicit Pending(boost::asio::any_io_executor ex) : signal(ex, boost::asio::steady_timer::time_point::max()) {}
    boost::asio::steady_timer signal;  // cancelled when resolved
    std::chrono::steady_clock::time_point sent_at;
    std::optional<protocol::ecstream::Reply> reply;
    std::optional<protocol::ecstream::Goaway> goaway;
    std::optional<FailureKind> failure;
  };
  enum class Establish { kDone, kFailed, kRetryPlain };

  boost::asio::awaitable<Establish> establish(bool allow_tls, std::optional<SessionOpenFailure>& failure);
  boost::asio::awaitable<bool> read_frame(protocol::ecstream::Frame& frame, std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<runtime::DeadlineResult> read_some(std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<runtime::DeadlineResult> write(const std::string& bytes,
                                                         std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<void> reader();
  boost::asio::awaitable<void> writer();
  void handle(const protocol::ecstream::Frame& frame);
  void resolve(std::uint32_t seq, Pending& p);
  void fail_all(FailureKind kind);
  void shut();
  OutcomeContext context(std::uint64_t bytes) const;
  SessionOpenFailure open_failure(FailureKind kind, std::string detail) const;

  boost::asio::any_io_executor executor_;
  EcstreamTarget target_;
  std::shared_ptr<const EcstreamSettings> settings_;
  std::shared_ptr<const smtp::TlsClientContext> tls_context_;
  boost::asio::ip::tcp::socket socket_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_stream_;
  boost::asio::steady_timer read_deadline_;
  boost::asio::steady_timer write_deadline_;
  boost::asio::steady_timer write_wake_;
  boost::asio::steady_timer idle_timer_;
  protocol::ecstream::FrameDecoder decoder_;
  protocol::ecstream::Greeting greeting_;
  std::map<std::uint32_t, Pending*> pending_;
  std::string out_;
  std::array<char, 65536> buffer_{};
  std::uint32_t next_seq_ = 0;
  bool broken_ = false;   // the connection failed or closed
  bool goaway_ = false;   // the receiver takes nothing more on it
  bool woken_ = false;
  bool writing_ = false;
};

}  // namespace impulse::delivery::ecstream

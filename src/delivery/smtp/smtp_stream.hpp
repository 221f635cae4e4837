// SmtpStream: the byte stream under one SMTP client session: a TCP socket
// (or a Unix stream socket, for LMTP to a local server), plain at first and
// TLS after STARTTLS, where every wait has a deadline. The session code
// above it never sees whether TLS is on, nor which kind of socket it is.
//
//   connect     bind to the source address first when one is given
//               (bind_address), then connect, by connect_timeout
//   connect_local  connect to a Unix stream socket path, by connect_timeout
//   read_some   some bytes, by a deadline; interrupt() ends the wait early
//               (IoStatus::kInterrupted): idle connections use that to be
//               woken for new work
//   write       all the bytes, by a deadline
//   handshake   client TLS handshake (SNI = the server name when it is not
//               an IP literal), by a deadline
//
// Deadlines: each operation races timer_ through runtime::with_deadline
// (runtime/deadline.hpp); when the timer wins, the operation is cancelled
// and the result says kTimedOut; interrupt() cancels the timer (kInterrupted). A cancelled TLS read keeps the TLS state consistent (Asio
// keeps bytes already received), so an interrupted idle read can be
// followed by more traffic; after a timeout the caller drops the connection.
//
// Leaves to others: SMTP itself (smtp_connection), building the TLS
// context and checking certificates (tls_client.hpp).
// Executor: the one given at construction (the queue's loop); one read and
// one write at a time; not thread-safe. Failures are values (IoResult);
// nothing throws except allocation.
// Internal to src/delivery (includes Asio).
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace impulse::delivery::smtp {

using Deadline = std::chrono::steady_clock::time_point;

enum class IoStatus { kOk, kError, kTimedOut, kInterrupted };

struct IoResult {
  IoStatus status = IoStatus::kOk;
  boost::system::error_code error;  // kError: why
  std::size_t bytes = 0;

  bool ok() const { return status == IoStatus::kOk; }
  // EOF, reset, broken pipe: the peer went away (as opposed to a local failure).
  bool peer_closed() const;
};

class SmtpStream {
 public:
  explicit SmtpStream(boost::asio::any_io_executor executor);
  ~SmtpStream();
  SmtpStream(const SmtpStream&) = delete;
  SmtpStream& operator=(const SmtpStream&) = delete;

  boost::asio::awaitable<IoResult> connect(const boost::asio::ip::tcp::endpoint& remote,
                                           const std::optional<boost::asio::ip::address>& source,
                                           Deadline deadline);
  boost::asio::awaitable<IoResult> connect_local(const std::string& path, Deadline deadline);
  boost::asio::awaitable<IoResult> read_some(boost::asio::mutable_buffer buffer, Deadline deadline);
  boost::asio::awaitable<IoResult> write(boost::asio::const_buffer bytes, Deadline deadline);
  boost::asio::awaitable<IoResult> handshake(boost::asio::ssl::context& context, const std::string& server_name,
                                             Deadline deadline);
  // handshake() in two steps, for a caller that configures the OpenSSL
  // connection in between (DANE: SSL_dane_enable, dane_tls.hpp):
  // begin_tls makes it (SNI set) and returns it; finish_tls shakes hands.
  SSL* begin_tls(boost::asio::ssl::context& context, const std::string& server_name);
  boost::asio::awaitable<IoResult> finish_tls(Deadline deadline);

  // Ends the current read_some wait (kInterrupted). Executor only.
  void interrupt();
  void close();

  bool is_open() const { return socket_.is_open(); }
  bool tls_active() const { return tls_.has_value() && tls_done_; }
  // The OpenSSL connection once handshake() ran (null before).
  SSL* native_tls() { return tls_ ? tls_->native_handle() : nullptr; }
  std::uint64_t bytes_written() const { return bytes_written_; }
  // The local IP address ("" for a Unix socket or when not connected).
  std::string local_address() const;

 private:
  using Socket = boost::asio::generic::stream_protocol::socket;  // TCP or Unix
  Socket socket_;
  std::optional<boost::asio::ssl::stream<Socket&>> tls_;
  bool tls_done_ = false;
  boost::asio::steady_timer timer_;
  std::uint64_t bytes_written_ = 0;
};

}  // namespace impulse::delivery::smtp

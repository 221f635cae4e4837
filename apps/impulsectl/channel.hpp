// impulsectl's connection to a Control_Listener: a Unix socket or TCP
// (host:port, [v6]:port), optionally TLS (OpenSSL, TLS 1.2 or newer) with
// the server's certificate verified against a CA file and the host of -s
// (a DNS name, or an IP address checked against the certificate's IP
// SANs). Blocking I/O with deadlines: connecting and each send within
// kSendTimeout, each reply within kReplyTimeout (SO_SNDTIMEO/SO_RCVTIMEO);
// a wait that runs out reads as a lost connection.
// Leaves to others: the wire format (console/wire.hpp), the login
// (console/login.hpp). Single-threaded (the client's main thread).
// Failures: connect() returns a one-line reason; send/recv report a lost
// connection as false / 0.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "base/expected.hpp"

namespace impulsectl {

inline constexpr std::chrono::seconds kSendTimeout{30};
inline constexpr std::chrono::seconds kReplyTimeout{300};

struct ChannelOptions {
  std::string endpoint;  // "/tmp/2025", "unix:/path", "host:port", "[v6]:port"
  std::string tls_ca;    // non-empty: TLS, the server verified against this PEM file
};

class Channel {
 public:
  static impulse::expected<std::unique_ptr<Channel>, std::string> connect(const ChannelOptions& options);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  bool send_all(const std::string& bytes);
  // Bytes read into buf (at most size); 0 when the connection is closed, failed or timed out.
  std::size_t recv(char* buf, std::size_t size);

 private:
  struct Tls;
  Channel(int fd, std::unique_ptr<Tls> tls);
  int fd_ = -1;
  std::unique_ptr<Tls> tls_;
};

// True for an endpoint that names a Unix socket (impulsed's rule).
bool is_socket_endpoint(const std::string& endpoint);

}  // namespace impulsectl

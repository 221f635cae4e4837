// ScriptedPeer: an SMTP/LMTP server for the client tests whose every reply
// is written by the test. It listens on a loopback address at a port the
// kernel picks (bind to port 0), accepts connections one after the other on
// its own thread, and runs the test's script for each with a blocking
// PeerConnection (plain POSIX socket, OpenSSL for STARTTLS). The script
// reads commands and writes replies itself, so it can stay silent (timeout
// tests), close mid-DATA, or withhold replies until a whole pipelined group
// has arrived.
//
// Waits are reads of what the client sends; a 20 s receive timeout on each
// socket only guards against hangs. The destructor stops accepting and
// joins the thread (a script still running finishes first).
// Test code only; gtest assertions in scripts are fine (thread-safe).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace impulse::delivery::smtp::testing {

class PeerConnection {
 public:
  PeerConnection(int fd, std::string peer_ip) : fd_(fd), peer_ip_(std::move(peer_ip)) {
    timeval tv{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~PeerConnection() {
    if (ssl_) SSL_free(ssl_);
    ::close(fd_);
  }
  PeerConnection(const PeerConnection&) = delete;
  PeerConnection& operator=(const PeerConnection&) = delete;

  const std::string& peer_ip() const { return peer_ip_; }
  bool tls() const { return ssl_ != nullptr; }
  // Every line read with read_line(), in order.
  const std::vector<std::string>& lines() const { return lines_; }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const long n = ssl_ ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                          : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // One line without its CRLF; nullopt at EOF, on error or after 20 s.
  std::optional<std::string> read_line() {
    while (true) {
      const auto eol = buf_.find("\r\n");
      if (eol != std::string::npos) {
        std::string line = buf_.substr(0, eol);
        buf_.erase(0, eol + 2);
        lines_.push_back(line);
        return line;
      }
      if (!fill()) return std::nullopt;
    }
  }

  // The data after 354 up to and including the CRLF before ".\r\n", as
  // sent (still dot-stuffed); nullopt if the stream ends first.
  std::optional<std::string> read_data() {
    while (true) {
      if (buf_.rfind(".\r\n", 0) == 0) {  // empty content
        buf_.erase(0, 3);
        return std::string();
      }
      const auto end = buf_.find("\r\n.\r\n");
      if (end != std::string::npos) {
        std::string data = buf_.substr(0, end + 2);
        buf_.erase(0, end + 5);
        return data;
      }
      if (!fill()) return std::nullopt;
    }
  }

  // Reads at least `n` more octets of data (discarding them); false at EOF.
  bool skip(std::size_t n) {
    while (buf_.size() < n) {
      if (!fill()) return false;
    }
    buf_.erase(0, n);
    return true;
  }

  // True when the client has sent bytes not read yet (buffered here or in
  // the kernel). Deterministic for a lock-step client: it sends nothing
  // until it has our reply.
  bool input_pending() {
    if (!buf_.empty()) return true;
    if (ssl_ && SSL_pending(ssl_) > 0) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
  }

  // Reads (and keeps in lines()) until the client closes; true on EOF.
  bool wait_eof() {
    while (true) {
      while (true) {
        const auto eol = buf_.find("\r\n");
        if (eol == std::string::npos) break;
        lines_.push_back(buf_.substr(0, eol));
        buf_.erase(0, eol + 2);
      }
      if (!fill()) return eof_;
    }
  }

  // Server side of STARTTLS after our "220": false if the handshake fails.
  bool start_tls(SSL_CTX* ctx) {
    if (!buf_.empty()) return false;
    ssl_ = SSL_new(ctx);
    SSL_set_fd(ssl_, fd_);
    if (SSL_accept(ssl_) != 1) {
      ERR_clear_error();
      SSL_free(ssl_);
      ssl_ = nullptr;
      return false;
    }
    return true;
  }

  // The client certificate's subject after start_tls ("" if none was sent).
  std::string client_certificate_subject() const {
    X509* cert = ssl_ ? SSL_get0_peer_certificate(ssl_) : nullptr;
    if (!cert) return {};
    char buf[256] = {};
    X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
    return buf;
  }

  // Typical exchanges.
  void greet(std::string_view banner = "220 mx.test ESMTP scripted\r\n") { send(banner); }
  // Reads EHLO/LHLO/HELO and answers with `extensions` (may be empty).
  std::optional<std::string> hello(const std::vector<std::string>& extensions) {
    auto line = read_line();
    if (!line) return line;
    std::string reply;
    if (extensions.empty()) {
      reply = "250 mx.test\r\n";
    } else {
      reply = "250-mx.test\r\n";
      for (std::size_t i = 0; i < extensions.size(); ++i) {
        reply += (i + 1 == extensions.size() ? "250 " : "250-") + extensions[i] + "\r\n";
      }
    }
    send(reply);
    return line;
  }
  // Reads QUIT (if it comes) and answers 221.
  void quit() {
    auto line = read_line();
    if (line && *line == "QUIT") send("221 2.0.0 bye\r\n");
  }

 private:
  bool fill() {
    char chunk[16384];
    const long n = ssl_ ? SSL_read(ssl_, chunk, sizeof chunk) : ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      eof_ = n == 0;
      if (ssl_) {
        const int err = SSL_get_error(ssl_, static_cast<int>(n));
        eof_ = err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL;
        ERR_clear_error();
      }
      return false;
    }
    buf_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  SSL* ssl_ = nullptr;
  std::string peer_ip_;
  std::string buf_;
  std::vector<std::string> lines_;
  bool eof_ = false;
};

class ScriptedPeer {
 public:
  // The script runs once per accepted connection; `index` counts from 0.
  using Script = std::function<void(PeerConnection& peer, int index)>;

  explicit ScriptedPeer(Script script, const std::string& ip = "127.0.0.1") : script_(std::move(script)) {
    const bool v6 = ip.find(':') != std::string::npos;
    listen_fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (v6) {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      ::inet_pton(AF_INET6, ip.c_str(), &a.sin6_addr);
      ok_ = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      socklen_t len = sizeof a;
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
      port_ = ntohs(a.sin6_port);
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
      ok_ = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      socklen_t len = sizeof a;
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
      port_ = ntohs(a.sin_port);
    }
    ok_ = ok_ && ::listen(listen_fd_, 16) == 0 && ::pipe(stop_) == 0;
    if (ok_) thread_ = std::thread([this] { loop(); });
  }

  ~ScriptedPeer() {
    if (thread_.joinable()) {
      const char c = 'x';
      [[maybe_unused]] auto n = ::write(stop_[1], &c, 1);
      thread_.join();
    }
    ::close(listen_fd_);
    if (ok_) {
      ::close(stop_[0]);
      ::close(stop_[1]);
    }
  }
  ScriptedPeer(const ScriptedPeer&) = delete;
  ScriptedPeer& operator=(const ScriptedPeer&) = delete;

  bool ok() const { return ok_; }
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void loop() {
    for (int index = 0;; ++index) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (::poll(fds, 2, 60'000) <= 0 || (fds[1].revents & POLLIN)) return;
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      const int fd = ::accept(listen_fd_, reinterpret_cast<sockaddr*>(&from), &len);
      if (fd < 0) return;
      char text[INET6_ADDRSTRLEN] = {};
      if (from.ss_family == AF_INET6) {
        ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, text, sizeof text);
      } else {
        ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&from)->sin_addr, text, sizeof text);
      }
      ++accepted_;
      PeerConnection peer(fd, text);
      script_(peer, index);
    }
  }

  Script script_;
  int listen_fd_ = -1;
  int stop_[2] = {-1, -1};
  bool ok_ = false;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

}  // namespace impulse::delivery::smtp::testing

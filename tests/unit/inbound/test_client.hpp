// RawSmtpClient and make_self_signed: helpers for the loopback listener
// tests. The client is a plain blocking POSIX socket (with a 10 s receive
// timeout as a hang guard only) that can switch to TLS with OpenSSL; it
// reads whole SMTP replies. make_self_signed writes a fresh EC P-256
// certificate and key (PEM) for "localhost" with the OpenSSL API.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace impulse::inbound::testing {

class RawSmtpClient {
 public:
  // `ip` is "127.0.0.1" or "::1".
  RawSmtpClient(const std::string& ip, std::uint16_t port) {
    const bool v6 = ip.find(':') != std::string::npos;
    fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (v6) {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(port);
      ::inet_pton(AF_INET6, ip.c_str(), &a.sin6_addr);
      connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
      connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
  }
  ~RawSmtpClient() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  RawSmtpClient(const RawSmtpClient&) = delete;
  RawSmtpClient& operator=(const RawSmtpClient&) = delete;

  bool connected() const { return connected_; }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const long n = ssl_ ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                          : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // One line including its CRLF; "" at end of stream (or on the hang guard).
  std::string read_line() {
    for (;;) {
      const auto pos = buffer_.find("\r\n");
      if (pos != std::string::npos) {
        std::string line = buffer_.substr(0, pos + 2);
        buffer_.erase(0, pos + 2);
        return line;
      }
      if (!fill()) return {};
    }
  }

  // A whole reply (all "NNN-" lines and the final "NNN " line).
  std::string read_reply() {
    std::string reply;
    for (;;) {
      std::string line = read_line();
      if (line.empty()) return reply;
      reply += line;
      if (line.size() < 4 || line[3] != '-') return reply;
    }
  }

  // True when the server closed the connection (after any buffered data).
  bool at_eof() {
    if (!buffer_.empty()) return false;
    return !fill() && eof_;
  }

  // Client side of STARTTLS after the server's 220. False if the handshake fails.
  bool start_tls() {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);  // the test's self-signed certificate
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    return SSL_connect(ssl_) == 1;
  }

 private:
  bool fill() {
    char chunk[65536];
    const long n = ssl_ ? SSL_read(ssl_, chunk, sizeof chunk) : ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      eof_ = n == 0 || ssl_ != nullptr;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buffer_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

// Writes cert.pem and key.pem into `dir`; returns false on failure.
inline bool make_self_signed(const std::string& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) return false;
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  bool ok = X509_sign(cert, key, EVP_sha256()) > 0;
  if (FILE* f = std::fopen((dir + "/cert.pem").c_str(), "w")) {
    ok = ok && PEM_write_X509(f, cert) == 1;
    std::fclose(f);
  } else {
    ok = false;
  }
  if (FILE* f = std::fopen((dir + "/key.pem").c_str(), "w")) {
    ok = ok && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    std::fclose(f);
  } else {
    ok = false;
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

}  // namespace impulse::inbound::testing

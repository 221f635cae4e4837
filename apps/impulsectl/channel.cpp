// Implementation of channel.hpp.
#include "channel.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace impulsectl {

namespace {

impulse::unexpected<std::string> failure(std::string text) { return impulse::unexpected<std::string>(std::move(text)); }

void set_timeout(int fd, int option, std::chrono::seconds t) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count());
  ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "connection closed";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct HostPort {
  std::string host;
  std::string port;
};

impulse::expected<HostPort, std::string> split_host_port(const std::string& ep) {
  if (ep[0] == '[') {
    const auto close = ep.find(']');
    if (close == std::string::npos || close + 1 >= ep.size() || ep[close + 1] != ':')
      return failure("bad endpoint '" + ep + "': expected [v6]:port");
    return HostPort{ep.substr(1, close - 1), ep.substr(close + 2)};
  }
  const auto colon = ep.rfind(':');
  return HostPort{ep.substr(0, colon), ep.substr(colon + 1)};
}

impulse::expected<int, std::string> connect_unix(const std::string& ep) {
  const std::string path = ep.rfind("unix:", 0) == 0 ? ep.substr(5) : ep;
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof(sa.sun_path)) return failure("socket path too long: " + path);
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return failure("cannot connect to " + path + ": " + std::strerror(errno));
  set_timeout(fd, SO_SNDTIMEO, kSendTimeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    const int e = errno;
    ::close(fd);
    return failure("cannot connect to " + path + ": " + std::strerror(e));
  }
  return fd;
}

impulse::expected<int, std::string> connect_tcp(const std::string& ep, const HostPort& hp) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(hp.host.c_str(), hp.port.c_str(), &hints, &res); rc != 0)
    return failure("cannot resolve " + ep + ": " + gai_strerror(rc));
  std::string err = "cannot connect to " + ep;
  int fd = -1;
  for (auto* a = res; a; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    set_timeout(fd, SO_SNDTIMEO, kSendTimeout);  // Linux bounds connect() by it too
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    err = "cannot connect to " + ep + ": " + std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  if (fd < 0) return failure(err);
  return fd;
}

}  // namespace

struct Channel::Tls {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl) SSL_free(ssl);
    if (ctx) SSL_CTX_free(ctx);
  }
};

bool is_socket_endpoint(const std::string& ep) {
  return ep.find(':') == std::string::npos || ep.rfind("unix:", 0) == 0 || ep[0] == '/' || ep[0] == '.';
}

Channel::Channel(int fd, std::unique_ptr<Tls> tls) : fd_(fd), tls_(std::move(tls)) {}

Channel::~Channel() {
  if (tls_ && tls_->ssl) SSL_shutdown(tls_->ssl);  // our close_notify; not waiting for the server's
  if (fd_ >= 0) ::close(fd_);
}

impulse::expected<std::unique_ptr<Channel>, std::string> Channel::connect(const ChannelOptions& o) {
  if (o.endpoint.empty()) return failure("empty endpoint");
  if (is_socket_endpoint(o.endpoint)) {
    if (!o.tls_ca.empty()) return failure("--tls-ca needs a host:port endpoint, not a Unix socket");
    auto fd = connect_unix(o.endpoint);
    if (!fd) return failure(fd.error());
    set_timeout(*fd, SO_RCVTIMEO, kReplyTimeout);
    return std::unique_ptr<Channel>(new Channel(*fd, nullptr));
  }
  auto hp = split_host_port(o.endpoint);
  if (!hp) return failure(hp.error());
  auto fd = connect_tcp(o.endpoint, *hp);
  if (!fd) return failure(fd.error());
  set_timeout(*fd, SO_RCVTIMEO, kReplyTimeout);
  std::unique_ptr<Channel> channel(new Channel(*fd, nullptr));
  if (o.tls_ca.empty()) return channel;

  auto tls = std::make_unique<Tls>();
  tls->ctx = SSL_CTX_new(TLS_client_method());
  if (!tls->ctx) return failure("TLS: " + openssl_error());
  SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
  if (SSL_CTX_load_verify_locations(tls->ctx, o.tls_ca.c_str(), nullptr) != 1)
    return failure("--tls-ca " + o.tls_ca + ": " + openssl_error());
  SSL_CTX_set_verify(tls->ctx, SSL_VERIFY_PEER, nullptr);
  tls->ssl = SSL_new(tls->ctx);
  if (!tls->ssl || SSL_set_fd(tls->ssl, *fd) != 1) return failure("TLS: " + openssl_error());
  X509_VERIFY_PARAM* param = SSL_get0_param(tls->ssl);
  in6_addr ip{};
  const bool is_ip = ::inet_pton(AF_INET, hp->host.c_str(), &ip) == 1 || ::inet_pton(AF_INET6, hp->host.c_str(), &ip) == 1;
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, hp->host.c_str());
  } else {
    SSL_set_tlsext_host_name(tls->ssl, hp->host.c_str());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, hp->host.c_str(), 0);
  }
  if (SSL_connect(tls->ssl) != 1) {
    const long verified = SSL_get_verify_result(tls->ssl);
    std::string why = verified != X509_V_OK ? "the server's certificate is not trusted: " +
                                                  std::string(X509_verify_cert_error_string(verified))
                                            : openssl_error();
    return failure("TLS with " + o.endpoint + " failed: " + why);
  }
  channel->tls_ = std::move(tls);
  return channel;
}

bool Channel::send_all(const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    if (tls_) {
      const int n = SSL_write(tls_->ssl, s.data() + off, static_cast<int>(s.size() - off));
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
      continue;
    }
    const ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

std::size_t Channel::recv(char* buf, std::size_t size) {
  if (tls_) {
    const int n = SSL_read(tls_->ssl, buf, static_cast<int>(size));
    return n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  const ssize_t n = ::recv(fd_, buf, size, 0);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

}  // namespace impulsectl

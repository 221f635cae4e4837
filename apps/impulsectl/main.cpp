// impulsectl: the console client (SPEC §1, §7; the ec_console of Impulse).
//   impulsectl [-s ENDPOINT] [COMMAND WORDS...]
// ENDPOINT is a Unix socket path or host:port ([v6]:port); default
// $IMPULSE_CONSOLE, else /tmp/2025. With a command: print the reply, exit 0
// on success, 1 if the command failed, 2 if it could not connect. Without a
// command: an interactive prompt (`quit` or end of input leaves).
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "console/wire.hpp"

namespace {

constexpr const char* kDefaultEndpoint = "/tmp/2025";

int connect_endpoint(const std::string& ep, std::string& err) {
  bool is_path = ep.find(':') == std::string::npos || ep.rfind("unix:", 0) == 0 || ep[0] == '/' || ep[0] == '.';
  if (is_path) {
    std::string path = ep.rfind("unix:", 0) == 0 ? ep.substr(5) : ep;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof(sa.sun_path)) {
      err = "socket path too long: " + path;
      return -1;
    }
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
      err = "cannot connect to " + path + ": " + std::strerror(errno);
      if (fd >= 0) ::close(fd);
      return -1;
    }
    return fd;
  }
  std::string host, port;
  if (ep[0] == '[') {
    auto close = ep.find(']');
    if (close == std::string::npos || close + 1 >= ep.size() || ep[close + 1] != ':') {
      err = "bad endpoint '" + ep + "': expected [v6]:port";
      return -1;
    }
    host = ep.substr(1, close - 1);
    port = ep.substr(close + 2);
  } else {
    auto colon = ep.rfind(':');
    host = ep.substr(0, colon);
    port = ep.substr(colon + 1);
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    err = "cannot resolve " + ep + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (auto* a = res; a; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    err = "cannot connect to " + ep + ": " + std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  return fd;
}

bool send_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<impulse::console::Reply> round_trip(int fd, impulse::console::ReplyDecoder& dec, const std::string& line) {
  if (!send_all(fd, line + "\n")) return std::nullopt;
  for (;;) {
    if (auto r = dec.next()) return r;
    if (dec.failed()) return std::nullopt;
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    dec.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string endpoint;
  if (const char* env = std::getenv("IMPULSE_CONSOLE"); env && *env) endpoint = env;
  if (endpoint.empty()) endpoint = kDefaultEndpoint;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (words.empty() && (a == "-s" || a == "--socket")) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "impulsectl: option '%s' needs an endpoint\n", a.c_str());
        return 2;
      }
      endpoint = argv[++i];
    } else if (words.empty() && (a == "-h" || a == "--help")) {
      std::puts("usage: impulsectl [-s ENDPOINT] [COMMAND WORDS...]");
      return 0;
    } else {
      words.push_back(a);
    }
  }

  std::string err;
  int fd = connect_endpoint(endpoint, err);
  if (fd < 0) {
    std::fprintf(stderr, "impulsectl: %s\n", err.c_str());
    return 2;
  }
  impulse::console::ReplyDecoder dec;

  if (!words.empty()) {
    std::string line;
    for (const auto& w : words) {
      if (!line.empty()) line += ' ';
      bool needs_quotes = w.find_first_of(" \t") != std::string::npos;
      line += needs_quotes ? "\"" + w + "\"" : w;
    }
    auto r = round_trip(fd, dec, line);
    ::close(fd);
    if (!r) {
      std::fprintf(stderr, "impulsectl: connection to %s lost\n", endpoint.c_str());
      return 2;
    }
    std::fwrite(r->text.data(), 1, r->text.size(), r->ok ? stdout : stderr);
    return r->ok ? 0 : 1;
  }

  bool tty = ::isatty(STDIN_FILENO);
  std::string line;
  int status = 0;
  for (;;) {
    if (tty) std::printf("impulse(%s)> ", endpoint.c_str()), std::fflush(stdout);
    if (!std::getline(std::cin, line)) break;
    if (line == "quit" || line == "exit") break;
    if (line.empty()) continue;
    auto r = round_trip(fd, dec, line);
    if (!r) {
      std::fprintf(stderr, "impulsectl: connection to %s lost\n", endpoint.c_str());
      ::close(fd);
      return 2;
    }
    std::fwrite(r->text.data(), 1, r->text.size(), stdout);
    std::fflush(stdout);
    if (!r->ok) status = 1;
  }
  ::close(fd);
  return status;
}

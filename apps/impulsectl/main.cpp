// impulsectl: the console client (SPEC §1, §7; the ec_console of Impulse).
//   impulsectl [-s ENDPOINT] [-u USER] [--tls-ca FILE] [COMMAND WORDS...]
// ENDPOINT is a Unix socket path or host:port ([v6]:port); default
// $IMPULSE_CONSOLE, else /tmp/2025. -u USER logs in first (console/login.hpp)
// with the password from $IMPULSE_CONSOLE_PASSWORD or the terminal (no
// echo); --tls-ca FILE speaks TLS and verifies the server against FILE and
// the host of ENDPOINT (channel.hpp). With a command: print the reply, exit
// 0 on success, 1 if the command failed, 2 if it could not connect (or the
// connection was lost), 3 if the login was refused. Without a command: an
// interactive prompt (`quit` or end of input leaves).
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "channel.hpp"
#include "console/login.hpp"
#include "console/wire.hpp"
#include "password.hpp"

namespace {

constexpr const char* kDefaultEndpoint = "/tmp/2025";
constexpr const char* kUsage = "usage: impulsectl [-s ENDPOINT] [-u USER] [--tls-ca FILE] [COMMAND WORDS...]";

std::optional<impulse::console::Reply> round_trip(impulsectl::Channel& ch, impulse::console::ReplyDecoder& dec,
                                                  const std::string& line) {
  if (!ch.send_all(line + "\n")) return std::nullopt;
  for (;;) {
    if (auto r = dec.next()) return r;
    if (dec.failed()) return std::nullopt;
    char buf[65536];
    const std::size_t n = ch.recv(buf, sizeof buf);
    if (n == 0) return std::nullopt;
    dec.feed(std::string_view(buf, n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a server that went away is a lost connection, not a dead client
  impulsectl::ChannelOptions options;
  if (const char* env = std::getenv("IMPULSE_CONSOLE"); env && *env) options.endpoint = env;
  if (options.endpoint.empty()) options.endpoint = kDefaultEndpoint;
  std::string user;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const bool option = words.empty() && (a == "-s" || a == "--socket" || a == "-u" || a == "--user" ||
                                          a == "--tls-ca");
    if (option) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "impulsectl: option '%s' needs a value\n%s\n", a.c_str(), kUsage);
        return 2;
      }
      std::string value = argv[++i];
      if (a == "-s" || a == "--socket") options.endpoint = std::move(value);
      else if (a == "-u" || a == "--user") user = std::move(value);
      else options.tls_ca = std::move(value);
    } else if (words.empty() && (a == "-h" || a == "--help")) {
      std::puts(kUsage);
      return 0;
    } else {
      words.push_back(a);
    }
  }

  std::string password;
  if (!user.empty()) {
    auto typed = impulsectl::read_password(user);
    if (!typed) {
      std::fprintf(stderr, "impulsectl: %s\n", typed.error().c_str());
      return 2;
    }
    password = std::move(*typed);
  }
  auto channel = impulsectl::Channel::connect(options);
  if (!channel) {
    std::fprintf(stderr, "impulsectl: %s\n", channel.error().c_str());
    return 2;
  }
  impulsectl::Channel& ch = **channel;
  impulse::console::ReplyDecoder dec;
  const std::string& endpoint = options.endpoint;

  if (!user.empty()) {
    auto r = round_trip(ch, dec, impulse::console::format_login_line(user, password));
    password.assign(password.size(), '\0');
    if (!r) {
      std::fprintf(stderr, "impulsectl: connection to %s lost\n", endpoint.c_str());
      return 2;
    }
    if (!r->ok) {
      std::fprintf(stderr, "impulsectl: %s", r->text.c_str());
      return 3;
    }
  }

  if (!words.empty()) {
    std::string line;
    for (const auto& w : words) {
      if (!line.empty()) line += ' ';
      bool needs_quotes = w.find_first_of(" \t") != std::string::npos;
      line += needs_quotes ? "\"" + w + "\"" : w;
    }
    auto r = round_trip(ch, dec, line);
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
    auto r = round_trip(ch, dec, line);
    if (!r) {
      std::fprintf(stderr, "impulsectl: connection to %s lost\n", endpoint.c_str());
      return 2;
    }
    std::fwrite(r->text.data(), 1, r->text.size(), stdout);
    std::fflush(stdout);
    if (!r->ok) status = 1;
  }
  return status;
}

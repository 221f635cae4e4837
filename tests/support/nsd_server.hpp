// NsdServer: a real authoritative DNS server (Debian's nsd) for tests.
// Writes the given zones and an nsd.conf into a fresh temp dir, checks each
// zone with nsd-checkzone, starts `nsd -d` in its own process group on
// 127.0.0.1 (or ::1) at a free high port, and waits until every zone's SOA
// answers NOERROR. The destructor stops it by PID (SIGTERM to its process
// group, SIGKILL after 5 s) and removes the temp dir.
//
//   impulse::test::NsdServer nsd({{"test", NsdServer::zone_header("test") +
//                                  "multi IN MX 10 mx1.multi\n"}});
//   ASSERT_TRUE(nsd.start()) << nsd.error();
//   options.nameservers = {nsd.nameserver()};   // "127.0.0.1:<port>"
//
// Header-only; test code only (uses posix_spawn, so it is safe in a test
// process that already runs threads). Not thread-safe. Failures are
// reported by start() == false with error() (it includes nsd's log); stop()
// never fails. A port taken between probing and nsd's bind is retried on
// another port.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace impulse::test {

class NsdServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";  // or "::1"
    std::chrono::seconds ready_timeout{15};
  };

  // zones: origin without trailing dot ("test", "example.org") -> zone text.
  explicit NsdServer(std::map<std::string, std::string> zones) : NsdServer(std::move(zones), Options{}) {}
  NsdServer(std::map<std::string, std::string> zones, Options options)
      : zones_(std::move(zones)), options_(std::move(options)) {}
  ~NsdServer() {
    stop();
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  NsdServer(const NsdServer&) = delete;
  NsdServer& operator=(const NsdServer&) = delete;

  // "$ORIGIN", "$TTL", SOA (negative TTL = `negative_ttl`) and NS records,
  // so a test zone only lists its own records.
  static std::string zone_header(std::string_view origin, unsigned ttl = 300, unsigned negative_ttl = 300) {
    std::ostringstream z;
    z << "$ORIGIN " << origin << ".\n$TTL " << ttl << "\n"
      << "@ IN SOA ns1 hostmaster 1 3600 600 86400 " << negative_ttl << "\n"
      << "@ IN NS ns1\n"
      << "ns1 IN A 127.0.0.1\n";
    return z.str();
  }

  bool start() {
    if (pid_ > 0) return true;
    if (!make_dir()) return false;
    if (!write_zones()) return false;
    for (int attempt = 0; attempt < 8; ++attempt) {
      auto port = pick_port();
      if (!port) return failed("no free port on " + options_.address);
      port_ = *port;
      if (!write_config()) return false;
      if (!spawn()) return false;
      switch (wait_ready()) {
        case Ready::Yes: return true;
        case Ready::PortTaken: stop(); continue;
        case Ready::No: stop(); return false;
      }
    }
    return failed("nsd could not bind a port after 8 attempts\n" + logs());
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      struct timespec ts{0, 10'000'000};  // waiting for exit, not synchronising
      ::nanosleep(&ts, nullptr);
    }
    ::kill(-pid_, SIGKILL);  // nsd's own children, should any have outlived it
    pid_ = -1;
  }

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  const std::string& address() const { return options_.address; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::string& error() const { return error_; }

  // "127.0.0.1:<port>" or "[::1]:<port>": the form `Nameservers` and
  // dns::ResolverOptions::nameservers take.
  std::string nameserver() const {
    bool v6 = options_.address.find(':') != std::string::npos;
    return (v6 ? "[" + options_.address + "]" : options_.address) + ":" + std::to_string(port_);
  }

  // One UDP query (RD clear) to this server; the reply's rcode, or nullopt
  // when nothing came back within `timeout`.
  std::optional<int> query_rcode(std::string_view name, std::uint16_t qtype,
                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(500)) const {
    auto reply = exchange(name, qtype, timeout);
    if (!reply) return std::nullopt;
    return (*reply)[3] & 0x0F;
  }

  // nsd's stdout/stderr and log file, for failure messages.
  std::string logs() const { return slurp(dir_ / "nsd.out") + slurp(dir_ / "nsd.log"); }

 private:
  enum class Ready { Yes, No, PortTaken };

  bool failed(std::string text) {
    error_ = std::move(text);
    return false;
  }

  static std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  static std::string program(const char* name) {
    for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"}) {
      std::string path = std::string(dir) + name;
      if (::access(path.c_str(), X_OK) == 0) return path;
    }
    return name;  // posix_spawnp searches PATH
  }

  bool make_dir() {
    if (!dir_.empty()) return true;
    std::string tmpl = (std::filesystem::temp_directory_path() / "impulse-nsd-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) return failed("mkdtemp failed");
    dir_ = tmpl;
    return true;
  }

  std::string zone_file(const std::string& origin) const {
    return (origin.empty() || origin == "." ? std::string("root") : origin) + ".zone";
  }

  bool write_zones() {
    for (const auto& [origin, text] : zones_) {
      std::ofstream(dir_ / zone_file(origin)) << text;
      int rc = run({program("nsd-checkzone"), origin, (dir_ / zone_file(origin)).string()}, dir_ / "checkzone.out");
      if (rc == 127 || rc < 0) return failed("cannot run nsd-checkzone (Debian package nsd)");
      if (rc != 0) return failed("zone " + origin + " rejected:\n" + slurp(dir_ / "checkzone.out"));
    }
    return true;
  }

  bool write_config() {
    std::ofstream c(dir_ / "nsd.conf");
    std::string d = dir_.string();
    c << "server:\n"
      << "    ip-address: " << options_.address << "@" << port_ << "\n"
      << "    port: " << port_ << "\n"
      << "    username: \"\"\n"
      << "    chroot: \"\"\n"
      << "    zonesdir: \"" << d << "\"\n"
      << "    database: \"\"\n"
      << "    pidfile: \"" << d << "/nsd.pid\"\n"
      << "    logfile: \"" << d << "/nsd.log\"\n"
      << "    xfrdfile: \"" << d << "/xfrd.state\"\n"
      << "    xfrdir: \"" << d << "\"\n"
      << "    zonelistfile: \"" << d << "/zone.list\"\n"
      << "    server-count: 1\n"
      << "    verbosity: 1\n"
      << "remote-control:\n"
      << "    control-enable: no\n";
    for (const auto& [origin, text] : zones_) {
      c << "zone:\n    name: \"" << origin << "\"\n    zonefile: \"" << zone_file(origin) << "\"\n";
    }
    return c.good() || failed("cannot write nsd.conf");
  }

  // Runs a program to completion with output to `out`; its exit status.
  static int run(std::vector<std::string> argv, const std::filesystem::path& out) {
    pid_t pid = spawn_process(argv, out, false);
    if (pid <= 0) return -1;
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static pid_t spawn_process(std::vector<std::string>& argv, const std::filesystem::path& out, bool own_group) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    if (own_group) {
      posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
      posix_spawnattr_setpgroup(&attr, 0);
    }
    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -1;
  }

  bool spawn() {
    std::vector<std::string> argv = {program("nsd"), "-d", "-c", (dir_ / "nsd.conf").string()};
    pid_ = spawn_process(argv, dir_ / "nsd.out", true);
    return pid_ > 0 || failed("cannot start nsd (Debian package nsd)");
  }

  int family() const { return options_.address.find(':') != std::string::npos ? AF_INET6 : AF_INET; }

  // Fills a sockaddr for options_.address and `port`; its length.
  socklen_t sockaddr_for(std::uint16_t port, sockaddr_storage& ss) const {
    ss = {};
    if (family() == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(port);
      ::inet_pton(AF_INET6, options_.address.c_str(), &a->sin6_addr);
      return sizeof(sockaddr_in6);
    }
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    ::inet_pton(AF_INET, options_.address.c_str(), &a->sin_addr);
    return sizeof(sockaddr_in);
  }

  // A port free for both UDP and TCP right now (the kernel's choice).
  std::optional<std::uint16_t> pick_port() const {
    for (int i = 0; i < 20; ++i) {
      int udp = ::socket(family(), SOCK_DGRAM, 0);
      sockaddr_storage ss;
      socklen_t len = sockaddr_for(0, ss);
      if (udp < 0 || ::bind(udp, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        if (udp >= 0) ::close(udp);
        return std::nullopt;
      }
      ::getsockname(udp, reinterpret_cast<sockaddr*>(&ss), &len);
      std::uint16_t port = family() == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                                : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
      int tcp = ::socket(family(), SOCK_STREAM, 0);
      len = sockaddr_for(port, ss);
      bool ok = tcp >= 0 && ::bind(tcp, reinterpret_cast<sockaddr*>(&ss), len) == 0;
      if (tcp >= 0) ::close(tcp);
      ::close(udp);
      if (ok && port >= 1024) return port;
    }
    return std::nullopt;
  }

  std::optional<std::vector<std::uint8_t>> exchange(std::string_view name, std::uint16_t qtype,
                                                    std::chrono::milliseconds timeout) const {
    static thread_local std::mt19937 rng{std::random_device{}()};
    std::uint16_t id = static_cast<std::uint16_t>(rng());
    std::vector<std::uint8_t> q = {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 0, 0, 0, 1,
                                   0, 0, 0, 0, 0, 0};
    std::string_view rest = name;
    while (!rest.empty() && rest != ".") {
      auto dot = rest.find('.');
      auto label = rest.substr(0, dot);
      q.push_back(static_cast<std::uint8_t>(label.size()));
      q.insert(q.end(), label.begin(), label.end());
      rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    }
    q.push_back(0);
    q.insert(q.end(), {static_cast<std::uint8_t>(qtype >> 8), static_cast<std::uint8_t>(qtype), 0, 1});

    int fd = ::socket(family(), SOCK_DGRAM, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_storage ss;
    socklen_t len = sockaddr_for(port_, ss);
    std::optional<std::vector<std::uint8_t>> result;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 && ::send(fd, q.data(), q.size(), 0) > 0) {
      auto deadline = std::chrono::steady_clock::now() + timeout;
      for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        std::vector<std::uint8_t> buf(4096);
        ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n < 12) continue;  // also ECONNREFUSED before nsd binds: poll again until the deadline
        if (buf[0] != q[0] || buf[1] != q[1] || !(buf[2] & 0x80)) continue;
        buf.resize(static_cast<std::size_t>(n));
        result = std::move(buf);
        break;
      }
    }
    ::close(fd);
    return result;
  }

  Ready wait_ready() {
    auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        std::string log = logs();
        if (log.find("in use") != std::string::npos || log.find("can't bind") != std::string::npos ||
            log.find("cannot bind") != std::string::npos) {
          return Ready::PortTaken;
        }
        failed("nsd exited during start-up\n" + log);
        return Ready::No;
      }
      bool all = true;
      for (const auto& [origin, text] : zones_) {
        auto rcode = query_rcode(origin, 6 /* SOA */, std::chrono::milliseconds(100));
        if (rcode != 0) {
          all = false;
          break;
        }
      }
      if (all) return Ready::Yes;
    }
    failed("nsd did not answer SOA queries within " + std::to_string(options_.ready_timeout.count()) + " s\n" +
           logs());
    return Ready::No;
  }

  std::map<std::string, std::string> zones_;
  Options options_;
  std::filesystem::path dir_;
  std::string error_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace impulse::test

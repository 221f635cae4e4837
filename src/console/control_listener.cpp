// Implementation of control_listener.hpp (Asio coroutines).
#include "console/control_listener.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cstdint>
#include <cstdio>
#include <type_traits>
#include <unordered_map>

#include "config/net.hpp"
#include "console/login.hpp"
#include "runtime/acceptor.hpp"
#include "runtime/deadline.hpp"
#include "runtime/spawn.hpp"
#include "runtime/worker_thread.hpp"

namespace impulse::console {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::awaitable;
using asio::use_awaitable;
using runtime::with_deadline;
using UnixAcceptor = runtime::Acceptor<asio::local::stream_protocol>;
using TcpAcceptor = runtime::Acceptor<asio::ip::tcp>;
using TlsStream = ssl::stream<asio::ip::tcp::socket>;

namespace {

// What one Listen asks of its clients.
struct Guard {
  PasswordCheck login;
  std::shared_ptr<ssl::context> tls;
};

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

template <class Stream>
std::string peer_of(Stream& s) {
  boost::system::error_code ec;
  const auto ep = s.lowest_layer().remote_endpoint(ec);
  if (ec) return {};
  if constexpr (std::is_same_v<std::decay_t<decltype(ep)>, asio::ip::tcp::endpoint>) {
    return ep.address().is_v6() ? "[" + ep.address().to_string() + "]:" + std::to_string(ep.port())
                                : ep.address().to_string() + ":" + std::to_string(ep.port());
  } else {
    return "local";
  }
}

}  // namespace

struct ControlListener::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, const CommandRegistry& reg, std::chrono::seconds idle, ProblemSink problems)
      : io_(io), registry_(reg), idle_(idle), problems_(std::move(problems)) {}

  asio::io_context& io_;
  const CommandRegistry& registry_;
  std::chrono::seconds idle_;
  ProblemSink problems_;
  std::vector<std::pair<std::shared_ptr<UnixAcceptor>, Guard>> unix_acceptors_;
  std::vector<std::pair<std::shared_ptr<TcpAcceptor>, Guard>> tcp_acceptors_;
  std::vector<std::string> socket_files_;
  // Password checks, off the event loop; made by listen() for the first Listen with a login.
  std::unique_ptr<runtime::WorkerThread> login_worker_;
  // Open sessions' deadline timers: stop() cancels them, which interrupts a pending read.
  std::unordered_map<std::uint64_t, asio::steady_timer*> sessions_;
  std::uint64_t next_session_ = 0;
  bool stopped_ = false;

  asio::steady_timer::time_point idle_deadline() const { return asio::steady_timer::clock_type::now() + idle_; }

  void report(const std::string& line) const {
    if (problems_) problems_(line);
    else std::fprintf(stderr, "%s\n", line.c_str());
  }

  template <class Stream>
  awaitable<bool> write(Stream& sock, asio::steady_timer& deadline, const std::string& out) {
    const auto r = co_await with_deadline(asio::async_write(sock, asio::buffer(out), asio::as_tuple(use_awaitable)),
                                          deadline, idle_deadline(), runtime::cancel_of(sock.lowest_layer()));
    co_return r.ok();
  }

  // A TLS session the server ends says so (close_notify), within Timeout.
  template <class Stream>
  awaitable<void> finish(Stream& sock, asio::steady_timer& deadline) {
    if constexpr (kIsTls<Stream>) {
      co_await with_deadline(sock.async_shutdown(asio::as_tuple(use_awaitable)), deadline, idle_deadline(),
                             runtime::cancel_of(sock.lowest_layer()));
    }
  }

  // The reply to a command line: a login, a refusal before login, or the command's own.
  // Sets `close` when the connection must end after the reply.
  awaitable<Reply> answer(std::string line, const Guard& guard, LoginGate& gate, asio::steady_timer& deadline,
                          const std::string& name, bool& close) {
    if (is_login_line(line)) {
      auto request = parse_login_line(line);
      if (!request) co_return failed(request.error());
      bool valid = false;
      if (gate.checks_password() && guard.login && login_worker_) {
        // A named job, not a temporary in the co_await expression (g++ 12 may destroy such a temporary twice).
        auto job = [check = guard.login, user = request->user, password = std::move(request->password)] {
          return check(user, password);
        };
        valid = co_await login_worker_->run(std::move(job));
      }
      auto verdict = gate.answer(*request, valid);
      if (verdict.delay.count() > 0 && !stopped_) {
        deadline.expires_after(verdict.delay);
        co_await deadline.async_wait(asio::as_tuple(use_awaitable));  // stop() cancels it
      }
      if (verdict.close) {
        close = true;
        report(name + ": " + std::to_string(kLoginFailuresBeforeClose) + " failed logins; connection closed");
      }
      co_return std::move(verdict.reply);
    }
    if (!gate.admitted()) co_return LoginGate::refusal();
    // Handlers may answer from another thread: hand the reply back through a channel-like timer.
    auto reply = std::make_shared<std::optional<Reply>>();
    auto wake = std::make_shared<asio::steady_timer>(io_, asio::steady_timer::time_point::max());
    registry_.dispatch(line, [this, reply, wake](Reply r) {
      asio::post(io_, [reply, wake, r = std::move(r)]() mutable {
        *reply = std::move(r);
        wake->cancel();
      });
    });
    if (!reply->has_value()) co_await wake->async_wait(asio::as_tuple(use_awaitable));
    co_return std::move(**reply);
  }

  template <class Stream>
  awaitable<void> serve(Stream sock, std::uint64_t id, Guard guard) {
    auto self = shared_from_this();
    asio::steady_timer deadline(io_);
    sessions_.emplace(id, &deadline);
    struct Forget {
      Impl& impl;
      std::uint64_t id;
      ~Forget() { impl.sessions_.erase(id); }
    } forget{*this, id};
    const std::string name = "control session " + std::to_string(id) + " (" + peer_of(sock) + ")";
    if constexpr (kIsTls<Stream>) {
      const auto shook = co_await with_deadline(sock.async_handshake(ssl::stream_base::server,
                                                                     asio::as_tuple(use_awaitable)),
                                                deadline, idle_deadline(), runtime::cancel_of(sock.lowest_layer()));
      if (!shook.ok() || stopped_) co_return;  // Timeout, stopping, or not TLS / a bad handshake
    }
    LoginGate gate(static_cast<bool>(guard.login));
    std::string buf;
    for (;;) {
      auto nl = buf.find('\n');
      if (nl == std::string::npos) {
        if (buf.size() > kMaxCommandLine) {
          if (co_await write(sock, deadline, encode_reply(failed("command line too long\n"))))
            co_await finish(sock, deadline);
          co_return;
        }
        if (stopped_) co_return;
        char chunk[4096];
        const auto r = co_await with_deadline(sock.async_read_some(asio::buffer(chunk), asio::as_tuple(use_awaitable)),
                                              deadline, idle_deadline(), runtime::cancel_of(sock.lowest_layer()));
        if (!r.ok() || stopped_) co_return;  // Timeout (idle), stopping (interrupted), closed
        buf.append(chunk, r.bytes);
        continue;
      }
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      bool close = false;
      const Reply reply = co_await answer(std::move(line), guard, gate, deadline, name, close);
      if (!co_await write(sock, deadline, encode_reply(reply))) co_return;
      if (close) {
        co_await finish(sock, deadline);
        co_return;
      }
    }
  }

  template <class Acceptor>
  void start_accepting(Acceptor& acceptor, const Guard& guard) {
    acceptor.start([self = shared_from_this(), guard](typename Acceptor::socket_type sock) {
      const std::uint64_t id = ++self->next_session_;
      auto name = "control session " + std::to_string(id);
      if constexpr (std::is_same_v<typename Acceptor::socket_type, asio::ip::tcp::socket>) {
        if (guard.tls) {
          runtime::spawn(self->io_.get_executor(), std::move(name),
                         self->serve(TlsStream(std::move(sock), *guard.tls), id, guard),
                         {.problems = self->problems_});
          return;
        }
      }
      runtime::spawn(self->io_.get_executor(), std::move(name), self->serve(std::move(sock), id, guard),
                     {.problems = self->problems_});
    });
  }

  void stop_now() {
    if (stopped_) return;
    stopped_ = true;
    for (auto& [a, guard] : unix_acceptors_) a->stop();
    for (auto& [a, guard] : tcp_acceptors_) a->stop();
    for (auto& [id, deadline] : sessions_) deadline->cancel();
    for (auto& f : socket_files_) ::unlink(f.c_str());
  }
};

ControlListener::ControlListener(asio::io_context& io, const CommandRegistry& registry,
                                 std::chrono::seconds idle_timeout, ProblemSink problems)
    : impl_(std::make_shared<Impl>(io, registry, idle_timeout, std::move(problems))) {}

ControlListener::~ControlListener() { stop(); }

Result<void> ControlListener::listen(const ControlEndpoint& ep) {
  std::string addr = ep.address;
  const Guard guard{ep.login, ep.tls};
  if (ep.login && !impl_->login_worker_) impl_->login_worker_ = std::make_unique<runtime::WorkerThread>("console-login");
  if (addr.rfind("unix:", 0) == 0) addr = addr.substr(5);
  boost::system::error_code ec;
  if (!addr.empty() && (addr[0] == '/' || addr[0] == '.' || addr.find(':') == std::string::npos)) {
    // A Unix socket path. Remove a stale socket left by a previous run.
    if (ep.tls) return fail("control listener: " + addr + ": TLS is for TCP Listens, not Unix sockets");
    struct stat st {};
    if (::stat(addr.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(addr.c_str());
    asio::local::stream_protocol::acceptor acc(impl_->io_);
    acc.open(asio::local::stream_protocol(), ec);
    if (!ec) acc.bind(asio::local::stream_protocol::endpoint(addr), ec);
    if (ec) return fail("control listener: cannot listen on " + addr + ": " + ec.message());
    ::chmod(addr.c_str(), ep.file_mode);
    acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("control listener: cannot listen on " + addr + ": " + ec.message());
    impl_->unix_acceptors_.emplace_back(
        std::make_shared<UnixAcceptor>(
            std::move(acc), runtime::AcceptOptions{.name = "control listener " + addr, .problems = impl_->problems_}),
        guard);
    impl_->socket_files_.push_back(addr);
    return {};
  }
  auto parsed = config::parse_endpoint(addr);
  if (!parsed || !parsed->ip || !parsed->port)
    return fail("control listener: '" + addr + "' is not an IP:port or a socket path");
  auto ip = asio::ip::make_address(parsed->host, ec);
  if (ec) return fail("control listener: bad address '" + addr + "'");
  asio::ip::tcp::endpoint tep(ip, *parsed->port);
  asio::ip::tcp::acceptor acc(impl_->io_);
  acc.open(tep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(tep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("control listener: cannot listen on " + addr + ": " + ec.message());
  impl_->tcp_acceptors_.emplace_back(
      std::make_shared<TcpAcceptor>(
          std::move(acc), runtime::AcceptOptions{.name = "control listener " + addr, .problems = impl_->problems_}),
      guard);
  return {};
}

void ControlListener::start() {
  for (auto& [a, guard] : impl_->unix_acceptors_) impl_->start_accepting(*a, guard);
  for (auto& [a, guard] : impl_->tcp_acceptors_) impl_->start_accepting(*a, guard);
}

void ControlListener::stop() {
  auto impl = impl_;
  asio::post(impl->io_, [impl] { impl->stop_now(); });
}

}  // namespace impulse::console

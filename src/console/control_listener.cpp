// Implementation of control_listener.hpp (Asio coroutines).
#include "console/control_listener.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <cstdint>
#include <unordered_map>

#include "config/net.hpp"
#include "runtime/acceptor.hpp"
#include "runtime/deadline.hpp"
#include "runtime/spawn.hpp"

namespace impulse::console {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using runtime::with_deadline;
using UnixAcceptor = runtime::Acceptor<asio::local::stream_protocol>;
using TcpAcceptor = runtime::Acceptor<asio::ip::tcp>;

struct ControlListener::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, const CommandRegistry& reg, std::chrono::seconds idle, ProblemSink problems)
      : io_(io), registry_(reg), idle_(idle), problems_(std::move(problems)) {}

  asio::io_context& io_;
  const CommandRegistry& registry_;
  std::chrono::seconds idle_;
  ProblemSink problems_;
  std::vector<std::shared_ptr<UnixAcceptor>> unix_acceptors_;
  std::vector<std::shared_ptr<TcpAcceptor>> tcp_acceptors_;
  std::vector<std::string> socket_files_;
  // Open sessions' deadline timers: stop() cancels them, which interrupts a pending read.
  std::unordered_map<std::uint64_t, asio::steady_timer*> sessions_;
  std::uint64_t next_session_ = 0;
  bool stopped_ = false;

  asio::steady_timer::time_point idle_deadline() const { return asio::steady_timer::clock_type::now() + idle_; }

  template <class Socket>
  awaitable<bool> write(Socket& sock, asio::steady_timer& deadline, const std::string& out) {
    const auto r = co_await with_deadline(asio::async_write(sock, asio::buffer(out), asio::as_tuple(use_awaitable)),
                                          deadline, idle_deadline(),
                                          runtime::cancel_of(sock));
    co_return r.ok();
  }

  template <class Socket>
  awaitable<void> serve(Socket sock, std::uint64_t id) {
    auto self = shared_from_this();
    asio::steady_timer deadline(io_);
    sessions_.emplace(id, &deadline);
    struct Forget {
      Impl& impl;
      std::uint64_t id;
      ~Forget() { impl.sessions_.erase(id); }
    } forget{*this, id};
    std::string buf;
    for (;;) {
      auto nl = buf.find('\n');
      if (nl == std::string::npos) {
        if (buf.size() > kMaxCommandLine) {
          co_await write(sock, deadline, encode_reply(failed("command line too long\n")));
          co_return;
        }
        if (stopped_) co_return;
        char chunk[4096];
        const auto r = co_await with_deadline(sock.async_read_some(asio::buffer(chunk), asio::as_tuple(use_awaitable)),
                                              deadline, idle_deadline(),
                                          runtime::cancel_of(sock));
        if (!r.ok() || stopped_) co_return;  // Timeout (idle), stopping (interrupted), closed
        buf.append(chunk, r.bytes);
        continue;
      }
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
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
      if (!co_await write(sock, deadline, encode_reply(**reply))) co_return;
    }
  }

  template <class Acceptor>
  void start_accepting(Acceptor& acceptor) {
    acceptor.start([self = shared_from_this()](typename Acceptor::socket_type sock) {
      const std::uint64_t id = ++self->next_session_;
      runtime::spawn(self->io_.get_executor(), "control session " + std::to_string(id),
                     self->serve(std::move(sock), id), {.problems = self->problems_});
    });
  }

  void stop_now() {
    if (stopped_) return;
    stopped_ = true;
    for (auto& a : unix_acceptors_) a->stop();
    for (auto& a : tcp_acceptors_) a->stop();
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
  if (addr.rfind("unix:", 0) == 0) addr = addr.substr(5);
  boost::system::error_code ec;
  if (!addr.empty() && (addr[0] == '/' || addr[0] == '.' || addr.find(':') == std::string::npos)) {
    // A Unix socket path. Remove a stale socket left by a previous run.
    struct stat st {};
    if (::stat(addr.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(addr.c_str());
    asio::local::stream_protocol::acceptor acc(impl_->io_);
    acc.open(asio::local::stream_protocol(), ec);
    if (!ec) acc.bind(asio::local::stream_protocol::endpoint(addr), ec);
    if (ec) return fail("control listener: cannot listen on " + addr + ": " + ec.message());
    ::chmod(addr.c_str(), ep.file_mode);
    acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("control listener: cannot listen on " + addr + ": " + ec.message());
    impl_->unix_acceptors_.push_back(std::make_shared<UnixAcceptor>(
        std::move(acc), runtime::AcceptOptions{.name = "control listener " + addr, .problems = impl_->problems_}));
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
  impl_->tcp_acceptors_.push_back(std::make_shared<TcpAcceptor>(
      std::move(acc), runtime::AcceptOptions{.name = "control listener " + addr, .problems = impl_->problems_}));
  return {};
}

void ControlListener::start() {
  for (auto& a : impl_->unix_acceptors_) impl_->start_accepting(*a);
  for (auto& a : impl_->tcp_acceptors_) impl_->start_accepting(*a);
}

void ControlListener::stop() {
  auto impl = impl_;
  asio::post(impl->io_, [impl] { impl->stop_now(); });
}

}  // namespace impulse::console

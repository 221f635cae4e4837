// Implementation of control_listener.hpp (Asio coroutines).
#include "console/control_listener.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "config/net.hpp"

namespace impulse::console {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;

struct ControlListener::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, const CommandRegistry& reg, std::chrono::seconds idle)
      : io_(io), registry_(reg), idle_(idle) {}

  asio::io_context& io_;
  const CommandRegistry& registry_;
  std::chrono::seconds idle_;
  std::vector<asio::local::stream_protocol::acceptor> unix_acceptors_;
  std::vector<asio::ip::tcp::acceptor> tcp_acceptors_;
  std::vector<std::string> socket_files_;
  bool stopped_ = false;

  template <class Socket>
  awaitable<void> serve(Socket sock) {
    auto self = shared_from_this();
    std::string buf;
    asio::steady_timer timer(io_);
    for (;;) {
      auto nl = buf.find('\n');
      if (nl == std::string::npos) {
        if (buf.size() > kMaxCommandLine) {
          std::string err = encode_reply(failed("command line too long\n"));
          co_await asio::async_write(sock, asio::buffer(err), asio::as_tuple(use_awaitable));
          co_return;
        }
        char chunk[4096];
        timer.expires_after(idle_);
        auto r = co_await (sock.async_read_some(asio::buffer(chunk), asio::as_tuple(use_awaitable)) ||
                           timer.async_wait(asio::as_tuple(use_awaitable)));
        if (r.index() == 1 || stopped_) co_return;  // Timeout (idle) or stopping
        auto [ec, n] = std::get<0>(r);
        if (ec) co_return;
        buf.append(chunk, n);
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
      std::string out = encode_reply(**reply);
      auto [wec, wn] = co_await asio::async_write(sock, asio::buffer(out), asio::as_tuple(use_awaitable));
      (void)wn;
      if (wec) co_return;
    }
  }

  template <class Acceptor>
  awaitable<void> accept_loop(Acceptor& acc) {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, sock] = co_await acc.async_accept(asio::as_tuple(use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || stopped_) co_return;
        continue;
      }
      asio::co_spawn(io_, serve(std::move(sock)), asio::detached);
    }
  }
};

ControlListener::ControlListener(asio::io_context& io, const CommandRegistry& registry,
                                 std::chrono::seconds idle_timeout)
    : impl_(std::make_shared<Impl>(io, registry, idle_timeout)) {}

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
    impl_->unix_acceptors_.push_back(std::move(acc));
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
  impl_->tcp_acceptors_.push_back(std::move(acc));
  return {};
}

void ControlListener::start() {
  for (auto& a : impl_->unix_acceptors_) asio::co_spawn(impl_->io_, impl_->accept_loop(a), asio::detached);
  for (auto& a : impl_->tcp_acceptors_) asio::co_spawn(impl_->io_, impl_->accept_loop(a), asio::detached);
}

void ControlListener::stop() {
  auto impl = impl_;
  asio::post(impl->io_, [impl] {
    if (impl->stopped_) return;
    impl->stopped_ = true;
    boost::system::error_code ec;
    for (auto& a : impl->unix_acceptors_) a.close(ec);
    for (auto& a : impl->tcp_acceptors_) a.close(ec);
    for (auto& f : impl->socket_files_) ::unlink(f.c_str());
  });
}

}  // namespace impulse::console

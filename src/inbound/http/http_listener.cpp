// Implementation of inbound/http/http_listener.hpp.
#include "inbound/http/http_listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "inbound/http/http_route.hpp"
#include "inbound/http/http_session.hpp"
#include "inbound/listen_socket.hpp"
#include "inbound/stop_tracker.hpp"
#include "inbound/tls_context.hpp"
#include "runtime/acceptor.hpp"
#include "runtime/deadline.hpp"
#include "runtime/spawn.hpp"

namespace impulse::inbound::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr int kListenBacklog = 500;
constexpr auto kRejectWriteTime = std::chrono::seconds(2);

struct Listen {
  HttpListenerSettings settings;
  std::shared_ptr<asio::ssl::context> tls;
  tcp::endpoint endpoint;
  std::unique_ptr<std::atomic<std::size_t>> open = std::make_unique<std::atomic<std::size_t>>(0);
};

struct Loop {
  explicit Loop(asio::io_context& io) : io(io) {}
  asio::io_context& io;
  std::vector<std::shared_ptr<runtime::Acceptor<tcp>>> acceptors;  // one per Listen
  std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions;
  bool stopping = false;
};

asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}

// 503 to a connection over the cap, then close; bounded by kRejectWriteTime.
asio::awaitable<void> reject(tcp::socket socket) {
  Request req{beast_http::verb::get, "/", 11};
  req.keep_alive(false);
  Response res = json_error(beast_http::status::service_unavailable, "too many connections", req);
  asio::steady_timer timer(socket.get_executor());
  co_await runtime::with_deadline(beast_http::async_write(socket, res, asio::as_tuple(asio::use_awaitable)), timer,
                                  std::chrono::steady_clock::now() + kRejectWriteTime, runtime::cancel_of(socket));
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace

struct HttpListener::State : std::enable_shared_from_this<HttpListener::State> {
  State(const Routes& routes, LogSink log) : routes(routes), log(std::move(log)) {}

  const Routes& routes;
  LogSink log;
  std::vector<Listen> listens;
  std::vector<std::unique_ptr<Loop>> loops;
  std::atomic<bool> started{false};
  StopTracker stopping;
  // "EEEEEEEE-H0-SSSSSSSS": listener start time and sequence, shaped like
  // the ESMTP listener's connection ids.
  const std::uint32_t id_epoch = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::atomic<std::uint64_t> next_connection{0};

  std::string next_connection_id() {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%08X-H0-%08llX", id_epoch,
                  static_cast<unsigned long long>(next_connection.fetch_add(1, std::memory_order_relaxed) + 1));
    return buf;
  }

  runtime::ProblemSink problems() {
    return [weak = weak_from_this()](std::string_view line) {
      if (auto self = weak.lock(); self && self->log) self->log(std::string(line));
    };
  }

  void start_session(Loop& loop, Listen& listen, tcp::socket socket) {
    boost::system::error_code ec;
    const tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec) return;
    socket.set_option(tcp::no_delay(true), ec);
    if (listen.open->load() >= listen.settings.max_connections) {
      if (listen.tls) return;  // dropping the socket closes it
      runtime::spawn(loop.io.get_executor(), "http_reject " + remote.address().to_string(), reject(std::move(socket)),
                     {.problems = problems()});
      return;
    }
    HttpPeer peer;
    peer.address = unmapped(remote.address());
    peer.port = remote.port();
    peer.ip = ip_text(peer.address);
    peer.ip_for_acl = to_ip(peer.address);
    peer.connection_id = next_connection_id();
    auto session = std::make_shared<HttpSession>(std::move(socket), listen.settings, listen.tls, routes,
                                                 std::move(peer), problems(), shared_from_this());
    loop.sessions.emplace(session.get(), session);
    ++*listen.open;
    stopping.session_started();
    auto forget = [self = shared_from_this(), &loop, &listen, key = session.get()](std::exception_ptr) {
      loop.sessions.erase(key);
      --*listen.open;
      self->stopping.session_ended();
    };
    runtime::spawn(loop.io.get_executor(),
                   "http_session " + session->peer().ip + ":" + std::to_string(session->peer().port), session->run(),
                   {.problems = problems(), .on_done = std::move(forget)});
  }

  void stop_loop(Loop& loop) {
    if (!loop.stopping) {
      loop.stopping = true;
      for (auto& a : loop.acceptors) a->stop();
      for (auto& [key, weak] : loop.sessions)
        if (auto s = weak.lock()) s->shutdown();
    }
    stopping.loop_stopped();
  }
};

Result<std::unique_ptr<HttpListener>> HttpListener::open(const std::vector<asio::io_context*>& loops,
                                                         std::vector<HttpListenerSettings> listens,
                                                         const Routes& routes, LogSink log) {
  if (loops.empty()) return fail("HTTP_Listener: no event loops");
  auto state = std::make_shared<State>(routes, std::move(log));
  for (auto* io : loops) state->loops.push_back(std::make_unique<Loop>(*io));
  state->listens.reserve(listens.size());
  for (auto& settings : listens) {
    const std::string name = "HTTP_Listener " + settings.display_address();
    Listen listen;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(settings.address, ec);
    if (ec) return fail(name + ": not an IP address: " + settings.address);
    if (settings.tls_configured()) {
      auto tls = make_server_tls_context(settings.tls_certificate, settings.tls_key);
      if (!tls) return fail(name + ": " + tls.error().message);
      listen.tls = std::move(*tls);
    }
    tcp::endpoint endpoint(address, settings.port);
    if (settings.port != 0) {
      if (auto probe = probe_port_free(*loops.front(), endpoint, name); !probe)
        return impulse::unexpected(probe.error());
    }
    for (auto& loop : state->loops) {
      tcp::acceptor acceptor(loop->io);
      if (auto bound = bind_reuseport(acceptor, endpoint, name, kListenBacklog); !bound)
        return impulse::unexpected(bound.error());
      if (endpoint.port() == 0) endpoint = acceptor.local_endpoint();  // later loops share the chosen port
      loop->acceptors.push_back(std::make_shared<runtime::Acceptor<tcp>>(
          std::move(acceptor), runtime::AcceptOptions{.name = name, .problems = state->problems()}));
    }
    settings.port = endpoint.port();
    listen.settings = std::move(settings);
    listen.endpoint = endpoint;
    state->listens.push_back(std::move(listen));
  }
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(state)));
}

HttpListener::HttpListener(std::shared_ptr<State> state) : state_(std::move(state)) {}

HttpListener::~HttpListener() { stop(); }

void HttpListener::start() {
  state_->started = true;
  for (auto& loop : state_->loops) {
    asio::post(loop->io, [state = state_, loop = loop.get()] {
      if (loop->stopping) return;
      for (std::size_t i = 0; i < state->listens.size(); ++i) {
        Listen& listen = state->listens[i];
        // A weak reference: the accept loop's frame can outlive the stop
        // until its loop runs again, and must not keep State (which owns
        // every loop's I/O objects) alive past another loop's io_context.
        loop->acceptors[i]->start([weak = std::weak_ptr<State>(state), loop, &listen](tcp::socket socket) {
          if (auto state = weak.lock()) state->start_session(*loop, listen, std::move(socket));
        });
      }
    });
  }
}

void HttpListener::stop(std::function<void()> done) {
  if (!state_->stopping.request_stop(std::move(done), state_->loops.size())) return;
  for (auto& loop : state_->loops)
    asio::post(loop->io, [state = state_, loop = loop.get()] { state->stop_loop(*loop); });
}

std::uint16_t HttpListener::port(std::size_t index) const { return state_->listens.at(index).endpoint.port(); }

std::size_t HttpListener::open_sessions() const { return state_->stopping.live(); }

bool HttpListener::accepting() const { return state_->started && !state_->stopping.stop_requested(); }

}  // namespace impulse::inbound::http

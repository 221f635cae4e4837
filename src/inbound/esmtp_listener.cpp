// Implementation of inbound/esmtp_listener.hpp (Asio coroutines).
#include "inbound/esmtp_listener.hpp"

#include <chrono>
#include <cstdio>

#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <unordered_map>

#include "inbound/esmtp_connection.hpp"
#include "runtime/worker_thread.hpp"
#include "inbound/listen_socket.hpp"
#include "inbound/stop_tracker.hpp"
#include "inbound/tls_context.hpp"
#include "runtime/acceptor.hpp"
#include "runtime/spawn.hpp"

namespace impulse::inbound {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Listen_Backlog's Momentum default.
constexpr int kListenBacklog = 500;

struct SmtpListen {
  ListenerSettings settings;
  std::shared_ptr<asio::ssl::context> tls;
  tcp::endpoint endpoint;  // bound endpoint (real port)
};

// Per event loop; touched only on that loop's thread after open().
struct SmtpLoop {
  explicit SmtpLoop(asio::io_context& io) : io(io) {}
  asio::io_context& io;
  std::vector<std::shared_ptr<runtime::Acceptor<tcp>>> acceptors;  // one per Listen; back-off in runtime
  std::unordered_map<EsmtpConnection*, std::weak_ptr<EsmtpConnection>> sessions;
  bool stopping = false;
};

}  // namespace

struct EsmtpListener::State : std::enable_shared_from_this<EsmtpListener::State> {
  State(queue::Injector& injector, LogSink log) : injector(injector), log(std::move(log)) {}

  queue::Injector& injector;
  LogSink log;
  std::vector<SmtpListen> listens;
  std::vector<std::unique_ptr<SmtpLoop>> loops;
  // SMTP AUTH password checks (crypt(3)) off the event loops: one thread for
  // every loop's sessions; made when a Listen can authenticate.
  std::unique_ptr<runtime::WorkerThread> auth_worker;
  StopTracker stopping;
  // Connection ids: "EEEEEEEE-C0-SSSSSSSS" (listener start time, sequence),
  // shaped like message ids so a log reader can group one session's messages.
  const std::uint32_t id_epoch = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::atomic<std::uint64_t> next_connection{0};

  std::string next_connection_id() {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%08X-C0-%08llX", id_epoch,
                  static_cast<unsigned long long>(next_connection.fetch_add(1, std::memory_order_relaxed) + 1));
    return buf;
  }

  void report(const std::string& line) const {
    if (log) log(line);
  }

  // For sessions and accept loops. Weak: the acceptors it is given to live in this State.
  runtime::ProblemSink problems() {
    return [weak = weak_from_this()](std::string_view line) {
      if (auto self = weak.lock()) self->report(std::string(line));
    };
  }

  void start_session(SmtpLoop& loop, const SmtpListen& listen, tcp::socket socket) {
    boost::system::error_code ec;
    const tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec) return;  // already gone
    socket.set_option(tcp::no_delay(true), ec);
    SessionPeer peer;
    peer.ip = ip_text(remote.address());
    peer.port = remote.port();
    peer.listener_address = listen.settings.display_address();
    peer.relay_allowed = relay_allowed(listen.settings, to_ip(remote.address()));
    peer.tls_offered = listen.tls != nullptr;
    peer.connection_id = next_connection_id();
    auto conn = std::make_shared<EsmtpConnection>(std::move(socket), listen.settings, listen.tls, injector,
                                                  std::move(peer), log, shared_from_this(), auth_worker.get());
    loop.sessions.emplace(conn.get(), conn);
    stopping.session_started();
    auto forget = [self = shared_from_this(), &loop, key = conn.get()](std::exception_ptr) {
      loop.sessions.erase(key);
      self->stopping.session_ended();
    };
    runtime::spawn(loop.io.get_executor(), "esmtp_session " + conn->peer().ip + ":" + std::to_string(conn->peer().port),
                   conn->run(), {.problems = problems(), .on_done = std::move(forget)});
  }

  void stop_loop(SmtpLoop& loop) {
    if (!loop.stopping) {
      loop.stopping = true;
      for (auto& a : loop.acceptors) a->stop();
      for (auto& [key, weak] : loop.sessions)
        if (auto conn = weak.lock()) conn->shutdown();
    }
    stopping.loop_stopped();
  }
};

Result<std::unique_ptr<EsmtpListener>> EsmtpListener::open(const std::vector<asio::io_context*>& loops,
                                                           std::vector<ListenerSettings> listens, queue::Injector& injector,
                                                           LogSink log) {
  if (loops.empty()) return fail("ESMTP_Listener: no event loops");
  auto state = std::make_shared<State>(injector, std::move(log));
  for (auto* io : loops) state->loops.push_back(std::make_unique<SmtpLoop>(*io));
  for (auto& settings : listens) {
    const std::string name = settings.display_address();
    SmtpListen listen;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(settings.address, ec);
    if (ec) return fail("ESMTP_Listener " + name + ": not an IP address: " + settings.address);
    if (settings.tls_configured()) {
      auto tls = make_server_tls_context(settings.tls_certificate, settings.tls_key);
      if (!tls) return fail("ESMTP_Listener " + name + ": " + tls.error().message);
      listen.tls = std::move(*tls);
    }
    tcp::endpoint endpoint(address, settings.port);
    if (settings.port != 0) {
      if (auto probe = probe_port_free(*loops.front(), endpoint, "ESMTP_Listener " + name); !probe)
        return impulse::unexpected(probe.error());
    }
    for (auto& loop : state->loops) {
      tcp::acceptor acceptor(loop->io);
      if (auto bound = bind_reuseport(acceptor, endpoint, "ESMTP_Listener " + name, kListenBacklog); !bound)
        return impulse::unexpected(bound.error());
      if (endpoint.port() == 0) endpoint = acceptor.local_endpoint();  // later loops share the chosen port
      loop->acceptors.push_back(std::make_shared<runtime::Acceptor<tcp>>(
          std::move(acceptor),
          runtime::AcceptOptions{.name = "ESMTP_Listener " + name, .problems = state->problems()}));
    }
    settings.port = endpoint.port();
    if (settings.auth_passwords && !state->auth_worker)
      state->auth_worker = std::make_unique<runtime::WorkerThread>("esmtp-auth");
    listen.settings = std::move(settings);
    listen.endpoint = endpoint;
    state->listens.push_back(std::move(listen));
  }
  return std::unique_ptr<EsmtpListener>(new EsmtpListener(std::move(state)));
}

EsmtpListener::EsmtpListener(std::shared_ptr<State> state) : state_(std::move(state)) {}

EsmtpListener::~EsmtpListener() { stop(); }

void EsmtpListener::start() {
  for (auto& loop : state_->loops) {
    asio::post(loop->io, [state = state_, loop = loop.get()] {
      if (loop->stopping) return;
      for (std::size_t i = 0; i < state->listens.size(); ++i) {
        const SmtpListen& listen = state->listens[i];
        // Weak: see HttpListener::start (http/http_listener.cpp).
        loop->acceptors[i]->start([weak = std::weak_ptr<State>(state), loop, &listen](tcp::socket socket) {
          if (auto state = weak.lock()) state->start_session(*loop, listen, std::move(socket));
        });
      }
    });
  }
}

void EsmtpListener::stop(std::function<void()> done) {
  if (!state_->stopping.request_stop(std::move(done), state_->loops.size())) return;
  for (auto& loop : state_->loops)
    asio::post(loop->io, [state = state_, loop = loop.get()] { state->stop_loop(*loop); });
}

std::uint16_t EsmtpListener::port(std::size_t index) const { return state_->listens.at(index).endpoint.port(); }

std::size_t EsmtpListener::open_sessions() const { return state_->stopping.live(); }

}  // namespace impulse::inbound

// Implementation of inbound/ecstream_listener.hpp (Asio coroutines).
#include "inbound/ecstream_listener.hpp"

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "inbound/ecstream_connection.hpp"
#include "inbound/listen_socket.hpp"
#include "inbound/stop_tracker.hpp"
#include "inbound/tls_context.hpp"
#include "runtime/acceptor.hpp"
#include "runtime/spawn.hpp"

namespace impulse::inbound {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct EcstreamListen {
  EcstreamListenerSettings settings;
  std::shared_ptr<asio::ssl::context> tls;
  tcp::endpoint endpoint;
};

struct EcstreamLoop {
  explicit EcstreamLoop(asio::io_context& io) : io(io) {}
  asio::io_context& io;
  // The settings new connections get, one per Listen (replaced by a reload).
  std::vector<std::shared_ptr<const EcstreamListenerSettings>> settings;
  std::vector<std::shared_ptr<runtime::Acceptor<tcp>>> acceptors;
  std::unordered_map<EcstreamConnection*, std::weak_ptr<EcstreamConnection>> sessions;
  bool stopping = false;
};

Result<std::shared_ptr<asio::ssl::context>> server_tls(const EcstreamListenerSettings& s) {
  auto ctx = make_server_tls_context(s.listen.tls_certificate, s.listen.tls_key);
  if (!ctx) return impulse::unexpected(ctx.error());
  if (!s.tls_client_ca.empty()) {
    SSL_CTX* native = (*ctx)->native_handle();
    if (SSL_CTX_load_verify_locations(native, s.tls_client_ca.c_str(), nullptr) != 1)
      return fail("TLS_Client_CA " + s.tls_client_ca + ": cannot be loaded");
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(s.tls_client_ca.c_str()))
      SSL_CTX_set_client_CA_list(native, names);
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return std::move(*ctx);
}

}  // namespace

struct EcstreamListener::State : std::enable_shared_from_this<EcstreamListener::State> {
  State(queue::Injector& injector, LogSink log) : injector(injector), log(std::move(log)) {}

  queue::Injector& injector;
  LogSink log;
  std::vector<EcstreamListen> listens;
  std::vector<std::unique_ptr<EcstreamLoop>> loops;
  StopTracker stopping;
  // Connection ids "EEEEEEEE-E0-SSSSSSSS": like the ESMTP listener's (C0), E for ECSTREAM.
  const std::uint32_t id_epoch = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::atomic<std::uint64_t> next_connection{0};

  std::string next_connection_id() {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%08X-E0-%08llX", id_epoch,
                  static_cast<unsigned long long>(next_connection.fetch_add(1, std::memory_order_relaxed) + 1));
    return buf;
  }

  void report(const std::string& line) const {
    if (log) log(line);
  }

  runtime::ProblemSink problems() {
    return [weak = weak_from_this()](std::string_view line) {
      if (auto self = weak.lock()) self->report(std::string(line));
    };
  }

  void start_session(EcstreamLoop& loop, std::size_t index, tcp::socket socket) {
    const EcstreamListen& listen = listens[index];
    std::shared_ptr<const EcstreamListenerSettings> settings = loop.settings[index];
    boost::system::error_code ec;
    const tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec) return;
    socket.set_option(tcp::no_delay(true), ec);
    EcstreamPeer peer;
    peer.ip = ip_text(remote.address());
    peer.port = remote.port();
    peer.listener_address = settings->listen.display_address();
    peer.relay_allowed = relay_allowed(settings->listen, to_ip(remote.address()));
    peer.tls = listen.tls != nullptr;
    peer.connection_id = next_connection_id();
    auto conn = std::make_shared<EcstreamConnection>(std::move(socket), std::move(settings), listen.tls, injector,
                                                     std::move(peer), log, problems(), shared_from_this());
    loop.sessions.emplace(conn.get(), conn);
    stopping.session_started();
    auto forget = [self = shared_from_this(), &loop, key = conn.get()](std::exception_ptr) {
      loop.sessions.erase(key);
      self->stopping.session_ended();
    };
    runtime::spawn(loop.io.get_executor(),
                   "ecstream_session " + conn->peer().ip + ":" + std::to_string(conn->peer().port), conn->run(),
                   {.problems = problems(), .on_done = std::move(forget)});
  }

  // New settings for later connections; GOAWAY to the open ones so that
  // their clients reconnect and get them (their messages in flight are
  // still answered). Loop thread.
  void reconfigure_loop(EcstreamLoop& loop, const std::vector<std::shared_ptr<const EcstreamListenerSettings>>& fresh) {
    if (loop.stopping) return;
    for (std::size_t i = 0; i < fresh.size() && i < loop.settings.size(); ++i)
      if (fresh[i]) loop.settings[i] = fresh[i];
    for (auto& [key, weak] : loop.sessions)
      if (auto conn = weak.lock()) conn->shutdown();
  }

  void stop_loop(EcstreamLoop& loop) {
    if (!loop.stopping) {
      loop.stopping = true;
      for (auto& a : loop.acceptors) a->stop();
      for (auto& [key, weak] : loop.sessions)
        if (auto conn = weak.lock()) conn->shutdown();
    }
    stopping.loop_stopped();
  }
};

Result<std::unique_ptr<EcstreamListener>> EcstreamListener::open(const std::vector<asio::io_context*>& loops,
                                                                 std::vector<EcstreamListenerSettings> listens,
                                                                 queue::Injector& injector, LogSink log) {
  if (loops.empty()) return fail("ECStream_Listener: no event loops");
  auto state = std::make_shared<State>(injector, std::move(log));
  for (auto* io : loops) state->loops.push_back(std::make_unique<EcstreamLoop>(*io));
  for (auto& settings : listens) {
    const std::string name = "ECStream_Listener " + settings.listen.display_address();
    EcstreamListen listen;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(settings.listen.address, ec);
    if (ec) return fail(name + ": not an IP address: " + settings.listen.address);
    if (settings.listen.tls_configured()) {
      auto tls = server_tls(settings);
      if (!tls) return fail(name + ": " + tls.error().message);
      listen.tls = std::move(*tls);
    }
    tcp::endpoint endpoint(address, settings.listen.port);
    if (settings.listen.port != 0) {
      if (auto probe = probe_port_free(*loops.front(), endpoint, name); !probe)
        return impulse::unexpected(probe.error());
    }
    for (auto& loop : state->loops) {
      tcp::acceptor acceptor(loop->io);
      if (auto bound = bind_reuseport(acceptor, endpoint, name); !bound) return impulse::unexpected(bound.error());
      if (endpoint.port() == 0) endpoint = acceptor.local_endpoint();
      loop->acceptors.push_back(std::make_shared<runtime::Acceptor<tcp>>(
          std::move(acceptor), runtime::AcceptOptions{.name = name, .problems = state->problems()}));
    }
    settings.listen.port = endpoint.port();
    auto shared = std::make_shared<const EcstreamListenerSettings>(settings);
    for (auto& loop : state->loops) loop->settings.push_back(shared);
    listen.settings = std::move(settings);
    listen.endpoint = endpoint;
    state->listens.push_back(std::move(listen));
  }
  return std::unique_ptr<EcstreamListener>(new EcstreamListener(std::move(state)));
}

EcstreamListener::EcstreamListener(std::shared_ptr<State> state) : state_(std::move(state)) {}

EcstreamListener::~EcstreamListener() { stop(); }

void EcstreamListener::start() {
  for (auto& loop : state_->loops) {
    asio::post(loop->io, [state = state_, loop = loop.get()] {
      if (loop->stopping) return;
      for (std::size_t i = 0; i < state->listens.size(); ++i) {
        // Weak: see HttpListener::start (http/http_listener.cpp).
        loop->acceptors[i]->start([weak = std::weak_ptr<State>(state), loop, i](tcp::socket socket) {
          if (auto state = weak.lock()) state->start_session(*loop, i, std::move(socket));
        });
      }
    });
  }
}

void EcstreamListener::stop(std::function<void()> done) {
  if (!state_->stopping.request_stop(std::move(done), state_->loops.size())) return;
  for (auto& loop : state_->loops)
    asio::post(loop->io, [state = state_, loop = loop.get()] { state->stop_loop(*loop); });
}

void EcstreamListener::reconfigure(std::vector<EcstreamListenerSettings> listens) {
  std::vector<std::shared_ptr<const EcstreamListenerSettings>> fresh(state_->listens.size());
  for (auto& s : listens) {
    for (std::size_t i = 0; i < state_->listens.size(); ++i) {
      const EcstreamListenerSettings& bound = state_->listens[i].settings;
      if (s.listen.address != bound.listen.address || (s.listen.port != bound.listen.port && s.listen.port != 0)) continue;
      s.listen.port = bound.listen.port;
      // TLS files are loaded when the listener opens: a reload keeps them.
      s.listen.tls_certificate = bound.listen.tls_certificate;
      s.listen.tls_key = bound.listen.tls_key;
      s.tls_client_ca = bound.tls_client_ca;
      fresh[i] = std::make_shared<const EcstreamListenerSettings>(std::move(s));
      break;
    }
  }
  for (auto& loop : state_->loops)
    asio::post(loop->io, [state = state_, loop = loop.get(), fresh] { state->reconfigure_loop(*loop, fresh); });
}

std::uint16_t EcstreamListener::port(std::size_t index) const { return state_->listens.at(index).endpoint.port(); }

std::size_t EcstreamListener::open_sessions() const { return state_->stopping.live(); }

}  // namespace impulse::inbound

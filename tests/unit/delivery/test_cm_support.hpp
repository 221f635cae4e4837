// Fixtures for the connection manager tests:
//   - CmSmtpServer: an in-process scripted SMTP server (Asio coroutines) on
//     its own 127.x address, counting what a test asserts on: connections
//     accepted, open now and at most at once, QUITs, peer addresses, EHLO
//     names, message data. It can hold the reply to the final dot until
//     release(), so connections stay busy while a test looks at them.
//   - closed_port(): a port on an address where nothing listens (connect
//     is refused).
//   - CmHarness: a real Scheduler (MemoryStore, ManualClock, recording
//     logs, one event loop) with a ConnectionManager as its agent, an
//     injector, and run_until() that runs the loop until a condition holds
//     (bounded, so a bug fails instead of hanging).
// Everything runs on the test thread, on one io_context.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "delivery/connection_manager.hpp"
#include "delivery/smtp/smtp_settings_config.hpp"
#include "delivery/smtp/smtp_transport.hpp"
#include "dns/resolver.hpp"
#include "support/fake_resolver.hpp"
#include "queue/id_source.hpp"
#include "queue/injector.hpp"
#include "routing/router.hpp"
#include "queue/scheduler.hpp"
#include "spool/memory_store.hpp"
#include "support/scheduler_harness.hpp"

namespace impulse::delivery::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

// Open connections summed over several servers (possibly on another thread).
struct Concurrency {
  std::atomic<std::size_t> open{0};
  std::atomic<std::size_t> max_open{0};
  void enter() {
    const std::size_t now = ++open;
    std::size_t seen = max_open.load();
    while (now > seen && !max_open.compare_exchange_weak(seen, now)) {
    }
  }
  void leave() { --open; }
};

class CmSmtpServer {
 public:
  CmSmtpServer(asio::io_context& io, const std::string& address, std::shared_ptr<Concurrency> shared = {})
      : acceptor_(std::make_shared<tcp::acceptor>(io, tcp::endpoint(asio::ip::make_address(address), 0))),
        state_(std::make_shared<State>()) {
    state_->shared = std::move(shared);
    asio::co_spawn(io, accept_loop(acceptor_, state_), asio::detached);
  }
  ~CmSmtpServer() { close(); }

  std::uint16_t port() const { return acceptor_->local_endpoint().port(); }
  std::string address() const { return acceptor_->local_endpoint().address().to_string(); }

  void close() {
    boost::system::error_code ec;
    acceptor_->close(ec);
    release();
  }

  // Hold every reply to the final dot until release().
  void hold(bool on) { state_->holding = on; }
  void release() {
    state_->holding = false;
    auto gates = std::move(state_->gates);
    for (auto& g : gates) g->cancel();
  }
  // Reply to RCPT TO with this instead of 250.
  void reject_rcpt(std::string reply) { state_->rcpt_reply = std::move(reply); }
  // Advertise XCLIENT (Postfix's attributes) and record the XCLIENT lines.
  void advertise_xclient(bool on) { state_->xclient = on; }
  const std::vector<std::string>& xclients() const { return state_->xclients; }

  std::size_t accepted() const { return state_->accepted; }
  std::size_t open() const { return state_->open; }
  std::size_t max_open() const { return state_->max_open; }
  std::size_t quits() const { return state_->quits; }
  std::size_t held() const { return state_->gates.size(); }
  const std::vector<std::string>& peers() const { return state_->peers; }
  const std::vector<std::string>& ehlos() const { return state_->ehlos; }
  const std::vector<std::string>& messages() const { return state_->messages; }
  const std::vector<std::string>& rcpts() const { return state_->rcpts; }

 private:
  struct State {
    bool holding = false;
    bool xclient = false;
    std::vector<std::string> xclients;
    std::string rcpt_reply = "250 2.1.5 Ok";
    std::vector<std::shared_ptr<asio::steady_timer>> gates;
    std::size_t accepted = 0, open = 0, max_open = 0, quits = 0;
    std::vector<std::string> peers, ehlos, messages, rcpts;
    std::shared_ptr<Concurrency> shared;  // optional, thread-safe
  };

  static asio::awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor, std::shared_ptr<State> st) {
    for (;;) {
      auto [ec, socket] = co_await acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(acceptor->get_executor(), session(std::move(socket), st), asio::detached);
    }
  }

  static asio::awaitable<void> session(tcp::socket socket, std::shared_ptr<State> st) {
    if (st->shared) st->shared->enter();
    ++st->accepted;
    ++st->open;
    st->max_open = std::max(st->max_open, st->open);
    boost::system::error_code ignored;
    st->peers.push_back(socket.remote_endpoint(ignored).address().to_string());
    auto tok = asio::as_tuple(asio::use_awaitable);
    auto send = [&](std::string text) -> asio::awaitable<bool> {
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(text), tok);
      co_return !ec;
    };
    std::string buffer;
    bool left = false;
    auto read_line = [&]() -> asio::awaitable<std::optional<std::string>> {
      auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n", tok);
      if (ec) co_return std::nullopt;
      std::string line = buffer.substr(0, n - 2);
      buffer.erase(0, n);
      co_return line;
    };
    if (co_await send("220 cm-test ESMTP\r\n")) {
      for (;;) {
        auto line = co_await read_line();
        if (!line) break;
        const std::string verb = line->substr(0, 4);
        if (verb == "EHLO" || verb == "HELO") {
          st->ehlos.push_back(line->size() > 5 ? line->substr(5) : "");
          std::string hello = verb == "EHLO" ? "250-cm-test\r\n250 ENHANCEDSTATUSCODES\r\n" : "250 cm-test\r\n";
          if (verb == "EHLO" && st->xclient)
            hello = "250-cm-test\r\n250-XCLIENT NAME ADDR PROTO HELO\r\n250 ENHANCEDSTATUSCODES\r\n";
          if (!co_await send(hello)) break;
        } else if (line->rfind("XCLIENT ", 0) == 0) {
          st->xclients.push_back(*line);
          if (!co_await send("220 cm-test ESMTP\r\n")) break;
        } else if (verb == "MAIL") {
          if (!co_await send("250 2.1.0 Ok\r\n")) break;
        } else if (verb == "RCPT") {
          st->rcpts.push_back(*line);
          if (!co_await send(st->rcpt_reply + "\r\n")) break;
        } else if (verb == "DATA") {
          if (!co_await send("354 End data with <CR><LF>.<CR><LF>\r\n")) break;
          auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n.\r\n", tok);
          if (ec) break;
          st->messages.push_back(buffer.substr(0, n - 3));
          buffer.erase(0, n);
          if (st->holding) {
            auto gate = std::make_shared<asio::steady_timer>(socket.get_executor(),
                                                             asio::steady_timer::time_point::max());
            st->gates.push_back(gate);
            co_await gate->async_wait(tok);
          }
          if (!co_await send("250 2.0.0 Ok: queued\r\n")) break;
        } else if (verb == "RSET" || verb == "NOOP") {
          if (!co_await send("250 2.0.0 Ok\r\n")) break;
        } else if (verb == "QUIT") {
          // The client counts the connection closed once it has the 221.
          if (st->shared && !left) {
            st->shared->leave();
            left = true;
          }
          ++st->quits;
          co_await send("221 2.0.0 Bye\r\n");
          break;
        } else {
          if (!co_await send("502 5.5.2 Error: command not recognized\r\n")) break;
        }
      }
    }
    socket.close(ignored);
    --st->open;
    if (st->shared && !left) st->shared->leave();
  }

  std::shared_ptr<tcp::acceptor> acceptor_;
  std::shared_ptr<State> state_;
};

// A port on `address` where nothing listens.
// Whether a log line holds `text`.
inline bool contains(const std::string& line, std::string_view text) { return line.find(text) != std::string::npos; }

inline std::uint16_t closed_port(asio::io_context& io, const std::string& address) {
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address(address), 0));
  const std::uint16_t port = a.local_endpoint().port();
  a.close();
  return port;
}

// Answers every question NXDOMAIN, posted to the loop (tests route to IP
// literals): the shared fake of tests/support/fake_resolver.hpp.
inline std::unique_ptr<dns::Resolver> no_dns(asio::io_context& loop) {
  return std::make_unique<test::NxDomainResolver>([&loop](std::function<void()> f) { asio::post(loop, std::move(f)); });
}

// Chooses whatever the test sets (the header policy's choice, in tests that
// stand in for the injector hook).
class SettablePolicy final : public routing::BindingPolicy {
 public:
  routing::BindingChoice choose(const spool::Message&) const override { return choice; }
  routing::BindingChoice choice;
};

// The SMTP transport for ESMTP, SMTP and LMTP with test deadlines (10 s
// everywhere instead of minutes) and an optional tweak.
inline TransportRegistry smtp_transports(std::function<void(smtp::SmtpSettings&)> tweak = {}) {
  const TransportFactory factory = smtp::smtp_transport_factory(
      [tweak](const config::Config& c, const config::OutboundKey& k) -> Result<smtp::SmtpSettings> {
        auto s = smtp::smtp_settings_from_config(c, k);
        if (s) {
          s->timeouts.connect = std::chrono::seconds(10);
          s->timeouts.ehlo = s->timeouts.mailfrom = s->timeouts.rcptto = std::chrono::seconds(10);
          s->timeouts.body = s->timeouts.rset = std::chrono::seconds(10);
          if (tweak) tweak(*s);
        }
        return s;
      });
  TransportRegistry registry;
  registry.add(routing::DeliveryMethod::Esmtp, factory);
  registry.add(routing::DeliveryMethod::Smtp, factory);
  registry.add(routing::DeliveryMethod::Lmtp, factory);
  return registry;
}

class CmHarness {
 public:
  static constexpr const char* kHostname = "mta.test";

  explicit CmHarness(const std::string& config_text,
                     std::function<void(smtp::SmtpSettings&)> tweak = {})
      : CmHarness(config_text, smtp_transports(std::move(tweak))) {}

  CmHarness(const std::string& config_text, TransportRegistry transports)
      : ids(store.id_epoch()), router(policy) {
    config = queue::testing::config_from(config_text);
    auto made = ConnectionManager::create(ConnectionManagerDeps{
        .loops = {&io},
        .clock = clock,
        .config = [this] { return config; },
        .resolver = [](asio::io_context& loop) -> Result<std::unique_ptr<dns::Resolver>> {
          return no_dns(loop);
        },
        .problem = [this](std::string_view t) { problems.emplace_back(t); },
        .transports = std::move(transports),
        .random_seed = 42,
        .take_batch = 4,
    });
    EXPECT_TRUE(made.has_value());
    cm = std::move(*made);
    scheduler = std::make_unique<queue::Scheduler>(queue::SchedulerDeps{
        .loops = {&io},
        .store = store,
        .agent = *cm,
        .log = log,
        .clock = clock,
        .config = [this] { return config; },
        .ids = ids,
        .router = router,
        .hostname = kHostname,
    });
    injector = std::make_unique<queue::MessageInjector>(
        queue::InjectorDeps{store, *scheduler, router, ids, log, clock, kHostname});
  }

  ~CmHarness() {
    bool stopped = false;
    cm->stop([&] { stopped = true; });
    EXPECT_TRUE(run_until([&] { return stopped; })) << "connection manager did not stop";
    scheduler->stop();
    injector.reset();
    scheduler.reset();
    cm.reset();
  }

  // Runs the loop until `done()` holds; false if it did not within `limit`
  // (a generous bound against hangs, not a timing assertion).
  bool run_until(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io.restart();
      io.run_one_for(std::chrono::milliseconds(50));
    }
    return true;
  }

  void inject(const std::string& from, std::vector<std::string> rcpts,
              std::string data = "Subject: test\r\n\r\nHello\r\n") {
    queue::Injection m;
    m.origin.helo = "client.example.net";
    m.origin.esmtp = true;
    m.envelope.sender = from;
    m.envelope.recipients = std::move(rcpts);
    m.data = std::move(data);
    m.origin.peer_ip = "127.0.0.1";
    bool done = false;
    injector->inject(std::move(m), [&](Result<std::string> r) {
      EXPECT_TRUE(r.has_value());
      done = true;
    });
    EXPECT_TRUE(done);
  }

  void inject_many(std::size_t n, const std::string& domain) {
    for (std::size_t i = 0; i < n; ++i) inject("sender@origin.test", {"user" + std::to_string(i) + "@" + domain});
  }

  // Mainlog records of a type, counted incrementally (run_until asks after
  // every handler: re-parsing the whole log each time would dominate).
  std::size_t count(const std::string& type) {
    auto& c = counted_[type];
    const std::string marker = "@" + type + "@";
    for (; c.first < log.mainlog.size(); ++c.first) c.second += log.mainlog[c.first].find(marker) != std::string::npos;
    return c.second;
  }
  std::size_t delivered() { return count("D"); }
  std::size_t transients() { return count("T"); }

  ManualClock clock;
  spool::MemoryStore store;
  queue::testing::RecordingLog log;
  queue::IdSource ids;
  SettablePolicy policy;
  routing::Router router;
  config::ConfigPtr config;
  asio::io_context io;
  std::vector<std::string> problems;
  std::unique_ptr<ConnectionManager> cm;
  std::unique_ptr<queue::Scheduler> scheduler;
  std::unique_ptr<queue::MessageInjector> injector;

 private:
  std::map<std::string, std::pair<std::size_t, std::size_t>> counted_;  // type -> (lines seen, matches)
};

// "smtp://ADDR?port=P&pref=N"
inline std::string route(const CmSmtpServer& s, int pref) {
  return "\"smtp://" + s.address() + "?port=" + std::to_string(s.port()) + "&pref=" + std::to_string(pref) + "\"";
}
inline std::string route(const std::string& address, std::uint16_t port, int pref) {
  return "\"smtp://" + address + "?port=" + std::to_string(port) + "&pref=" + std::to_string(pref) + "\"";
}

}  // namespace impulse::delivery::testing

// LMTP to a Unix socket (issue 6; reference/protocols.md §2 "support
// host:port and unix:/path"):
//   - SmtpConnection connects to a Unix stream socket when the target says
//     so: LHLO, one reply per accepted recipient, outcomes whose remote_ip
//     is the socket path and whose remote host is "localhost"; a missing
//     socket is a host-level connect failure; bind_address does not apply.
//   - The connection manager delivers a queue whose Gateway or route is
//     "unix:/path", logs the path as the D record's remote_ip, quarantines a
//     socket that cannot be reached (by path) and moves its messages to the
//     next route, and shows the socket in `domain NAME`.
// Servers are in-process (a blocking PeerConnection on a thread, or an Asio
// LMTP server on the harness's loop) on sockets in a fresh temp directory.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdlib>
#include <filesystem>

#include "client_harness.hpp"
#include "delivery/smtp/smtp_connection.hpp"
#include "scripted_peer.hpp"
#include "test_cm_support.hpp"

namespace impulse::delivery {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using queue::Scope;
using queue::Stage;
namespace ir = queue::internal_reply;

// A fresh directory for sockets (short: sun_path holds 107 bytes).
class SocketDir {
 public:
  SocketDir() {
    char tmpl[] = "/tmp/impulse-lmtp-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    EXPECT_NE(made, nullptr);
    dir_ = made ? made : "/tmp";
  }
  ~SocketDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

// ---- SmtpConnection over a Unix socket ------------------------------------------

// Accepts connections on a Unix socket on its own thread and runs the script
// for each (the TCP ScriptedPeer's twin).
class UnixScriptedPeer {
 public:
  using Script = smtp::testing::ScriptedPeer::Script;

  UnixScriptedPeer(std::string path, Script script) : path_(std::move(path)), script_(std::move(script)) {
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
    ok_ = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(listen_fd_, 8) == 0 &&
          ::pipe(stop_) == 0;
    if (ok_) thread_ = std::thread([this] { loop(); });
  }
  ~UnixScriptedPeer() {
    if (thread_.joinable()) {
      const char c = 'x';
      [[maybe_unused]] auto n = ::write(stop_[1], &c, 1);
      thread_.join();
      ::close(stop_[0]);
      ::close(stop_[1]);
    }
    ::close(listen_fd_);
    ::unlink(path_.c_str());
  }
  bool ok() const { return ok_; }
  int accepted() const { return accepted_.load(); }

 private:
  void loop() {
    for (int index = 0;; ++index) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (::poll(fds, 2, 60'000) <= 0 || (fds[1].revents & POLLIN)) return;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      ++accepted_;
      smtp::testing::PeerConnection peer(fd, "unix");
      script_(peer, index);
    }
  }

  std::string path_;
  Script script_;
  int listen_fd_ = -1;
  int stop_[2] = {-1, -1};
  bool ok_ = false;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

std::shared_ptr<smtp::SmtpSettings> lmtp_settings() {
  auto s = smtp::testing::test_settings();
  s->protocol = smtp::SessionProtocol::kLmtp;
  return s;
}

smtp::SmtpTarget socket_target(const std::string& path) {
  smtp::SmtpTarget t{"localhost", path, 0, "lmtp.test"};
  t.unix_socket = true;
  return t;
}

smtp::testing::Session unix_session(const std::string& path, std::shared_ptr<const smtp::SmtpSettings> settings,
                                    std::vector<smtp::SmtpJob> jobs) {
  asio::io_context io;
  return smtp::testing::run(io, smtp::testing::open_deliver_close(io.get_executor(), socket_target(path),
                                                                  std::move(settings), std::move(jobs)));
}

TEST(LmtpUnixSocketSession, LhloAndOneReplyPerAcceptedRecipientOverTheSocket) {
  SocketDir dir;
  const std::string path = dir.path("lmtp");
  std::vector<std::string> seen;
  UnixScriptedPeer peer(path, [&](smtp::testing::PeerConnection& c, int) {
    c.greet("220 store.test LMTP\r\n");
    seen.push_back(c.hello({"PIPELINING", "ENHANCEDSTATUSCODES"}).value_or(""));
    for (int i = 0; i < 5; ++i) seen.push_back(c.read_line().value_or(""));
    c.send("250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n550 5.1.1 <nobody@lmtp.test> User doesn't exist\r\n"
           "354 go\r\n");
    c.read_data();
    c.send("250 2.0.0 <a@lmtp.test> Saved\r\n552 5.2.2 <b@lmtp.test> Quota exceeded\r\n");
    c.quit();
  });
  ASSERT_TRUE(peer.ok());
  const auto s = unix_session(path, lmtp_settings(),
                              {smtp::testing::make_job({"a@lmtp.test", "b@lmtp.test", "nobody@lmtp.test"})});
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply << " " << s.open_failure->detail;
  EXPECT_EQ(seen.at(0), "LHLO client.test");
  const auto& out = s.results.at(0).outcomes;
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[0].delivered());
  EXPECT_EQ(out[0].reply, "250 2.0.0 <a@lmtp.test> Saved");
  EXPECT_TRUE(out[1].permanent());
  EXPECT_EQ(out[1].scope, Scope::kRecipient);
  EXPECT_EQ(out[1].stage, Stage::kReadingConfirmation);
  EXPECT_TRUE(out[2].permanent());
  EXPECT_EQ(out[2].stage, Stage::kDuringRcptTo);
  for (const auto& o : out) {
    EXPECT_EQ(o.remote_ip, path) << "the logs' remote_ip names the socket";
    EXPECT_EQ(o.remote_host, "localhost");
  }
  EXPECT_EQ(peer.accepted(), 1);
}

TEST(LmtpUnixSocketSession, MissingSocketIsAHostLevelConnectFailure) {
  SocketDir dir;
  const auto s = unix_session(dir.path("absent"), lmtp_settings(), {smtp::testing::make_job({"a@lmtp.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_TRUE(s.open_failure->outcome.transient());
  EXPECT_EQ(s.open_failure->outcome.scope, Scope::kHost);
  EXPECT_EQ(s.open_failure->outcome.reply, ir::kNoValidHostsNoConnections);
  EXPECT_NE(s.open_failure->detail.find(dir.path("absent")), std::string::npos) << s.open_failure->detail;
}

TEST(LmtpUnixSocketSession, PathTooLongForSunPathFailsCleanly) {
  const auto s = unix_session("/tmp/" + std::string(200, 'x'), lmtp_settings(), {smtp::testing::make_job({"a@x"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, ir::kNoValidHostsNoConnections);
  EXPECT_EQ(s.open_failure->outcome.scope, Scope::kHost);
}

TEST(LmtpUnixSocketSession, BindAddressDoesNotApplyToASocket) {
  SocketDir dir;
  const std::string path = dir.path("lmtp");
  UnixScriptedPeer peer(path, [&](smtp::testing::PeerConnection& c, int) {
    c.greet();
    c.hello({});
    for (int i = 0; i < 3; ++i) c.read_line();
    c.send("250 ok\r\n250 ok\r\n354 go\r\n");
    c.read_data();
    c.send("250 2.0.0 saved\r\n");
    c.quit();
  });
  auto settings = lmtp_settings();
  settings->bind_address = "127.0.0.9";  // the binding's source IP: meaningless for a local socket
  const auto s = unix_session(path, settings, {smtp::testing::make_job({"a@lmtp.test"})});
  ASSERT_FALSE(s.open_failure) << s.open_failure->detail;
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered());
}

// ---- The connection manager -----------------------------------------------------

// An LMTP server on the harness's loop (TCP or Unix): LHLO, pipelined
// commands, and after the dot one reply per accepted recipient, from
// `after_dot` by recipient (default "250 2.0.0 <rcpt> Saved").
template <class Protocol>
class CmLmtpServer {
 public:
  using Acceptor = typename Protocol::acceptor;
  using Socket = typename Protocol::socket;

  CmLmtpServer(asio::io_context& io, typename Protocol::endpoint endpoint)
      : acceptor_(std::make_shared<Acceptor>(io, endpoint)), state_(std::make_shared<State>()) {
    asio::co_spawn(io, accept_loop(acceptor_, state_), asio::detached);
  }
  ~CmLmtpServer() {
    boost::system::error_code ec;
    acceptor_->close(ec);
  }
  typename Protocol::endpoint endpoint() const { return acceptor_->local_endpoint(); }
  void after_dot(std::string rcpt, std::string reply) { state_->after_dot[std::move(rcpt)] = std::move(reply); }
  std::size_t accepted() const { return state_->accepted; }
  const std::vector<std::string>& hellos() const { return state_->hellos; }
  const std::vector<std::string>& delivered() const { return state_->delivered; }

 private:
  struct State {
    std::map<std::string, std::string> after_dot;
    std::size_t accepted = 0;
    std::vector<std::string> hellos, delivered;
  };

  static asio::awaitable<void> accept_loop(std::shared_ptr<Acceptor> acceptor, std::shared_ptr<State> st) {
    for (;;) {
      auto [ec, socket] = co_await acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(acceptor->get_executor(), session(std::move(socket), st), asio::detached);
    }
  }

  static asio::awaitable<void> session(Socket socket, std::shared_ptr<State> st) {
    ++st->accepted;
    auto tok = asio::as_tuple(asio::use_awaitable);
    std::string buffer;
    auto send = [&](std::string text) -> asio::awaitable<bool> {
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(text), tok);
      co_return !ec;
    };
    auto read_line = [&]() -> asio::awaitable<std::optional<std::string>> {
      auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n", tok);
      if (ec) co_return std::nullopt;
      std::string line = buffer.substr(0, n - 2);
      buffer.erase(0, n);
      co_return line;
    };
    std::vector<std::string> rcpts;
    if (!co_await send("220 store.test LMTP\r\n")) co_return;
    for (;;) {
      auto line = co_await read_line();
      if (!line) break;
      const std::string verb = line->substr(0, 4);
      if (verb == "LHLO") {
        st->hellos.push_back(*line);
        if (!co_await send("250-store.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n")) break;
      } else if (verb == "EHLO" || verb == "HELO") {
        st->hellos.push_back(*line);
        if (!co_await send("500 5.5.1 this is LMTP\r\n")) break;
      } else if (verb == "MAIL") {
        rcpts.clear();
        if (!co_await send("250 2.1.0 OK\r\n")) break;
      } else if (verb == "RCPT") {
        const auto open = line->find('<'), close = line->find('>');
        rcpts.push_back(line->substr(open + 1, close - open - 1));
        if (!co_await send("250 2.1.5 OK\r\n")) break;
      } else if (verb == "DATA") {
        if (!co_await send("354 OK\r\n")) break;
        auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n.\r\n", tok);
        if (ec) break;
        buffer.erase(0, n);
        std::string replies;
        for (const auto& r : rcpts) {
          auto it = st->after_dot.find(r);
          const std::string reply = it != st->after_dot.end() ? it->second : "250 2.0.0 <" + r + "> Saved";
          if (reply.starts_with("2")) st->delivered.push_back(r);
          replies += reply + "\r\n";
        }
        if (!co_await send(replies)) break;
      } else if (verb == "RSET") {
        if (!co_await send("250 2.0.0 OK\r\n")) break;
      } else if (verb == "QUIT") {
        co_await send("221 2.0.0 Bye\r\n");
        break;
      } else {
        if (!co_await send("500 5.5.2 unknown\r\n")) break;
      }
    }
    boost::system::error_code ignored;
    socket.close(ignored);
  }

  std::shared_ptr<Acceptor> acceptor_;
  std::shared_ptr<State> state_;
};

using UnixLmtp = CmLmtpServer<asio::local::stream_protocol>;
using TcpLmtp = CmLmtpServer<asio::ip::tcp>;

std::optional<DomainDescription> describe(testing::CmHarness& h, const std::string& domain) {
  std::optional<DomainDescription> d;
  h.cm->describe_domain(domain, [&](DomainDescription x) { d = std::move(x); });
  EXPECT_TRUE(h.run_until([&] { return d.has_value(); }));
  return d;
}

// D/T/P fields: time@msgid@batchid@connid@TYPE@domain@...; remote_ip is
// field 11 of D and field 12 of T/P.
TEST(LmtpUnixSocketDelivery, GatewaySocketDisposesOfEachRecipientOnItsOwn) {
  SocketDir dir;
  testing::CmHarness h("");
  UnixLmtp store(h.io, asio::local::stream_protocol::endpoint(dir.path("lmtp")));
  store.after_dot("full@lmtp.test", "552 5.2.2 <full@lmtp.test> Quota exceeded (mailbox for user is full)");
  store.after_dot("busy@lmtp.test", "452 4.2.2 <busy@lmtp.test> Quota exceeded (mailbox for user is full)");
  h.config = queue::testing::config_from("Domain \"lmtp.test\" { Delivery_Method = LMTP  Gateway = \"unix:" +
                                         dir.path("lmtp") + "\" }");

  h.inject("sender@origin.test", {"alice@lmtp.test", "full@lmtp.test", "busy@lmtp.test"});
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 1 && h.count("P") == 1 && h.transients() == 1; }));
  EXPECT_EQ(store.delivered(), std::vector<std::string>{"alice@lmtp.test"});
  ASSERT_EQ(store.hellos().size(), 1u);
  EXPECT_TRUE(store.hellos()[0].starts_with("LHLO ")) << store.hellos()[0];

  const auto d = h.log.main_records("D");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0][11], dir.path("lmtp"));
  const auto p = h.log.main_records("P");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0][12], dir.path("lmtp"));
  EXPECT_EQ(p[0][13], "552 5.2.2 <full%40lmtp.test> Quota exceeded (mailbox for user is full)");
  const auto t = h.log.main_records("T");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0][13], "452 4.2.2 <busy%40lmtp.test> Quota exceeded (mailbox for user is full)");
  EXPECT_TRUE(h.problems.empty());

  const auto view = describe(h, "lmtp.test");
  ASSERT_TRUE(view);
  ASSERT_EQ(view->records.size(), 1u);
  ASSERT_EQ(view->records[0].hosts.size(), 1u);
  EXPECT_EQ(view->records[0].hosts[0].name, dir.path("lmtp"));
  ASSERT_EQ(view->records[0].hosts[0].addresses.size(), 1u);
  EXPECT_TRUE(view->records[0].hosts[0].addresses[0].unix_socket);
  EXPECT_EQ(view->records[0].hosts[0].addresses[0].address, dir.path("lmtp"));  // shown "[PATH] Unix"
}

TEST(LmtpUnixSocketDelivery, UnreachableSocketIsQuarantinedByPathAndTheNextRouteTakesTheMessages) {
  SocketDir dir;
  // Connections do not idle: the recovery below must choose a host afresh.
  testing::CmHarness h("", [](smtp::SmtpSettings& s) { s.timeouts.idle = std::chrono::milliseconds(1); });
  TcpLmtp backup(h.io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.61"), 0));
  const std::string missing = dir.path("missing");
  h.config = queue::testing::config_from(
      "Domain \"lmtp.test\" { Delivery_Method = LMTP  Routes = ( \"lmtp://unix:" + missing +
      "?pref=1\" \"lmtp://127.0.0.61?port=" + std::to_string(backup.endpoint().port()) + "&pref=10\" ) }");

  h.inject_many(3, "lmtp.test");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 3; }));
  EXPECT_EQ(h.transients(), 0u) << "the socket's messages went to the next route in the same attempt";
  EXPECT_EQ(backup.delivered().size(), 3u);
  for (const auto& d : h.log.main_records("D")) EXPECT_EQ(d[11], "127.0.0.61");

  auto view = describe(h, "lmtp.test");
  ASSERT_TRUE(view);
  const HostView& sock = view->records.at(0).hosts.at(0);
  EXPECT_EQ(sock.name, missing);
  ASSERT_EQ(sock.addresses.size(), 1u);
  EXPECT_TRUE(sock.addresses[0].quarantined);
  EXPECT_EQ(sock.addresses[0].address, missing);  // shown "* [PATH] Unix"
  EXPECT_TRUE(sock.addresses[0].unix_socket);

  // Once the socket exists and Host_Failure_Retry has passed, it is preferred again.
  ASSERT_TRUE(h.run_until([&] { return h.cm->open_connections() == 0; }));
  UnixLmtp store(h.io, asio::local::stream_protocol::endpoint(missing));
  h.clock.advance(std::chrono::seconds(121));
  h.inject_many(2, "lmtp.test");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 5; }));
  EXPECT_EQ(store.delivered().size(), 2u);
  view = describe(h, "lmtp.test");
  ASSERT_TRUE(view);
  EXPECT_FALSE(view->records.at(0).hosts.at(0).addresses.at(0).quarantined);
}

TEST(LmtpUnixSocketDelivery, HostLimitNamedByThePathCapsConnectionsToTheSocket) {
  SocketDir dir;
  testing::CmHarness h("");
  UnixLmtp store(h.io, asio::local::stream_protocol::endpoint(dir.path("lmtp")));
  h.config = queue::testing::config_from("Domain \"lmtp.test\" { Delivery_Method = LMTP  Gateway = \"unix:" +
                                         dir.path("lmtp") + "\" }\nHost \"" + dir.path("lmtp") +
                                         "\" { Max_Outbound_Connections = 1 }");
  h.inject_many(12, "lmtp.test");
  std::size_t most = 0;
  ASSERT_TRUE(h.run_until([&] {
    most = std::max<std::size_t>(most, static_cast<std::size_t>(h.cm->open_connections()));
    return h.delivered() == 12;
  }));
  EXPECT_EQ(most, 1u);
  EXPECT_EQ(store.delivered().size(), 12u);
}

}  // namespace
}  // namespace impulse::delivery

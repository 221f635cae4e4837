// STARTTLS in SmtpConnection against a scripted peer that does real TLS
// (OpenSSL, server side) with certificates made for this test run by the
// openssl command line: a test CA, a server certificate for "mx.test"
// signed by it, a client certificate, and a second, unrelated CA.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <stdlib.h>

#include <cstdlib>
#include <boost/asio/post.hpp>
#include <filesystem>
#include <fstream>

#include "client_harness.hpp"
#include "delivery/smtp/smtp_connection.hpp"
#include "delivery/smtp/tls_client.hpp"
#include "scripted_peer.hpp"

namespace impulse::delivery::smtp {
namespace {

using namespace testing;
using queue::Stage;
namespace ir = queue::internal_reply;
namespace fs = std::filesystem;

class SmtpTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/impulse-smtp-tls-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string d = dir_.string();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::ofstream(dir_ / "server.ext") << "subjectAltName=DNS:mx.test\n";
    std::ofstream(dir_ / "client.ext") << "extendedKeyUsage=clientAuth\n";
    const std::vector<std::string> commands = {
        "openssl req -x509" + ec + " -keyout " + d + "/ca.key -out " + d + "/ca.pem -days 2 -subj /CN=Impulse-Test-CA",
        "openssl req -x509" + ec + " -keyout " + d + "/other.key -out " + d + "/other.pem -days 2 -subj /CN=Other-CA",
        "openssl req" + ec + " -keyout " + d + "/server.key -out " + d + "/server.csr -subj /CN=mx.test",
        "openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d + "/ca.key -CAcreateserial -out " +
            d + "/server.pem -days 2 -extfile " + d + "/server.ext",
        "openssl req" + ec + " -keyout " + d + "/client.key -out " + d + "/client.csr -subj /CN=client.test",
        "openssl x509 -req -in " + d + "/client.csr -CA " + d + "/ca.pem -CAkey " + d + "/ca.key -CAcreateserial -out " +
            d + "/client.pem -days 2 -extfile " + d + "/client.ext",
    };
    for (const auto& cmd : commands) {
      ASSERT_EQ(std::system((cmd + " >>" + d + "/openssl.log 2>&1").c_str()), 0) << cmd;
    }
    server_ctx_ = SSL_CTX_new(TLS_server_method());
    ASSERT_EQ(SSL_CTX_use_certificate_chain_file(server_ctx_, (d + "/server.pem").c_str()), 1);
    ASSERT_EQ(SSL_CTX_use_PrivateKey_file(server_ctx_, (d + "/server.key").c_str(), SSL_FILETYPE_PEM), 1);
    // Ask for a client certificate (without requiring one), trusting the test CA.
    SSL_CTX_load_verify_locations(server_ctx_, (d + "/ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(server_ctx_, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
  }
  static void TearDownTestSuite() {
    SSL_CTX_free(server_ctx_);
    server_ctx_ = nullptr;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static std::string file(const char* name) { return (dir_ / name).string(); }

  // A peer offering STARTTLS: EHLO, STARTTLS, handshake, EHLO again (with
  // `after_tls` extensions), one transaction, QUIT. Records what it saw.
  struct Seen {
    std::vector<std::string> hellos;
    bool tls_in_transaction = false;
    bool client_certificate = false;
    std::vector<std::string> commands;
  };
  static ScriptedPeer::Script tls_script(Seen& seen, std::vector<std::string> after_tls = {"PIPELINING"}) {
    return [&seen, after_tls](PeerConnection& c, int) {
      c.greet();
      seen.hellos.push_back(c.hello({"PIPELINING", "SIZE 100", "STARTTLS"}).value_or(""));
      auto line = c.read_line();
      if (!line || *line != "STARTTLS") return;
      c.send("220 2.0.0 Ready to start TLS\r\n");
      if (!c.start_tls(server_ctx_)) return;
      auto hello = c.hello(after_tls);
      if (!hello) return;  // the client gave up after the handshake
      seen.hellos.push_back(*hello);
      const bool pipelining = !after_tls.empty() && after_tls[0] == "PIPELINING";
      if (pipelining) {
        for (int i = 0; i < 3; ++i) seen.commands.push_back(c.read_line().value_or(""));
        c.send("250 ok\r\n250 ok\r\n354 go\r\n");
      } else {
        for (const char* r : {"250 ok\r\n", "250 ok\r\n", "354 go\r\n"}) {
          seen.commands.push_back(c.read_line().value_or(""));
          EXPECT_FALSE(c.input_pending());
          c.send(r);
        }
      }
      c.read_data();
      seen.tls_in_transaction = c.tls();
      c.send("250 queued\r\n");
      c.quit();
    };
  }

  static fs::path dir_;
  static SSL_CTX* server_ctx_;
};

fs::path SmtpTls::dir_;
SSL_CTX* SmtpTls::server_ctx_ = nullptr;

TEST_F(SmtpTls, RequiredWithVerifiedHostNameDeliversOverTls) {
  Seen seen;
  ScriptedPeer peer(tls_script(seen));
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  settings->tls_verify = TlsVerify::kHost;
  settings->tls_ca = file("ca.pem");
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply << " / " << s.open_failure->detail;
  EXPECT_TRUE(s.tls);
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered());
  EXPECT_TRUE(seen.tls_in_transaction);
  EXPECT_EQ(seen.hellos, (std::vector<std::string>{"EHLO client.test", "EHLO client.test"}));
}

TEST_F(SmtpTls, AnInterruptedIdleReadLeavesTheTlsSessionUsable) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"PIPELINING", "STARTTLS"});
    c.read_line();
    c.send("220 go\r\n");
    ASSERT_TRUE(c.start_tls(server_ctx_));
    c.hello({"PIPELINING"});
    for (const char* final_reply : {"250 one\r\n", "250 two\r\n"}) {
      for (int i = 0; i < 3; ++i) c.read_line();
      c.send("250 ok\r\n250 ok\r\n354 go\r\n");
      c.read_data();
      c.send(final_reply);
    }
    c.quit();
  });
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  const std::vector<SmtpJob> jobs = {make_job({"a@example.test"}), make_job({"b@example.test"})};
  asio::io_context io;
  const auto replies = run(io, [&]() -> asio::awaitable<std::vector<std::string>> {
    std::vector<std::string> out;
    auto conn = co_await SmtpConnection::open(io.get_executor(), target_of(peer.port()), settings);
    if (!conn) co_return out;
    SmtpConnection& c = **conn;
    out.push_back((co_await c.deliver(jobs[0])).outcomes.at(0).reply);
    asio::post(io, [&c] { c.wake(); });
    out.push_back(co_await c.idle() == IdleEnd::kWoken ? "woken" : "not woken");
    out.push_back((co_await c.deliver(jobs[1])).outcomes.at(0).reply);
    out.push_back(c.tls_active() ? "tls" : "plain");
    co_await c.close();
    co_return out;
  }());
  EXPECT_EQ(replies, (std::vector<std::string>{"250 one", "woken", "250 two", "tls"}));
}

TEST_F(SmtpTls, CapabilitiesLearntBeforeTlsAreForgotten) {
  Seen seen;
  ScriptedPeer peer(tls_script(seen, {"8BITMIME"}));  // no PIPELINING, no SIZE after TLS
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_FALSE(s.open_failure) << s.open_failure->detail;
  EXPECT_FALSE(s.caps.pipelining);
  EXPECT_FALSE(s.caps.size);
  EXPECT_TRUE(s.caps.eightbitmime);
  ASSERT_FALSE(seen.commands.empty());
  EXPECT_EQ(seen.commands[0], "MAIL FROM:<sender@origin.test>");  // no SIZE=
}

TEST_F(SmtpTls, VerifyHostFailsOnAWrongName) {
  Seen seen;
  ScriptedPeer peer(tls_script(seen));
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  settings->tls_verify = TlsVerify::kHost;
  settings->tls_ca = file("ca.pem");
  asio::io_context io;
  SmtpTarget target{"wrong.test", "127.0.0.1", peer.port(), "example.test"};
  const auto s = run(io, open_deliver_close(io.get_executor(), target, settings, {make_job({"a@example.test"})}));
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, ir::kCertNameMismatch);
  EXPECT_EQ(s.open_failure->outcome.reply, "451 4.7.5 [internal] SSL cert common name does not match host");
  EXPECT_TRUE(s.open_failure->outcome.transient());
  EXPECT_EQ(s.open_failure->outcome.scope, queue::Scope::kHost);
  EXPECT_EQ(s.open_failure->outcome.stage, Stage::kTlsHandshake);
}

TEST_F(SmtpTls, VerifyHostAcceptsTheDomainName) {
  Seen seen;
  ScriptedPeer peer(tls_script(seen));
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  settings->tls_verify = TlsVerify::kHost;
  settings->tls_ca = file("ca.pem");
  asio::io_context io;
  SmtpTarget target{"127.0.0.1", "127.0.0.1", peer.port(), "mx.test"};  // route by IP literal to domain mx.test
  const auto s = run(io, open_deliver_close(io.get_executor(), target, settings, {make_job({"a@mx.test"})}));
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply;
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered());
}

TEST_F(SmtpTls, VerifyCaFailsWithAnotherCa) {
  Seen seen;
  ScriptedPeer peer(tls_script(seen));
  auto settings = test_settings();
  settings->tls = TlsMode::kIfAvailable;  // verification failures do not fall back to plain text
  settings->tls_verify = TlsVerify::kCa;
  settings->tls_ca = file("other.pem");
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, ir::kCertNotSignedByCa);
  EXPECT_EQ(peer.accepted(), 1);
}

TEST_F(SmtpTls, VerifyOptionalDeliversDespiteAWrongName) {
  Seen seen;
  ScriptedPeer peer(tls_script(seen));
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  settings->tls_verify = TlsVerify::kOptional;
  settings->tls_ca = file("other.pem");
  asio::io_context io;
  SmtpTarget target{"wrong.test", "127.0.0.1", peer.port(), "example.test"};
  const auto s = run(io, open_deliver_close(io.get_executor(), target, settings, {make_job({"a@example.test"})}));
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply;
  EXPECT_TRUE(s.tls);
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered());
}

TEST_F(SmtpTls, ClientCertificateIsPresentedWithASharedContext) {
  std::string subject;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"STARTTLS"});
    c.read_line();
    c.send("220 go\r\n");
    ASSERT_TRUE(c.start_tls(server_ctx_));
    subject = c.client_certificate_subject();
    c.hello({});
    c.quit();
  });
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  settings->tls_certificate = file("client.pem");
  settings->tls_key = file("client.key");
  auto built = make_tls_client_context(*settings);
  ASSERT_TRUE(built) << built.error().message;
  settings->tls_context = *built;
  const auto s = session(peer.port(), settings, {});
  ASSERT_FALSE(s.open_failure) << s.open_failure->detail;
  EXPECT_TRUE(s.tls);
  EXPECT_EQ(subject, "/CN=client.test");
}

TEST_F(SmtpTls, BadCertificateFileIsReportedByName) {
  SmtpSettings settings;
  settings.tls_certificate = file("missing.pem");
  auto built = make_tls_client_context(settings);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().message.find("missing.pem"), std::string::npos) << built.error().message;
}

TEST_F(SmtpTls, IfAvailableAgainstAServerWithoutStartTlsGoesPlain) {
  bool tls = true;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"PIPELINING"});
    EXPECT_EQ(c.read_line().value_or(""), "MAIL FROM:<sender@origin.test>");
    c.read_line();
    c.read_line();
    c.send("250 ok\r\n250 ok\r\n354 go\r\n");
    c.read_data();
    tls = c.tls();
    c.send("250 queued\r\n");
    c.quit();
  });
  auto settings = test_settings();
  settings->tls = TlsMode::kIfAvailable;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_FALSE(s.open_failure);
  EXPECT_FALSE(s.tls);
  EXPECT_FALSE(tls);
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered());
}

TEST_F(SmtpTls, RequiredAgainstAServerWithoutStartTlsFails) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"PIPELINING"});
    c.quit();
  });
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, "451 4.7.6 [internal] STARTTLS required but not advertised");
  EXPECT_EQ(s.open_failure->outcome.stage, Stage::kAfterEhlo);
}

// First connection: STARTTLS is offered and accepted, then the "handshake"
// gets garbage. Second connection (if any): plain delivery; the client must
// not try STARTTLS again.
ScriptedPeer::Script broken_tls_then_plain(std::vector<std::string>& second) {
  return [&second](PeerConnection& c, int index) {
    c.greet();
    c.hello({"PIPELINING", "STARTTLS"});
    if (index == 0) {
      c.read_line();
      c.send("220 go ahead\r\n");
      c.skip(1);  // the ClientHello has begun
      c.send("this is not TLS\r\n");
      c.wait_eof();
      return;
    }
    for (int i = 0; i < 3; ++i) second.push_back(c.read_line().value_or(""));
    c.send("250 ok\r\n250 ok\r\n354 go\r\n");
    c.read_data();
    c.send("250 queued in plain text\r\n");
    c.quit();
  };
}

TEST_F(SmtpTls, HandshakeFailureWithFallbackReconnectsInPlainText) {
  std::vector<std::string> second;
  ScriptedPeer peer(broken_tls_then_plain(second));
  auto settings = test_settings();
  settings->tls = TlsMode::kIfAvailable;
  settings->tls_ifavailable_fallback = true;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply;
  EXPECT_FALSE(s.tls);
  EXPECT_EQ(peer.accepted(), 2);
  EXPECT_EQ(second.at(0), "MAIL FROM:<sender@origin.test>");
  EXPECT_EQ(s.results.at(0).outcomes.at(0).reply, "250 queued in plain text");
}

TEST_F(SmtpTls, HandshakeFailureWithoutFallbackIsTransient) {
  std::vector<std::string> second;
  ScriptedPeer peer(broken_tls_then_plain(second));
  auto settings = test_settings();
  settings->tls = TlsMode::kIfAvailable;
  settings->tls_ifavailable_fallback = false;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, "451 4.7.5 [internal] TLS negotiation failed");
  EXPECT_EQ(s.open_failure->outcome.stage, Stage::kTlsHandshake);
  EXPECT_EQ(queue::stage_code(s.open_failure->outcome.stage), 17);
  EXPECT_EQ(peer.accepted(), 1);
}

TEST_F(SmtpTls, HandshakeFailureWhenRequiredIsTransient) {
  std::vector<std::string> second;
  ScriptedPeer peer(broken_tls_then_plain(second));
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, ir::kTlsNegotiationFailed);
  EXPECT_EQ(peer.accepted(), 1);
}

TEST_F(SmtpTls, RefusedStartTlsWithFallbackGoesOnInPlainText) {
  std::vector<std::string> commands;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"PIPELINING", "STARTTLS"});
    commands.push_back(c.read_line().value_or(""));
    c.send("454 4.7.0 TLS not available due to temporary reason\r\n");
    for (int i = 0; i < 3; ++i) commands.push_back(c.read_line().value_or(""));
    c.send("250 ok\r\n250 ok\r\n354 go\r\n");
    c.read_data();
    c.send("250 queued\r\n");
    c.quit();
  });
  auto settings = test_settings();
  settings->tls = TlsMode::kIfAvailable;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_FALSE(s.open_failure);
  EXPECT_EQ(commands.at(0), "STARTTLS");
  EXPECT_EQ(commands.at(1), "MAIL FROM:<sender@origin.test>");
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered());
}

TEST_F(SmtpTls, RefusedStartTlsWhenRequiredFailsWithTheReply) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"STARTTLS"});
    c.read_line();
    c.send("454 4.7.0 TLS not available\r\n");
    c.quit();
  });
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, "454 4.7.0 TLS not available");
  EXPECT_EQ(s.open_failure->outcome.stage, Stage::kDuringStartTls);
}

TEST_F(SmtpTls, BytesAfterThe220AreRefusedAsInjection) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"STARTTLS"});
    c.read_line();
    c.send("220 go ahead\r\n250 injected\r\n");
    c.wait_eof();
  });
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, ir::kTlsNegotiationFailed);
}

TEST_F(SmtpTls, NoGoAheadInTime) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"STARTTLS"});
    c.read_line();
    c.wait_eof();
  });
  auto settings = test_settings();
  settings->tls = TlsMode::kRequired;
  settings->timeouts.ehlo = std::chrono::milliseconds(1000);
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, "451 4.7.5 [internal] no tls go-ahead");
  EXPECT_EQ(s.open_failure->outcome.stage, Stage::kDuringStartTls);
}

}  // namespace
}  // namespace impulse::delivery::smtp

// delivery/gcm: GcmLink's fall-back to HTTP/1.1 (SPEC §13 "HTTP/2 (ALPN h2)
// is used when the server offers it, else HTTP/1.1 with keep-alive")
// against a TLS server run by the test (its own thread, synchronous Asio
// and Beast) whose ALPN choice is scripted the two ways servers without
// HTTP/2 answer a client offering only h2: the handshake completes without
// ALPN (the FCM stand-in, Python's ssl), or it is refused with the
// no_application_protocol alert 120 (RFC 7301 §3.2; nginx without http2).
// Either way the link connects again offering http/1.1 and the POST is
// answered over HTTP/1.1; without an HTTP/1.1 context the TLS error stays.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <stdlib.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "delivery/gcm/gcm_link.hpp"
#include "delivery/http1/http1_tls.hpp"
#include "delivery/http2/http2_tls.hpp"

namespace impulse::delivery::gcm {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

template <class T>
T run(asio::io_context& io, asio::awaitable<T> work) {
  std::optional<T> result;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

// How the server answers a ClientHello that offers only h2.
enum class H2Offer { kIgnore, kAlert };

// Selects http/1.1 when offered; an h2-only offer is ignored or refused.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen,
                void* arg) {
  static const unsigned char kHttp11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};
  for (unsigned i = 0; i < inlen; i += 1u + in[i]) {
    if (in[i] == sizeof kHttp11 && i + 1 + in[i] <= inlen && std::memcmp(in + i + 1, kHttp11, sizeof kHttp11) == 0) {
      *out = in + i + 1;
      *outlen = in[i];
      return SSL_TLSEXT_ERR_OK;
    }
  }
  return *static_cast<H2Offer*>(arg) == H2Offer::kAlert ? SSL_TLSEXT_ERR_ALERT_FATAL : SSL_TLSEXT_ERR_NOACK;
}

class Http1OnlyServer {
 public:
  Http1OnlyServer(asio::ssl::context& tls, H2Offer offer)
      : tls_(tls), offer_(offer), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    SSL_CTX_set_alpn_select_cb(tls_.native_handle(), &select_alpn, &offer_);
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~Http1OnlyServer() {
    stop_ = true;
    boost::system::error_code ec;
    tcp::socket poke(io_);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

  std::mutex mutex;
  int connections = 0;
  std::vector<std::string> alpn;  // the protocol each handshake selected ("" = none / refused)
  std::vector<http::request<http::string_body>> requests;

 private:
  void serve() {
    while (!stop_) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) return;
      asio::ssl::stream<tcp::socket> stream(std::move(socket), tls_);
      stream.handshake(asio::ssl::stream_base::server, ec);
      const unsigned char* selected = nullptr;
      unsigned selected_len = 0;
      SSL_get0_alpn_selected(stream.native_handle(), &selected, &selected_len);
      {
        std::lock_guard lock(mutex);
        ++connections;
        alpn.emplace_back(ec ? "" : std::string(reinterpret_cast<const char*>(selected), selected_len));
      }
      if (ec) continue;
      boost::beast::flat_buffer buffer;
      for (;;) {
        http::request<http::string_body> req;
        http::read(stream, buffer, req, ec);
        if (ec) break;
        {
          std::lock_guard lock(mutex);
          requests.push_back(req);
        }
        http::response<http::string_body> res{http::status::ok, 11};
        res.set(http::field::content_type, "application/json");
        res.keep_alive(true);
        res.body() = R"({"name":"projects/p/messages/1"})";
        res.prepare_payload();
        http::write(stream, res, ec);
        if (ec) break;
      }
    }
  }

  asio::ssl::context& tls_;
  H2Offer offer_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class GcmLinkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/impulse-gcm-link-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string d = dir_.string();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::ofstream(dir_ / "server.ext") << "subjectAltName=DNS:fcm.test\n";
    const std::vector<std::string> commands = {
        "openssl req -x509" + ec + " -keyout " + d + "/ca.key -out " + d + "/ca.pem -days 2 -subj /CN=Impulse-Test-CA",
        "openssl req" + ec + " -keyout " + d + "/server.key -out " + d + "/server.csr -subj /CN=fcm.test",
        "openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d + "/ca.key -CAcreateserial -out " +
            d + "/server.pem -days 2 -extfile " + d + "/server.ext",
    };
    for (const auto& cmd : commands) ASSERT_EQ(std::system((cmd + " >>" + d + "/openssl.log 2>&1").c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void SetUp() override {
    server_tls_.use_certificate_chain_file((dir_ / "server.pem").string());
    server_tls_.use_private_key_file((dir_ / "server.key").string(), asio::ssl::context::pem);
  }

  // h2 first; `with_http1`: an HTTP/1.1 context to fall back on.
  LinkOptions options(std::uint16_t port, bool with_http1) {
    LinkOptions o;
    o.h2.host = "fcm.test";
    o.h2.address = "127.0.0.1";
    o.h2.port = port;
    o.h2.connect_timeout = std::chrono::seconds(5);
    auto h2 = http2::make_http2_tls_context(http2::Http2TlsOptions{true, (dir_ / "ca.pem").string(), "", ""});
    EXPECT_TRUE(h2.has_value());
    o.h2.tls = *h2;
    if (with_http1) {
      auto h1 = http1::make_http1_tls_context(http1::Http1TlsOptions{true, (dir_ / "ca.pem").string(), "", ""});
      EXPECT_TRUE(h1.has_value());
      o.h1_tls = *h1;
    }
    return o;
  }

  void falls_back_to_http1(H2Offer offer) {
    Http1OnlyServer server(server_tls_, offer);
    asio::io_context io;
    const LinkOptions o = options(server.port(), true);
    auto link = run(io, GcmLink::connect(io.get_executor(), o));
    ASSERT_TRUE(link.has_value()) << link.error().detail;
    EXPECT_TRUE((*link)->http1());
    EXPECT_EQ((*link)->capacity(), 1u);
    LinkRequest request;
    request.path = "/v1/projects/p/messages:send";
    request.headers.emplace_back("content-type", "application/json");
    request.body = R"({"message":{"token":"t"}})";
    for (int i = 0; i < 2; ++i) {
      auto reply = run(io, (*link)->post(request));
      ASSERT_TRUE(reply.has_value()) << reply.error().detail;
      EXPECT_EQ(reply->status, 200);
      EXPECT_EQ(reply->body, R"({"name":"projects/p/messages/1"})");
    }
    run(io, [&]() -> asio::awaitable<bool> {
      co_await (*link)->close(std::chrono::seconds(1));
      co_return true;
    }());
    std::lock_guard lock(server.mutex);
    // The h2-only attempt (ignored or refused), then one kept-alive HTTP/1.1 connection for both POSTs.
    EXPECT_EQ(server.alpn, (std::vector<std::string>{"", "http/1.1"}));
    ASSERT_EQ(server.requests.size(), 2u);
    EXPECT_EQ(server.requests[0].method(), http::verb::post);
    EXPECT_EQ(server.requests[0].target(), "/v1/projects/p/messages:send");
    EXPECT_EQ(server.requests[0].body(), R"({"message":{"token":"t"}})");
  }

  static inline fs::path dir_;
  asio::ssl::context server_tls_{asio::ssl::context::tls_server};
};

TEST_F(GcmLinkTest, AServerThatSelectsNoProtocolGetsHttp1) { falls_back_to_http1(H2Offer::kIgnore); }

TEST_F(GcmLinkTest, AServerThatRefusesAnH2OnlyOfferWithAlert120GetsHttp1) { falls_back_to_http1(H2Offer::kAlert); }

TEST_F(GcmLinkTest, WithoutAnHttp1ContextTheRefusalIsATlsError) {
  Http1OnlyServer server(server_tls_, H2Offer::kAlert);
  asio::io_context io;
  const LinkOptions o = options(server.port(), false);
  auto link = run(io, GcmLink::connect(io.get_executor(), o));
  ASSERT_FALSE(link.has_value());
  EXPECT_EQ(link.error().kind, http2::Http2ErrorKind::kTls);
  EXPECT_NE(link.error().detail.find("no application protocol"), std::string::npos) << link.error().detail;
  // The server thread counts the connection once its handshake call returns,
  // which may be after the client has its error (seen under ASan): wait for it.
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    {
      std::lock_guard lock(server.mutex);
      if (server.connections >= 1 || std::chrono::steady_clock::now() > limit) {
        EXPECT_EQ(server.connections, 1);
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace
}  // namespace impulse::delivery::gcm

// Implementation of delivery/gcm/gcm_transport.hpp: GcmTransport (per loop:
// settings with shared TLS contexts, open) and GcmTokens (daemon-wide).
#include "delivery/gcm/gcm_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "delivery/gcm/gcm_session.hpp"
#include "delivery/gcm/gcm_settings_config.hpp"
#include "delivery/gcm/token_endpoint.hpp"

namespace impulse::delivery::gcm {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

class GcmMethodSettings final : public MethodSettings {
 public:
  std::shared_ptr<const GcmSettings> gcm;
  http2::TlsContextPtr tls;
  http1::Http1TlsContextPtr h1_tls;
  std::shared_ptr<AccessToken> token;
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The access tokens of the whole daemon: one per service account (its
// identity, key and token_uri) and trust (tls_ca, verification), shared by
// the transports of every loop (access_token.hpp: one grant in flight, run
// on the loop that made the token) and reused across snapshots.
class GcmTokens {
 public:
  using Make = std::function<Result<std::shared_ptr<AccessToken>>()>;
  Result<std::shared_ptr<AccessToken>> get(const std::string& key, const Make& make) {
    std::lock_guard lock(mutex_);
    if (auto it = tokens_.find(key); it != tokens_.end()) return it->second;
    auto made = make();
    if (!made) return made;
    tokens_.emplace(key, *made);
    return made;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<AccessToken>> tokens_;
};

class GcmTransport final : public Transport {
 public:
  GcmTransport(asio::io_context& io, runtime::ProblemSink problems, log::EventSink* events,
               std::shared_ptr<GcmTokens> tokens)
      : io_(io), problems_(std::move(problems)), events_(events), tokens_(std::move(tokens)) {}
  ~GcmTransport() override { resolver_->resolver = nullptr; }  // tokens made here outlive this loop's resolver

  void use_resolver(dns::Resolver& resolver) override { resolver_->resolver = &resolver; }

  Result<MethodSettingsPtr> settings(const config::ConfigPtr& config, const config::OutboundKey& key) override {
    if (!config) return fail("no configuration");
    auto gcm = gcm_settings_from_config(*config, key);
    if (!gcm) return unexpected(gcm.error());
    auto made = std::make_shared<GcmMethodSettings>();
    made->max_deliveries_per_session = gcm->max_deliveries_per_connection;
    if (gcm->auth != GcmAuth::kNone) {
      auto tls = tls_context(config, gcm->tls);
      if (!tls) return unexpected(tls.error());
      made->tls = std::move(tls->first);
      made->h1_tls = std::move(tls->second);
    }
    if (gcm->auth == GcmAuth::kServiceAccount) {
      auto token = access_token(*gcm, made->tls, made->h1_tls);
      if (!token) return unexpected(token.error());
      made->token = std::move(*token);
    }
    made->gcm = std::make_shared<const GcmSettings>(std::move(*gcm));
    return MethodSettingsPtr(std::move(made));
  }

  awaitable<SessionOpenResult> open(const SessionTarget& where, const MethodSettingsPtr& settings,
                                    const queue::DeliveryJob&) override {
    const auto& s = static_cast<const GcmMethodSettings&>(*settings);
    GcmSessionContext context;
    context.executor = io_.get_executor();
    context.settings = s.gcm;
    context.token = s.token;
    context.now_unix = &unix_now;
    context.domain = where.key.domain;
    context.events = events_;
    http2::Http2ConnectOptions& c = context.connect.h2;
    context.connect.h1_tls = s.h1_tls;
    const std::string target = where.target.address_text() + "]" + std::to_string(where.target.port);
    context.connect.http1_only = http1_only_.contains(target);
    c.host = where.target.host;
    c.address = where.target.address_text();
    c.port = where.target.port;
    c.bind_address = s.gcm->bind_address;
    c.tls = s.tls;
    c.verify = s.gcm->tls.verify;
    c.connect_timeout = s.gcm->connect_timeout;
    c.write_timeout = std::max<std::chrono::milliseconds>(s.gcm->response_timeout, std::chrono::seconds(1));
    c.problems = problems_;
    if (s.gcm->auth == GcmAuth::kNone) {
      // Nothing to authenticate with: no connection; the session fails
      // each message transiently and holds the queue (SPEC §13).
      co_return std::unique_ptr<Session>(std::make_unique<GcmSession>(std::move(context), nullptr));
    }
    auto opened = co_await GcmLink::connect(context.executor, context.connect);
    if (!opened) {
      PushPeer peer{"GCM", c.address, c.host, 0};
      co_return impulse::unexpected(open_failure(opened.error(), peer));
    }
    if ((*opened)->http1()) http1_only_.insert(target);  // no h2 attempt next time
    co_return std::unique_ptr<Session>(std::make_unique<GcmSession>(std::move(context), std::move(*opened)));
  }

 private:
  // The HTTP/2 (ALPN h2) and HTTP/1.1 (ALPN http/1.1) contexts for one set of TLS options.
  using TlsPair = std::pair<http2::TlsContextPtr, http1::Http1TlsContextPtr>;
  Result<TlsPair> tls_context(const config::ConfigPtr& config, const http2::Http2TlsOptions& options) {
    if (config != tls_config_) {
      tls_contexts_.clear();
      tls_config_ = config;
    }
    std::string key = options.ca + '\0' + options.certificate + '\0' + options.key + (options.verify ? "1" : "0");
    if (auto it = tls_contexts_.find(key); it != tls_contexts_.end()) return it->second;
    auto h2 = http2::make_http2_tls_context(options);
    if (!h2) return unexpected(h2.error());
    auto h1 = http1::make_http1_tls_context(
        http1::Http1TlsOptions{options.verify, options.ca, options.certificate, options.key});
    if (!h1) return unexpected(h1.error());
    TlsPair pair{std::move(*h2), std::move(*h1)};
    tls_contexts_.emplace(std::move(key), pair);
    return pair;
  }

  // The daemon's AccessToken for this service account and trust; made by
  // the first loop that needs it (its grants run there).
  Result<std::shared_ptr<AccessToken>> access_token(const GcmSettings& s, const http2::TlsContextPtr& tls,
                                                    const http1::Http1TlsContextPtr& h1_tls) {
    std::string key = s.account.client_email + '\0' + s.account.private_key + '\0' + s.account.token_uri + '\0' +
                      s.tls.ca + (s.tls.verify ? "1" : "0");
    return tokens_->get(key, [&]() -> Result<std::shared_ptr<AccessToken>> {
      auto signer = OAuthSigner::load(s.account);
      if (!signer) return fail("GCM_Service_Account " + s.service_account_file + ": " + signer.error());
      TokenEndpoint endpoint;
      endpoint.executor = io_.get_executor();
      endpoint.resolver = resolver_;
      endpoint.address_policy = s.address_policy;
      endpoint.uri = s.account.token;
      endpoint.tls = tls;
      endpoint.h1_tls = h1_tls;
      endpoint.verify = s.tls.verify;
      endpoint.bind_address = s.bind_address;
      endpoint.connect_timeout = s.connect_timeout;
      endpoint.response_timeout = std::max<std::chrono::milliseconds>(s.response_timeout, std::chrono::seconds(1));
      endpoint.problems = problems_;
      // The grant's own deadlines: the lookup and the connection (connect_timeout each), the answer.
      const auto wait_limit = 2 * s.connect_timeout + endpoint.response_timeout + std::chrono::seconds(1);
      return std::make_shared<AccessToken>(io_.get_executor(), std::move(*signer), token_poster(std::move(endpoint)),
                                           &unix_now, wait_limit);
    });
  }

  asio::io_context& io_;
  runtime::ProblemSink problems_;
  log::EventSink* events_;
  config::ConfigPtr tls_config_;
  std::map<std::string, TlsPair> tls_contexts_;
  std::set<std::string> http1_only_;  // "<address>]<port>" of servers that did not offer h2
  std::shared_ptr<GcmTokens> tokens_;
  std::shared_ptr<LoopResolver> resolver_ = std::make_shared<LoopResolver>();  // shared with this loop's tokens
};

}  // namespace

TransportFactory gcm_transport_factory(runtime::ProblemSink problems, log::EventSink* events) {
  auto tokens = std::make_shared<GcmTokens>();
  return [problems = std::move(problems), events, tokens](asio::io_context& io) -> std::unique_ptr<Transport> {
    return std::make_unique<GcmTransport>(io, problems, events, tokens);
  };
}

}  // namespace impulse::delivery::gcm

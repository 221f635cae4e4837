// Implementation of delivery/apn/apn_transport.hpp: ApnTransport (per loop:
// settings with shared TLS contexts and provider tokens, open).
#include "delivery/apn/apn_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <random>

#include "base/strings.hpp"
#include "delivery/apn/apn_session.hpp"
#include "delivery/apn/apn_settings_config.hpp"
#include "delivery/apn/provider_token.hpp"
#include "delivery/apn/shared_token.hpp"

namespace impulse::delivery::apn {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

class ApnMethodSettings final : public MethodSettings {
 public:
  std::shared_ptr<const ApnSettings> apn;
  http2::TlsContextPtr tls;
  std::shared_ptr<SharedToken> token;
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The provider tokens of the whole daemon: one per (key file, key id, team
// id), shared by the transports of every loop (shared_token.hpp) and reused
// across snapshots, requests and connections (SPEC §12).
class ApnTokens {
 public:
  Result<std::shared_ptr<SharedToken>> get(const ApnSettings& s) {
    std::lock_guard lock(mutex_);
    std::string key = s.key_file + '\0' + s.key_id + '\0' + s.team_id;
    if (auto it = tokens_.find(key); it != tokens_.end()) return it->second;
    auto loaded = ProviderToken::load(s.key_file, s.key_id, s.team_id);
    if (!loaded) return fail(loaded.error());
    auto token = std::make_shared<SharedToken>(std::move(*loaded));
    tokens_.emplace(std::move(key), token);
    return token;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<SharedToken>> tokens_;
};

class ApnTransport final : public Transport {
 public:
  ApnTransport(asio::io_context& io, runtime::ProblemSink problems, std::shared_ptr<ApnTokens> tokens)
      : io_(io), problems_(std::move(problems)), tokens_(std::move(tokens)), random_(std::random_device{}()) {}

  Result<MethodSettingsPtr> settings(const config::ConfigPtr& config, const config::OutboundKey& key) override {
    if (!config) return fail("no configuration");
    auto apn = apn_settings_from_config(*config, key);
    if (!apn) return unexpected(apn.error());
    auto made = std::make_shared<ApnMethodSettings>();
    made->max_deliveries_per_session = apn->max_deliveries_per_connection;
    if (apn->auth != ApnAuth::kNone) {
      auto tls = tls_context(config, apn->tls);
      if (!tls) return unexpected(tls.error());
      made->tls = std::move(*tls);
    }
    if (apn->auth == ApnAuth::kToken) {
      auto token = tokens_->get(*apn);
      if (!token) return unexpected(token.error());
      made->token = std::move(*token);
    }
    made->apn = std::make_shared<const ApnSettings>(std::move(*apn));
    return MethodSettingsPtr(std::move(made));
  }

  awaitable<SessionOpenResult> open(const SessionTarget& where, const MethodSettingsPtr& settings,
                                    const queue::DeliveryJob&) override {
    const auto& s = static_cast<const ApnMethodSettings&>(*settings);
    ApnSessionContext context;
    context.executor = io_.get_executor();
    context.settings = s.apn;
    context.token = s.token;
    context.random64 = [this] { return random_(); };
    context.now_unix = &unix_now;
    context.domain = where.key.domain;
    http2::Http2ConnectOptions& c = context.connect;
    c.host = where.target.host;
    c.address = where.target.address_text();
    c.port = where.target.port;
    c.bind_address = s.apn->bind_address;
    c.tls = s.tls;
    // SPEC §11: apn:// (and a bare host) always TLS; http:// only on port 443 or with tls = required.
    c.use_tls = !iequals(where.target.scheme, "http") || where.target.port == 443 || s.apn->tls_required;
    c.verify = s.apn->tls.verify;
    c.connect_timeout = s.apn->connect_timeout;
    c.write_timeout = std::max<std::chrono::milliseconds>(s.apn->response_timeout, std::chrono::seconds(1));
    c.problems = problems_;
    if (s.apn->auth == ApnAuth::kNone) {
      // Nothing to authenticate with: no connection; the session fails
      // each message transiently and holds the queue (SPEC §12).
      co_return std::unique_ptr<Session>(std::make_unique<ApnSession>(std::move(context), nullptr));
    }
    auto opened = co_await http2::Http2Connection::connect(context.executor, context.connect);
    if (!opened) {
      ApnPeer peer{c.address, c.host, 0, where.key.domain};
      co_return impulse::unexpected(open_failure(opened.error(), peer));
    }
    co_return std::unique_ptr<Session>(std::make_unique<ApnSession>(std::move(context), std::move(*opened)));
  }

 private:
  Result<http2::TlsContextPtr> tls_context(const config::ConfigPtr& config, const http2::Http2TlsOptions& options) {
    if (config != tls_config_) {
      tls_contexts_.clear();
      tls_config_ = config;
    }
    std::string key = options.ca + '\0' + options.certificate + '\0' + options.key + (options.verify ? "1" : "0");
    if (auto it = tls_contexts_.find(key); it != tls_contexts_.end()) return it->second;
    auto made = http2::make_http2_tls_context(options);
    if (!made) return unexpected(made.error());
    tls_contexts_.emplace(std::move(key), *made);
    return std::move(*made);
  }

  asio::io_context& io_;
  runtime::ProblemSink problems_;
  std::shared_ptr<ApnTokens> tokens_;
  std::mt19937_64 random_;
  config::ConfigPtr tls_config_;
  std::map<std::string, http2::TlsContextPtr> tls_contexts_;
};

}  // namespace

TransportFactory apn_transport_factory(runtime::ProblemSink problems) {
  auto tokens = std::make_shared<ApnTokens>();  // one set for every loop's transport
  return [problems = std::move(problems), tokens](asio::io_context& io) -> std::unique_ptr<Transport> {
    return std::make_unique<ApnTransport>(io, problems, tokens);
  };
}

}  // namespace impulse::delivery::apn

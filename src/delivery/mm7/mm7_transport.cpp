// Implementation of delivery/mm7/mm7_transport.hpp: Mm7Transport (per loop:
// settings with shared TLS contexts, open).
#include "delivery/mm7/mm7_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>
#include <random>

#include "base/strings.hpp"
#include "delivery/http1/http1_connection.hpp"
#include "delivery/mm7/mm7_session.hpp"
#include "delivery/mm7/mm7_settings_config.hpp"

namespace impulse::delivery::mm7 {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

class Mm7MethodSettings final : public MethodSettings {
 public:
  std::shared_ptr<const Mm7Settings> mm7;
  http1::Http1TlsContextPtr tls;
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool tls_scheme(std::string_view scheme) { return iequals(scheme, "mm7s") || iequals(scheme, "https"); }

class Mm7Transport final : public Transport {
 public:
  Mm7Transport(asio::io_context& io, std::shared_ptr<Mm7MessageIds> ids)
      : io_(io), ids_(std::move(ids)), random_(std::random_device{}()) {}

  Result<MethodSettingsPtr> settings(const config::ConfigPtr& config, const config::OutboundKey& key) override {
    if (!config) return fail("no configuration");
    auto mm7 = mm7_settings_from_config(*config, key);
    if (!mm7) return unexpected(mm7.error());
    auto made = std::make_shared<Mm7MethodSettings>();
    made->max_deliveries_per_session = mm7->max_deliveries_per_connection;
    auto tls = tls_context(config, mm7->tls);
    if (!tls) return unexpected(tls.error());
    made->tls = std::move(*tls);
    made->mm7 = std::make_shared<const Mm7Settings>(std::move(*mm7));
    return MethodSettingsPtr(std::move(made));
  }

  awaitable<SessionOpenResult> open(const SessionTarget& where, const MethodSettingsPtr& settings,
                                    const queue::DeliveryJob&) override {
    const auto& s = static_cast<const Mm7MethodSettings&>(*settings);
    Mm7SessionContext context;
    context.executor = io_.get_executor();
    context.settings = s.mm7;
    context.message_ids = ids_;
    context.random64 = [this] { return random_(); };
    context.now_unix = &unix_now;
    const auto& path = where.target.path;
    context.path = !path.empty() && path != "/" ? path : !s.mm7->http_uri.empty() ? s.mm7->http_uri : "/";
    if (context.path.front() != '/') context.path.insert(0, "/");
    context.host_header = s.mm7->http_host;
    http1::Http1ConnectOptions& c = context.connect;
    c.host = where.target.host;
    c.address = where.target.address_text();
    c.port = where.target.port;
    c.bind_address = s.mm7->bind_address;
    if (tls_scheme(where.target.scheme) || s.mm7->tls_required) c.tls = s.tls;
    c.verify = s.mm7->tls.verify;
    c.connect_timeout = s.mm7->connect_timeout;
    auto opened = co_await http1::Http1Connection::connect(context.executor, context.connect);
    if (!opened) co_return impulse::unexpected(open_failure(opened.error(), Mm7Peer{c.address, c.host, 0}));
    co_return std::unique_ptr<Session>(std::make_unique<Mm7Session>(std::move(context), std::move(*opened)));
  }

 private:
  Result<http1::Http1TlsContextPtr> tls_context(const config::ConfigPtr& config, const http1::Http1TlsOptions& o) {
    if (config != tls_config_) {
      tls_contexts_.clear();
      tls_config_ = config;
    }
    std::string key = o.ca + '\0' + o.certificate + '\0' + o.key + (o.verify ? "1" : "0");
    if (auto it = tls_contexts_.find(key); it != tls_contexts_.end()) return it->second;
    auto made = http1::make_http1_tls_context(o);
    if (!made) return unexpected(made.error());
    tls_contexts_.emplace(std::move(key), *made);
    return std::move(*made);
  }

  asio::io_context& io_;
  std::shared_ptr<Mm7MessageIds> ids_;
  std::mt19937_64 random_;
  config::ConfigPtr tls_config_;
  std::map<std::string, http1::Http1TlsContextPtr> tls_contexts_;
};

}  // namespace

TransportFactory mm7_transport_factory(std::shared_ptr<Mm7MessageIds> message_ids) {
  return [ids = std::move(message_ids)](asio::io_context& io) -> std::unique_ptr<Transport> {
    return std::make_unique<Mm7Transport>(io, ids);
  };
}

}  // namespace impulse::delivery::mm7

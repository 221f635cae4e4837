// Implementation of delivery/ecstream/ecstream_transport.hpp.
#include "delivery/ecstream/ecstream_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <limits>

#include "delivery/ecstream/ecstream_client.hpp"
#include "delivery/ecstream/ecstream_settings_config.hpp"
#include "delivery/smtp/tls_context_cache.hpp"

namespace impulse::delivery::ecstream {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

class EcstreamSession final : public Session {
 public:
  EcstreamSession(std::shared_ptr<EcstreamClient> client, std::shared_ptr<const EcstreamSettings> settings)
      : client_(std::move(client)), settings_(std::move(settings)) {}

  std::size_t capacity() const override { return client_->capacity(); }
  bool reusable() const override { return client_->reusable(); }
  std::size_t deliveries_left() const override {
    const std::uint32_t max = settings_->max_deliveries_per_connection;
    if (max == 0) return std::numeric_limits<std::size_t>::max();
    const std::uint32_t done = client_->deliveries();
    return max > done ? max - done : 0;
  }
  awaitable<queue::AttemptResult> deliver(const queue::DeliveryJob& job, spool::Body body) override {
    co_return co_await client_->deliver(job, std::move(body));
  }
  awaitable<SessionIdleEnd> idle() override { co_return co_await client_->idle(); }
  void wake() override { client_->wake(); }
  awaitable<void> close() override { co_await client_->close(); }

 private:
  std::shared_ptr<EcstreamClient> client_;
  std::shared_ptr<const EcstreamSettings> settings_;
};

class EcstreamTransport final : public Transport {
 public:
  EcstreamTransport(asio::io_context& io, EcstreamSettingsSource source) : io_(io), source_(std::move(source)) {}

  Result<MethodSettingsPtr> settings(const config::ConfigPtr& config, const config::OutboundKey& key) override {
    if (!config) return fail("no configuration");
    auto s = source_ ? source_(*config, key) : ecstream_settings_from_config(*config, key);
    if (!s) return unexpected(s.error());
    if (s->tls != smtp::TlsMode::kNo && !s->tls_context) s->tls_context = tls_contexts_.get(config, tls_options(*s));
    auto made = std::make_shared<EcstreamMethodSettings>();
    made->max_deliveries_per_session = s->max_deliveries_per_connection;
    made->ecstream = std::make_shared<const EcstreamSettings>(std::move(*s));
    return MethodSettingsPtr(std::move(made));
  }

  awaitable<SessionOpenResult> open(const SessionTarget& where, const MethodSettingsPtr& settings,
                                    const queue::DeliveryJob&) override {
    auto ecs = static_cast<const EcstreamMethodSettings&>(*settings).ecstream;
    if (where.target.unix_socket()) {
      queue::Outcome o = failure_outcome(FailureKind::kConnectFailed, OutcomeContext{where.target.socket_path, {}, 0});
      co_return impulse::unexpected(SessionOpenFailure{std::move(o), "ECSTREAM does not use Unix sockets"});
    }
    EcstreamTarget target{where.target.host, where.target.address_text(), where.target.port};
    auto opened = co_await EcstreamClient::open(io_.get_executor(), std::move(target), ecs);
    if (!opened) co_return impulse::unexpected(std::move(opened.error()));
    co_return std::unique_ptr<Session>(std::make_unique<EcstreamSession>(std::move(*opened), std::move(ecs)));
  }

 private:
  asio::io_context& io_;
  EcstreamSettingsSource source_;
  smtp::TlsContextCache tls_contexts_;  // shared by every queue of this loop
};

}  // namespace

TransportFactory ecstream_transport_factory(EcstreamSettingsSource source) {
  return [source = std::move(source)](asio::io_context& io) -> std::unique_ptr<Transport> {
    return std::make_unique<EcstreamTransport>(io, source);
  };
}

}  // namespace impulse::delivery::ecstream

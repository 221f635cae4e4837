// Implementation of http_component.hpp.
#include "http_component.hpp"

#include <boost/asio/io_context.hpp>

#include "daemon.hpp"
#include "inbound/http/health_routes.hpp"
#include "inbound/http/http_listener.hpp"
#include "inbound/http/injection_routes.hpp"
#include "inbound/http/readiness.hpp"
#include "mta_component.hpp"
#include "settings_from_config.hpp"

namespace impulse::daemon {

HttpComponent::HttpComponent(Daemon& d) : daemon_(d) {}
HttpComponent::~HttpComponent() = default;

void HttpComponent::add_core_routes(MtaComponent& mta) {
  inbound::http::add_injection_routes(routes_, mta.injector());
  spool_ready_ = std::make_unique<inbound::http::SpoolReadiness>(
      mta.store(), spool_options_from(*daemon_.live_config().current()).path);
  inbound::http::add_health_routes(routes_, [this, &mta]() -> std::optional<std::string> {
    if (!mta.accepting()) return std::string("shutting down");
    if (!accepting()) return std::string("HTTP_Listener not accepting");
    return spool_ready_->check();
  });
}

impulse::expected<void, std::string> HttpComponent::start() {
  auto listens = http_listens_from(*daemon_.live_config().current());
  if (!listens) return impulse::unexpected<std::string>(listens.error());
  if (listens->empty()) return {};
  auto listener = inbound::http::HttpListener::open(daemon_.loops().all(), std::move(*listens), routes_,
                                                    [this](const std::string& t) { daemon_.reporter().error(t); });
  if (!listener) return impulse::unexpected<std::string>(listener.error().message);
  listener_ = std::move(*listener);
  listener_->start();
  return {};
}

bool HttpComponent::accepting() const { return listener_ && listener_->accepting(); }

void HttpComponent::stop(std::function<void()> done) {
  if (listener_) listener_->stop(std::move(done));
  else done();
}

}  // namespace impulse::daemon

// HttpComponent: the HTTP_Listener of the running daemon (SPEC §16) and the
// routes it serves. Wiring fills routes() before start(): the injection and
// health routes through add_core_routes(), and every other route set
// (admin, metrics, webhooks) with its own add_*_routes(http.routes(), ...)
// call in wiring.cpp. Routes are read-only once start() has run.
// Start after the MtaComponent (the injector and spool must exist), stop
// before it (the daemon stops components in reverse order): open requests
// are answered, then connections close. No HTTP_Listener configured:
// start() does nothing. Threads: construct and start on the main thread;
// stop() from loop 0.
#pragma once

#include <memory>
#include <string>

#include "base/expected.hpp"
#include "component.hpp"
#include "inbound/http/http_route.hpp"

namespace impulse::inbound::http {
class HttpListener;
class SpoolReadiness;
}

namespace impulse::daemon {

class Daemon;
class MtaComponent;

class HttpComponent : public Component {
 public:
  explicit HttpComponent(Daemon& d);
  ~HttpComponent() override;

  inbound::http::Routes& routes() { return routes_; }
  // POST /v1.0/inject/, POST /api/v1/messages over mta's injector; /healthz,
  // /readyz (ready while the MTA runs, this listener accepts and the spool
  // takes writes). `mta` must outlive this component.
  void add_core_routes(MtaComponent& mta);
  // Binds every Listen of HTTP_Listener; error text on failure.
  impulse::expected<void, std::string> start();
  bool accepting() const;

  std::string name() const override { return "http"; }
  void stop(std::function<void()> done) override;

 private:
  Daemon& daemon_;
  inbound::http::Routes routes_;
  std::unique_ptr<inbound::http::SpoolReadiness> spool_ready_;
  std::unique_ptr<inbound::http::HttpListener> listener_;
};

}  // namespace impulse::daemon

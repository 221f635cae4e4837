// Implementation of wiring.hpp: the order components start in, and the
// admin layer built over them for the console.
#include "wiring.hpp"

#include <fmt/format.h>

#include <memory>

#include "admin/admin.hpp"
#include "console/admin_commands.hpp"
#include "console_component.hpp"
#include "http_component.hpp"
#include "impulse_version.hpp"
#include "console/webhook_commands.hpp"
#include "inbound/http/admin_routes.hpp"
#include "inbound/http/metrics_routes.hpp"
#include "routing/cluster_limits.hpp"
#include "inbound/http/mm7_routes.hpp"
#include "inbound/http/webhook_routes.hpp"
#include "log/event_stream.hpp"
#include "log/log_set.hpp"
#include "mta_component.hpp"
#include "settings_from_config.hpp"

namespace impulse::daemon {

namespace {

admin::DaemonActions daemon_actions(Daemon& d, MtaComponent& mta) {
  return admin::DaemonActions{
      .reload =
          [&d](const std::string& path) {
            auto res = d.reload(path);
            return admin::ReloadOutcome{res.ok, std::move(res.errors)};
          },
      .shutdown = [&d] { d.request_shutdown(); },
      .reopen_logs =
          [&mta]() -> Result<void> {
            auto logs = mta.logs().reopen();
            auto events = mta.events().reopen();  // json_logger's file
            return logs ? events : logs;
          },
      .config = [&d] { return d.live_config().current(); },
      .version = fmt::format("impulsed (Impulse) {}", kVersion),
  };
}

// The listeners' MM7_VASP_Path endpoints, read from the configuration at start-up.
impulse::expected<void, std::string> add_mm7_vasp_routes(inbound::http::Routes& routes, Daemon& d,
                                                         MtaComponent& mta) {
  auto cfg = d.live_config().current();
  if (!cfg) return {};
  auto listens = http_listens_from(*cfg);
  if (!listens) return {};  // the HTTP component reports it when it starts
  return inbound::http::add_mm7_routes(routes, {.endpoints = inbound::http::mm7_vasp_endpoints(*listens),
                                                .message_ids = mta.mm7_message_ids(),
                                                .events = &mta.events(),
                                                .now = {}});
}

}  // namespace

impulse::expected<void, std::string> wire_components(Daemon& d, StderrReporter& reporter) {
  auto mta = std::make_shared<MtaComponent>(d, reporter);
  if (auto r = mta->start(); !r) return r;
  d.add(mta);
  auto console = std::make_shared<ConsoleComponent>(d);
  auto admin = std::make_shared<admin::Admin>(admin::AdminDeps{
      .scheduler = mta->scheduler(),
      .connections = admin::connection_manager_connections(mta->connections()),
      .inbound_concurrency = [m = mta.get()] { return m->inbound_sessions(); },
      .daemon = daemon_actions(d, *mta),
      .started = std::chrono::steady_clock::now(),
      .store = &mta->store(),
      .cluster_connected = mta->cluster() ? std::function<bool()>([c = mta->cluster()] { return c->connected(); })
                                          : std::function<bool()>{},
  });
  // HTTP_Listener: injection and health here; each other route set adds
  // itself with its own add_*_routes(http->routes(), ...) call below.
  auto http = std::make_shared<HttpComponent>(d);
  http->add_core_routes(*mta);
  // Administration and /metrics: Admin is called on loop 0, as the console does.
  inbound::http::add_admin_routes(http->routes(), admin, d.loops().loop(0).get_executor());
  inbound::http::add_metrics_routes(http->routes(), {.registry = d.metrics().registry,
                                                     .admin = admin,
                                                     .admin_executor = d.loops().loop(0).get_executor(),
                                                     .version = kVersion});
  auto webhook_status = [m = mta.get()] { return m->events().webhook_status(); };
  inbound::http::add_webhook_routes(http->routes(), webhook_status);
  // MM7 delivery reports on MM7_VASP_Path (SPEC §14).
  if (auto r = add_mm7_vasp_routes(http->routes(), d, *mta); !r) return r;
  console::add_webhook_commands(console->registry(), webhook_status);
  console::add_commands(console->registry(), std::move(admin));
  if (auto r = console->start(); !r) return r;
  d.add(console);
  if (auto r = http->start(); !r) return r;
  d.add(http);
  return {};
}

}  // namespace impulse::daemon

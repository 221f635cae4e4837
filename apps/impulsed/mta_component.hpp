// MtaComponent: the message path of the running daemon, wired together:
// logs (LogSet) -> spool (RocksDbStore under Spoolbase) -> scheduler
// (per (binding, domain) queues on the event loops, recovered from the
// spool at start) -> delivery agent, with the ESMTP_Listener feeding the
// scheduler through the MessageInjector (durable before 250).
//
// Start order: logs, spool, connection manager (the delivery agent), recovery,
// scheduler, listener. Stop order (SPEC §1 graceful stop): listener (421 to
// open sessions), connection manager (busy connections finish their message
// and QUIT), scheduler, spool close. Start failures (log file, spool, address in use)
// are one-line errors for main(). Threads: construct and start on the main
// thread before the loops run; stop() from loop 0.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "base/clock.hpp"
#include "base/expected.hpp"
#include "component.hpp"

namespace impulse::log {
class EventStream;
class LogSet;
class FdReporter;
}
namespace impulse::spool {
class Store;
}
namespace impulse::queue {
class Scheduler;
class MessageInjector;
class Injector;
class WriterEventLog;
class EventLog;
class IdSource;
class DeliveryAgent;
}
namespace impulse::routing {
class Router;
class BindingPolicy;
}
namespace impulse::inbound {
class EsmtpListener;
class EcstreamListener;
}
namespace impulse::delivery {
class ConnectionManager;
}
namespace impulse::delivery::mm7 {
class Mm7MessageIds;
}
namespace impulse::console {
class CommandRegistry;
}
namespace impulse::cluster {
class RedisLimits;
}
namespace impulse::routing {
class ClusterLimits;
}
namespace impulse::dkim {
class DkimSigning;
}

namespace impulse::daemon {

class Daemon;
class StderrReporter;

class MtaComponent : public Component {
 public:
  MtaComponent(Daemon& d, StderrReporter& reporter);
  ~MtaComponent() override;

  impulse::expected<void, std::string> start();
  std::string name() const override { return "mta"; }
  void stop(std::function<void()> done) override;
  // Configuration reload: the ECStream listener takes its new options and
  // sends GOAWAY to its clients (they reconnect; nothing in flight fails).
  void on_reload(const config::ConfigPtr& cfg) override;

  queue::Scheduler& scheduler() { return *scheduler_; }
  delivery::ConnectionManager& connections() { return *agent_; }
  // The Cluster stanza's shared limits (SPEC §18); null without one.
  routing::ClusterLimits* cluster() const;
  log::LogSet& logs() { return *logs_; }
  queue::Injector& injector();
  const spool::Store& store() const { return *store_; }
  // The message path is up and the daemon is not stopping (for /readyz).
  bool accepting() const;
  // The JSON event log and webhooks (SPEC §17); never null after start().
  log::EventStream& events() { return *events_; }
  std::uint64_t inbound_sessions() const;
  // MMSC MessageID -> message id, kept by MM7 deliveries for delivery reports (SPEC §14).
  const std::shared_ptr<delivery::mm7::Mm7MessageIds>& mm7_message_ids() const { return mm7_message_ids_; }

 private:
  Daemon& daemon_;
  StderrReporter& reporter_;
  SystemClock clock_;
  std::string hostname_;
  std::unique_ptr<log::FdReporter> stderr_problems_;
  std::unique_ptr<log::LogSet> logs_;
  std::unique_ptr<spool::Store> store_;
  std::unique_ptr<queue::IdSource> ids_;
  std::unique_ptr<routing::BindingPolicy> binding_policy_;
  std::unique_ptr<routing::Router> router_;
  std::unique_ptr<queue::WriterEventLog> event_log_;
  std::unique_ptr<log::EventStream> events_;     // json_logger, webhooks
  std::unique_ptr<queue::EventLog> stream_log_;  // event_log_ + events_, when any event is wanted
  std::shared_ptr<delivery::mm7::Mm7MessageIds> mm7_message_ids_;
  std::unique_ptr<cluster::RedisLimits> cluster_;  // Cluster { } (SPEC §18); outlives agent_
  std::unique_ptr<delivery::ConnectionManager> agent_;
  std::unique_ptr<queue::Scheduler> scheduler_;
  std::unique_ptr<dkim::DkimSigning> dkim_;  // DKIM signing at reception (SPEC §19)
  std::unique_ptr<queue::MessageInjector> injector_;
  std::unique_ptr<inbound::EsmtpListener> listener_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<inbound::EcstreamListener> ecstream_listener_;  // ECStream_Listener (SPEC §15)
};

}  // namespace impulse::daemon

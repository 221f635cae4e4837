// Implementation of mta_component.hpp.
#include "mta_component.hpp"

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "auth_from_config.hpp"
#include "daemon.hpp"
#include "cluster/redis_limits.hpp"
#include "delivery/connection_manager.hpp"
#include "delivery/default_transports.hpp"
#include "delivery/mm7/mm7_message_ids.hpp"
#include "dkim/dkim_signing.hpp"
#include "ecstream_listens.hpp"
#include "inbound/ecstream_listener.hpp"
#include "inbound/esmtp_listener.hpp"
#include "log/log_set.hpp"
#include "log/problem_reporter.hpp"
#include "mcmt_reception_from_config.hpp"
#include "queue/delivery_agent.hpp"
#include "queue/id_source.hpp"
#include "queue/injector.hpp"
#include "queue/scheduler.hpp"
#include "queue/writer_event_log.hpp"
#include "events_from_config.hpp"
#include "log/event_stream.hpp"
#include "queue/event_stream_log.hpp"
#include "routing/binding_header_policy.hpp"
#include "routing/router.hpp"
#include "settings_from_config.hpp"
#include "spool/rocksdb_store.hpp"

namespace impulse::daemon {

MtaComponent::MtaComponent(Daemon& d, StderrReporter& reporter)
    : daemon_(d), reporter_(reporter), hostname_(local_hostname()) {}

MtaComponent::~MtaComponent() {
  listener_.reset();
  ecstream_listener_.reset();
  // Close the spool first: its last callbacks still reach the scheduler.
  if (store_) store_->close();
  if (mm7_message_ids_) mm7_message_ids_->close();  // its writer reports problems to event_log_
  injector_.reset();
  scheduler_.reset();
  agent_.reset();
  reporter_.set_paniclog(nullptr);
}

impulse::expected<void, std::string> MtaComponent::start() {
  auto cfg = daemon_.live_config().current();

  stderr_problems_ = std::make_unique<log::FdReporter>();
  const log::LogSetOptions log_options = log_options_from(*cfg);
  auto logs = log::LogSet::open(log_options, clock_, *stderr_problems_);
  if (!logs) return impulse::unexpected<std::string>(logs.error().message);
  logs_ = std::move(*logs);
  logs_->start();
  // Without a paniclog file, problems already go to stderr: do not print twice.
  if (!log_options.paniclog.path.empty()) reporter_.set_paniclog(&logs_->problems());

  spool::RocksDbStoreOptions spool_options = spool_options_from(*cfg);
  spool_options.commit_seconds = &daemon_.metrics().spool_commit_seconds;
  auto store = spool::RocksDbStore::open(spool_options, clock_);
  if (!store) return impulse::unexpected<std::string>(store.error().message);
  store_ = std::move(*store);

  auto& live = daemon_.live_config();
  ids_ = std::make_unique<queue::IdSource>(store_->id_epoch());
  event_log_ = std::make_unique<queue::WriterEventLog>(logs_->mainlog(), logs_->bouncelog(), logs_->problems());
  auto event_options = events_options_from(*cfg);
  if (!event_options) return impulse::unexpected<std::string>(event_options.error());
  auto events = log::EventStream::open(std::move(*event_options), clock_, logs_->problems());
  if (!events) return impulse::unexpected<std::string>(events.error().message);
  events_ = std::move(*events);
  events_->start();
  if (events_->enabled()) stream_log_ = std::make_unique<queue::EventStreamLog>(*event_log_, *events_);
  queue::EventLog& records = stream_log_ ? *stream_log_ : static_cast<queue::EventLog&>(*event_log_);
  auto problem = [log = event_log_.get()](std::string_view text) { log->problem(text); };
  binding_policy_ = std::make_unique<routing::BindingHeaderPolicy>([&live] { return live.current(); }, problem);
  router_ = std::make_unique<routing::Router>(*binding_policy_);
  // MM7 MessageIDs for delivery reports, on disk beside the spool; without
  // it reports are still answered, recorded without their message id.
  auto mm7_ids = delivery::mm7::Mm7MessageIds::open(
      {.path = cfg->global("spoolbase").as_string() + "/mm7_message_ids", .problem = problem});
  if (mm7_ids) mm7_message_ids_ = std::move(*mm7_ids);
  else event_log_->problem(mm7_ids.error().message + ": MM7 delivery reports will carry no message id");
  auto cluster = cluster::cluster_settings_from_config(*cfg);
  if (!cluster) return impulse::unexpected<std::string>(cluster.error().message);
  if (*cluster) {
    cluster_ = std::make_unique<cluster::RedisLimits>(std::move(**cluster), problem);
    cluster_->start();
  }
  auto agent = delivery::ConnectionManager::create(delivery::ConnectionManagerDeps{
      .loops = daemon_.loops().all(),
      .clock = clock_,
      .config = [&live] { return live.current(); },
      .resolver = delivery::unbound_resolver_factory(*cfg),
      .problem = problem,
      .transports = delivery::default_transports(mm7_message_ids_, events_.get(), problem),
      .random_seed = std::nullopt,
      .take_batch = 4,
      .metrics = &daemon_.metrics().delivery,
      .cluster = cluster_.get()});
  if (!agent) return impulse::unexpected<std::string>(agent.error().message);
  agent_ = std::move(*agent);

  scheduler_ = std::make_unique<queue::Scheduler>(queue::SchedulerDeps{
      .loops = daemon_.loops().all(),
      .store = *store_,
      .agent = *agent_,
      .log = records,
      .clock = clock_,
      .config = [&live] { return live.current(); },
      .ids = *ids_,
      .router = *router_,
      .hostname = hostname_});
  const auto recovery_start = std::chrono::steady_clock::now();
  auto recovered = scheduler_->recover();
  if (!recovered) return impulse::unexpected<std::string>("spool recovery failed: " + recovered.error().message);
  if (recovered->messages > 0)
    reporter_.info(fmt::format("recovered {} message(s) from the spool in {:.2f} s", recovered->messages,
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - recovery_start).count()));
  for (const auto& c : recovered->corrupt) reporter_.error("spool: skipped corrupt record " + c);
  scheduler_->start();
  agent_->start();

  auto dkim = dkim::DkimSigning::create([&live] { return live.current(); });
  if (!dkim) return impulse::unexpected<std::string>(dkim.error());
  dkim_ = std::move(*dkim);
  injector_ = std::make_unique<queue::MessageInjector>(queue::InjectorDeps{
      .store = *store_, .scheduler = *scheduler_, .router = *router_, .ids = *ids_, .log = records,
      .clock = clock_, .hostname = hostname_, .signer = dkim_.get()});

  auto listens = esmtp_listens_from(*cfg, hostname_);
  if (!listens) return impulse::unexpected<std::string>(listens.error());
  set_mcmt_reception(*listens, cfg);
  if (auto auth = set_auth(*listens, live, [this](const std::string& t) { reporter_.error(t); }); !auth)
    return impulse::unexpected<std::string>(auth.error());
  if (!listens->empty()) {
    auto listener = inbound::EsmtpListener::open(daemon_.loops().all(), std::move(*listens), *injector_,
                                                 [this](const std::string& t) { reporter_.error(t); });
    if (!listener) return impulse::unexpected<std::string>(listener.error().message);
    listener_ = std::move(*listener);
    listener_->start();
  }
  auto ecstream = ecstream_listens_from(*cfg, hostname_);
  if (!ecstream) return impulse::unexpected<std::string>(ecstream.error());
  if (!ecstream->empty()) {
    auto listener = inbound::EcstreamListener::open(daemon_.loops().all(), std::move(*ecstream), *injector_,
                                                    [this](const std::string& t) { reporter_.error(t); });
    if (!listener) return impulse::unexpected<std::string>(listener.error().message);
    ecstream_listener_ = std::move(*listener);
    ecstream_listener_->start();
  }
  return {};
}

queue::Injector& MtaComponent::injector() { return *injector_; }

bool MtaComponent::accepting() const { return !stopping_ && injector_ != nullptr; }

routing::ClusterLimits* MtaComponent::cluster() const { return cluster_.get(); }

std::uint64_t MtaComponent::inbound_sessions() const {
  return (listener_ ? listener_->open_sessions() : 0) + (ecstream_listener_ ? ecstream_listener_->open_sessions() : 0);
}

void MtaComponent::on_reload(const config::ConfigPtr& cfg) {
  if (!ecstream_listener_ || !cfg) return;
  auto listens = ecstream_listens_from(*cfg, hostname_);
  if (!listens) {
    reporter_.error(listens.error());
    return;
  }
  ecstream_listener_->reconfigure(std::move(*listens));
}

void MtaComponent::stop(std::function<void()> done) {
  stopping_ = true;
  auto finish = [this, done = std::move(done)] {
    auto rest = [this, done] {
      boost::asio::post(daemon_.loops().loop(0), [this, done] {
        if (scheduler_) scheduler_->stop();
        if (store_) store_->close();
        if (mm7_message_ids_) mm7_message_ids_->close();  // the connections have finished
        if (events_) events_->stop();  // what is queued reaches the file and the webhooks' disk queues
        if (logs_) logs_->flush();
        done();
      });
    };
    // Outbound connections finish their message and QUIT (the daemon's
    // grace period bounds this); then the queues stop.
    if (agent_) agent_->stop(rest);
    else rest();
  };
  // The ECStream listener sends GOAWAY and answers what is in flight first.
  auto listeners = [this, finish = std::move(finish)] {
    if (listener_) listener_->stop(finish);
    else finish();
  };
  if (ecstream_listener_) ecstream_listener_->stop(listeners);
  else listeners();
}

}  // namespace impulse::daemon

// QueueContext: what every loop and queue of one Scheduler shares: the
// seams (store, agent, log, clock, configuration snapshot accessor, ids,
// router), the host name, the counters, and the way back into the
// scheduler for generated messages (bounces). Internal to the queue
// library; the Scheduler owns it and outlives every queue.
//
// Threading: references to thread-safe objects and atomics; read from any
// loop. Failure modes: none.
#pragma once

#include <functional>
#include <string>

#include "base/clock.hpp"
#include "config/config.hpp"
#include "queue/queue_counters.hpp"
#include "spool/store.hpp"

namespace impulse::routing {
class Router;
}

namespace impulse::queue {

class DeliveryAgent;
class EventLog;
class IdSource;

// Implemented by the Scheduler: commits a generated message (a bounce) and
// queues it once durable (logging its R records).
class GeneratedMessageSink {
 public:
  virtual ~GeneratedMessageSink() = default;
  virtual void submit_generated(spool::Message message, spool::Body body) = 0;
};

struct QueueContext {
  spool::Store& store;
  DeliveryAgent& agent;
  EventLog& log;
  const Clock& clock;
  std::function<config::ConfigPtr()> config;
  IdSource& ids;
  const routing::Router& router;
  std::string hostname;
  GeneratedMessageSink& generated;
  QueueCounters counters;

  config::ConfigPtr snapshot() const { return config ? config() : nullptr; }
};

}  // namespace impulse::queue

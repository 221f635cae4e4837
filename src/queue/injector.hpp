// MessageInjector: the inbound::Injector that listeners hand received
// messages to (SPEC §5 "durable before acknowledged", §6; DESIGN "Life of a
// message"). For each message:
//   1. a fresh MessageId (IdSource);
//   2. a Received: trace header prepended to the data (queue/received_header.hpp);
//   3. a spool::Message from the envelope (queue/router.hpp: recipients split
//      at '@', domain lower-cased, binding from the BindingPolicy);
//   4. Store::commit_new. Only once the store says it is durable: a mainlog
//      R record per recipient, the message handed to the Scheduler, the
//      "received" counter, and done(id). On a store Error: done(error) and
//      nothing is queued or logged (the client gets a 451 and retries).
//
// Leaves to others: the SMTP dialogue and replies (inbound/), queueing and
// delivery (Scheduler), splitting per queue (Router::split, in the Scheduler).
// Threading: inject() may be called from any loop at once; it never blocks
// (the spool commits asynchronously) and `done` runs on the store's
// completion thread (the listener posts it back itself). All dependencies
// must outlive the injector.
// Failure modes: store failures reach the caller through done(Error).
#pragma once

#include <string>

#include "base/clock.hpp"
#include "inbound/injector.hpp"
#include "spool/store.hpp"

namespace impulse::queue {

class EventLog;
class IdSource;
class Router;
class Scheduler;

struct InjectorDeps {
  spool::Store& store;
  Scheduler& scheduler;
  const Router& router;
  IdSource& ids;
  EventLog& log;
  const Clock& clock;
  std::string hostname;  // the "by" host of the Received: header
};

class MessageInjector final : public inbound::Injector {
 public:
  explicit MessageInjector(InjectorDeps deps) : deps_(std::move(deps)) {}
  void inject(inbound::ReceivedMessage message, Completion done) override;

 private:
  InjectorDeps deps_;
};

}  // namespace impulse::queue

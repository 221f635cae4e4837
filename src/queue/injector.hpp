// MessageInjector: the queue::Injector (queue/injection.hpp) every listener
// hands accepted messages to (SPEC §5 "durable before acknowledged", §6;
// docs/architecture.md "Life of a message"). For each message:
//   1. a fresh MessageId (IdSource);
//   2. the binding headers read and stripped (routing/binding_header_policy.hpp,
//      through BindingPolicy::choose_from_data);
//   3. the origin's trace line, or a Received: header built from the origin
//      (queue/received_header.hpp), prepended to the data;
//   4. a spool::Message from the envelope and origin (routing/router.hpp:
//      recipients split at '@', domain lower-cased, binding from the
//      policy; peer_ip "unknown" when the origin has none; the HELO kept for
//      XCLIENT);
//   4b. with a MessageSigner, the DKIM-Signature it returns prepended
//      (its problems to the paniclog; the message is never refused for them);
//   5. Store::commit_new. Only once the store says it is durable: a mainlog
//      R record per recipient (protocol and connid from the origin), the
//      "received" counter, the message handed to the Scheduler with its
//      body (kept in memory for the first attempt when the Scheduler can),
//      and done(id). On a store Error: done(error) and nothing is queued or
//      logged (the client gets a temporary failure and retries).
//
// Leaves to others: each protocol's dialogue and replies (inbound/),
// queueing and delivery (Scheduler), splitting per queue (Router::split, in
// the Scheduler).
// Threading: inject() may be called from any loop at once; it never blocks
// (the spool commits asynchronously) and `done` runs on the store's
// completion thread (the listener posts it back itself). All dependencies
// must outlive the injector.
// Failure modes: store failures reach the caller through done(Error).
#pragma once

#include <string>

#include "base/clock.hpp"
#include "queue/injection.hpp"
#include "queue/message_signer.hpp"
#include "spool/store.hpp"

namespace impulse::routing {
class Router;
}

namespace impulse::queue {

class EventLog;
class IdSource;
class Scheduler;

struct InjectorDeps {
  spool::Store& store;
  Scheduler& scheduler;
  const routing::Router& router;
  IdSource& ids;
  EventLog& log;
  const Clock& clock;
  std::string hostname;  // the "by" host of the Received: header
  // Signs each message after step 4 (SPEC §19 DKIM; queue/message_signer.hpp);
  // nullptr = nothing is signed. Messages moved between nodes are not re-signed.
  const MessageSigner* signer = nullptr;
};

class MessageInjector final : public Injector {
 public:
  explicit MessageInjector(InjectorDeps deps) : deps_(std::move(deps)) {}
  void inject(Injection message, Completion done) override;
  void rejected(std::string_view sender, std::string_view recipient, const Origin& origin,
                std::string_view response) override;

 private:
  InjectorDeps deps_;
};

}  // namespace impulse::queue

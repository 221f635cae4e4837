// Transport and Session: the seam between the connection manager and a
// delivery method (docs/architecture.md "Delivery: transports and
// sessions": one connection manager for every method; a new method follows
// docs/adding-a-delivery-method.md).
//
// The connection manager (delivery_loop.hpp) owns everything common to the
// methods: domain records, the choice of the next target, every limit and
// throttle, host health and quarantine, orphaned jobs, idle sessions, route
// verdicts handed to the queue. A method plugs in as a Transport:
//
//   settings(config, key)  what this method needs for one (binding, domain)
//                          under one configuration snapshot, read once per
//                          snapshot (the connection manager caches it);
//                          an error means "cannot deliver with this
//                          configuration" (451 4.3.5 and a paniclog line).
//   open(target, settings, first_job)
//                          a Session to one target (an address:port or a
//                          Unix socket of a route host), or an OpenFailure
//                          whose outcome says why (its reply or [internal]
//                          text and stage). An open failure quarantines the
//                          target for Host_Failure_Retry and sends the jobs
//                          to the next target.
//
// A Session delivers jobs. It has a capacity: how many deliver() calls may
// run at once (1 for an SMTP/LMTP connection; the concurrent streams of an
// HTTP/2 connection; an ECSTREAM pipeline's window). It may stop being
// reusable (peer gone, max_deliveries_per_connection reached), idles
// between jobs until woken or until its idle deadline, and closes.
//
// deliver(job, body) returns one Outcome per job recipient, in job order,
// and optionally a route verdict (queue::Hold): "hold this queue" is applied
// by the queue, "hold this host" by the connection manager. A transport
// maps its protocol's replies and errors to outcomes in exactly one file
// (docs/architecture.md rule 4) and never throws (a bug that throws is caught by the
// connection manager and reported as 451 4.3.0 [internal] delivery agent
// failure).
//
// Threads: a Transport instance is made per event loop (TransportFactory),
// so its caches (e.g. TLS contexts) need no lock; every member of a
// Transport and of its Sessions runs on that loop. The connection manager
// never calls deliver() on a session more than capacity() times at once,
// never calls idle() while a deliver() runs, and calls close() once, last.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/expected.hpp"
#include "config/config.hpp"
#include "queue/delivery_job.hpp"
#include "queue/outcome.hpp"
#include "queue/queue_key.hpp"
#include "routing/delivery_method.hpp"
#include "routing/mx_chooser.hpp"
#include "spool/store.hpp"

namespace boost::asio {
class io_context;
}

namespace impulse::dns {
class Resolver;
}

namespace impulse::delivery {

// A method's settings for one (binding, domain) under one snapshot. Each
// transport derives its own type; the connection manager reads only this
// part. Immutable once made; shared by the sessions of the queue.
class MethodSettings {
 public:
  virtual ~MethodSettings() = default;
  // Messages one session may carry (max_deliveries_per_connection); 0 = unlimited.
  std::uint32_t max_deliveries_per_session = 0;
};
using MethodSettingsPtr = std::shared_ptr<const MethodSettings>;

// Where a session goes, and for whom.
struct SessionTarget {
  routing::ConnectTarget target;  // host name, address and port, or a Unix socket path
  queue::QueueKey key;            // the (binding, domain) queue the session serves
  std::string connection_id;      // the logs' connid
};

// Why a session could not be opened: a transient outcome with
// Scope::kHost (the reply or [internal] text and its stage) and a detail
// for diagnostics.
struct SessionOpenFailure {
  queue::Outcome outcome;
  std::string detail;
};

enum class SessionIdleEnd {
  kWoken,     // wake(): there is work
  kTimedOut,  // the method's idle deadline passed: close it
  kClosed,    // the peer closed or the session died: it is gone
};

class Session {
 public:
  virtual ~Session() = default;

  // How many deliver() calls may run at once (>= 1); may change while open
  // (an HTTP/2 peer's SETTINGS_MAX_CONCURRENT_STREAMS).
  virtual std::size_t capacity() const = 0;
  // Alive and allowed to take another job.
  virtual bool reusable() const = 0;
  // Jobs it may still be given (max_deliveries_per_connection);
  // std::numeric_limits<std::size_t>::max() = unlimited.
  virtual std::size_t deliveries_left() const = 0;

  // One attempt for `job`, with its body (already loaded: the body kept from
  // reception on a first attempt, else read from the spool).
  virtual boost::asio::awaitable<queue::AttemptResult> deliver(const queue::DeliveryJob& job,
                                                               spool::Body body) = 0;
  // Waits, with nothing to deliver, until wake() or its idle deadline
  // (idle_timeout); watches the peer meanwhile.
  virtual boost::asio::awaitable<SessionIdleEnd> idle() = 0;
  // Ends a pending idle() with kWoken (or makes the next one return at once).
  virtual void wake() = 0;
  // Ends the session politely (QUIT, GOAWAY...) within its deadline, then
  // releases the connection.
  virtual boost::asio::awaitable<void> close() = 0;
};

using SessionOpenResult = impulse::expected<std::unique_ptr<Session>, SessionOpenFailure>;

class Transport {
 public:
  virtual ~Transport() = default;

  // Reads this method's settings for `key` from `config` (once per
  // snapshot and queue). Errors are configuration problems.
  virtual Result<MethodSettingsPtr> settings(const config::ConfigPtr& config, const config::OutboundKey& key) = 0;

  // Opens a session to `target`. `first` is the first job it will carry
  // (some methods take facts from it, e.g. ehlo_hostname = __message__).
  // The arguments are references that the caller keeps alive until the
  // coroutine ends (g++ 12 miscompiles coroutine parameters copied from
  // temporaries: pass named objects).
  virtual boost::asio::awaitable<SessionOpenResult> open(const SessionTarget& target, const MethodSettingsPtr& settings,
                                                         const queue::DeliveryJob& first) = 0;

  // The loop's resolver (the one its domain records are built with:
  // libunbound, honouring Nameservers), given once, right after the factory
  // made the transport and before any other call. It outlives the
  // transport. For names a method must resolve itself (GCM's OAuth
  // token_uri host); route hosts arrive resolved. Default: not needed.
  virtual void use_resolver(dns::Resolver& resolver) { (void)resolver; }
};

// Makes the transport of one event loop.
using TransportFactory = std::function<std::unique_ptr<Transport>(boost::asio::io_context& loop)>;

// Which transport delivers each Delivery_Method. A method without one is
// "not available": its messages fail transiently (451 4.3.5) with a
// paniclog line, so a configuration that names a method this build lacks
// loses nothing.
class TransportRegistry {
 public:
  void add(routing::DeliveryMethod method, TransportFactory factory) { factories_[method] = std::move(factory); }
  const TransportFactory* find(routing::DeliveryMethod method) const {
    auto it = factories_.find(method);
    return it == factories_.end() ? nullptr : &it->second;
  }
  // The methods with a transport, for iteration (each loop makes its own).
  const std::map<routing::DeliveryMethod, TransportFactory>& all() const { return factories_; }

 private:
  std::map<routing::DeliveryMethod, TransportFactory> factories_;
};

}  // namespace impulse::delivery

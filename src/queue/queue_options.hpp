// QueueOptions: the options the queue reads for one (binding, domain), from
// the configuration snapshot current at the time of the decision (so a
// `config reload` applies to the next decision; docs/architecture.md
// "Configuration").
// Resolution follows the outbound chain (config/config.hpp). Resolving them
// costs ten scope lookups: DomainQueue::options() keeps the result per
// snapshot and calls read_queue_options() again only when the snapshot
// changes.
//
// Options: retry_interval, max_retry_interval, max_retries,
// message_expiration, never_retry, never_attempt_expired_messages,
// suspend_delivery, generate_bounces, bounces_inline_original, mailerdaemon,
// generate_delay_dsn, delay_dsn_retry_interval, delivery_method (outbound
// scopes); delayed_queue_scan_interval (global).
//
// Leaves to others: what the values mean (queue/retry_policy.hpp, the
// scheduler); parsing and validation (config/).
// Threading: pure reads of an immutable snapshot; any thread.
// Failure modes: none. A null snapshot (no configuration) yields the
// built-in defaults.
// Spec: SPEC §5; reference/momentum.md §7.2, §7.3, §7.5.
#pragma once

#include <chrono>
#include <string>

#include "config/config.hpp"
#include "protocol/dsn.hpp"
#include "queue/queue_key.hpp"
#include "queue/retry_policy.hpp"

namespace impulse::queue {

struct QueueOptions {
  RetryOptions retry;
  bool never_attempt_expired = false;
  bool suspend_delivery = false;
  bool generate_bounces = true;
  protocol::InlineOriginal inline_original = protocol::InlineOriginal::kHeaders;
  std::string mailerdaemon;  // "" = unset: "mailer-daemon@<hostname>"
  // DSN delay warnings (queue/delay_warning.hpp): after this long queued
  // (<= 0: never); generate_delay_dsn: also for recipients without NOTIFY.
  std::chrono::seconds delay_dsn_after{3600};
  bool generate_delay_dsn = false;
  std::string delivery_method = "esmtp";  // for the event stream's records
};

QueueOptions read_queue_options(const config::Config* config, const QueueKey& key);

// Just suspend_delivery, for a caller without a DomainQueue's cache.
bool delivery_suspended(const config::Config* config, const QueueKey& key);

// delayed_queue_scan_interval, at least 1 s.
std::chrono::seconds delayed_queue_scan_interval(const config::Config* config);

// The From: of bounces: mailerdaemon, or "mailer-daemon@<hostname>".
std::string bounce_from(const QueueOptions& options, const std::string& hostname);

}  // namespace impulse::queue

// WebhookOptions and WebhookStatus: one `webhook "name" { }` stanza as the
// log library takes it (filled from the configuration by the daemon's
// wiring), and what `webhook summary` / GET /api/v1/webhooks report about
// it. Plain values, no I/O.
// Spec: SPEC §17.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "log/event_record.hpp"
#include "log/webhook_queue.hpp"

namespace impulse::log {

struct WebhookOptions {
  std::string name;
  std::string url;                        // http://host[:port]/path or https://...
  EventMask events = kAllEvents;          // `events`; empty list = all
  std::size_t batch_size = 100;           // events per POST at most
  std::chrono::seconds batch_interval{5}; // a partial batch waits at most this long
  std::string auth_token;                 // Authorization: Bearer <auth_token> when set
  std::chrono::seconds max_retry_interval{300};
  std::chrono::seconds timeout{10};       // no reply within it = failure (SPEC §17)
  std::string ca_file;                    // extra trust anchors for https (default: the system's)
  WebhookQueueOptions queue;              // directory, max_bytes (max_backlog_size)
};

struct WebhookStatus {
  std::string name;
  std::uint64_t backlog = 0;  // events on disk not yet acknowledged
  std::optional<WallTime> last_success;
  std::string last_error;     // empty = none since start
  std::uint64_t sent = 0;     // events acknowledged since start
  std::uint64_t dropped = 0;  // events refused by max_backlog_size since start
};

}  // namespace impulse::log

// What a ConnectionManager is built from (connection_manager.hpp): the event
// loops it serves (the Scheduler's), the clock, the live configuration, how
// each loop gets its resolver, where diagnostics go, and the seams tests use
// (SMTP settings source, random seed, take batch).
//
// Leaves to others: everything it names. Plain values and callables, no
// Asio (the daemon includes this). The callables must be thread-safe:
// `config` and `problem` are called from every loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "config/config.hpp"
#include "delivery/delivery_loop_resolver.hpp"
#include "delivery/smtp/smtp_settings.hpp"

namespace boost::asio {
class io_context;
}

namespace impulse::delivery {

// SMTP client settings for a (binding, domain) under a snapshot.
// Default: smtp::smtp_settings_from_config.
using SettingsSource =
    std::function<Result<smtp::SmtpSettings>(const config::Config&, const config::OutboundKey&)>;

struct ConnectionManagerDeps {
  std::vector<boost::asio::io_context*> loops;  // the Scheduler's loops, each run by one thread
  const Clock& clock;                           // decisions: quarantine, health, TTLs, throttles
  std::function<config::ConfigPtr()> config;    // the live snapshot, read per decision (never null)
  ResolverFactory resolver;                     // one resolver per loop (unbound_resolver_factory)
  std::function<void(std::string_view)> problem;  // paniclog lines (may be empty)
  SettingsSource settings = {};                 // empty = smtp_settings_from_config
  std::optional<std::uint64_t> random_seed;     // empty = from entropy (tests fix it)
  std::size_t take_batch = 4;                   // messages a connection takes per take()
};

}  // namespace impulse::delivery

// Console commands over the queues (SPEC §7; reference/momentum.md §8.2),
// with Momentum's output shapes so ec_console scripts keep working:
//   summary, mailq [-d DOMAIN]... [-b BINDING]... [-l N],
//   showqueue [binding NAME|all] DOMAIN [LIMIT,OFFSET],
//   message details ID, message retry ID, message fail [quiet] ID,
//   flush domain NAME|all, fail domain [quiet] NAME,
//   binding flush domain BINDING NAME|all, binding fail domain [quiet] BINDING NAME,
//   binding summary [NAME].
// Pure formatting of the scheduler's snapshots plus argument checking; a bad
// argument is a failed reply with one line of usage. Handlers answer from the
// scheduler's completion thread. The scheduler must outlive the registry's use.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "console/commands.hpp"

namespace impulse::queue {
class Scheduler;
}

namespace impulse::console {

struct QueueCommandDeps {
  queue::Scheduler& scheduler;
  std::chrono::steady_clock::time_point started;
  std::function<std::uint64_t()> outbound_concurrency;  // open outbound connections (may be empty)
  std::function<std::uint64_t()> inbound_concurrency;   // open inbound sessions (may be empty)
};

void add_queue_commands(CommandRegistry& registry, QueueCommandDeps deps);

}  // namespace impulse::console

// runtime::spawn: starts a coroutine under supervision. Every coroutine
// Impulse spawns goes through here (docs/architecture.md rule 3): it has a name,
// an exception that escapes it is caught and reported as one line
// "<name>: <what>" through the caller's problem sink, and the caller may be
// told when it ends (on_done) to drop its bookkeeping.
//
//   runtime::spawn(io.get_executor(), "esmtp_session 192.0.2.1:4711", conn->run(),
//                  {.problems = sink,
//                   .on_done = [&registry, key](std::exception_ptr) { registry.erase(key); }});
//
// Replaces `co_spawn(ex, task, detached)` (which loses the exception, or
// lets it escape io_context::run()) and hand-written completion lambdas.
//
// Cost: one co_spawn plus the name and the two hooks moved into the
// completion handler; nothing is registered anywhere. Cheap enough for one
// call per connection.
// Leaves to the caller: keeping what the task references alive (hold a
// shared_ptr inside the task), stopping it (close its sockets, cancel its
// timers), and what to do after a failure (on_done gets the exception).
// Executor: the task runs on `executor`; problems and on_done are called
// there, after the task has ended (on_done after the problem is reported).
// If the executor's io_context is destroyed before the task ends, neither
// hook is called (the coroutine frame is destroyed with it).
// Failures: an escaped exception is reported, never rethrown. Without a
// problem sink the line goes to stderr rather than nowhere. A hook that
// throws is a bug and escapes io_context::run().
// Internal to the libraries built on Asio (includes Asio headers).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <exception>
#include <functional>
#include <string>
#include <string_view>

namespace impulse::runtime {

// Receives one line per problem ("<name>: <what>"). Must be safe to call from
// the executors it is given to (a paniclog writer, a test's vector + mutex).
using ProblemSink = std::function<void(std::string_view)>;

struct SpawnHooks {
  ProblemSink problems{};                           // where an escaped exception is reported
  std::function<void(std::exception_ptr)> on_done{};  // after the task ends; null pointer = ended normally
};

void spawn(const boost::asio::any_io_executor& executor, std::string name, boost::asio::awaitable<void> task,
           SpawnHooks hooks = {});

// Gives `line` to `problems`, or to stderr when there is no sink.
void report(const ProblemSink& problems, std::string_view line);

// The text spawn() reports for an escaped exception: "<name>: <what>"
// ("<name>: unknown exception" for a non-std exception). Null -> "".
std::string describe_failure(std::string_view name, const std::exception_ptr& failure);

}  // namespace impulse::runtime

// Implementation of runtime/spawn.hpp.
#include "runtime/spawn.hpp"

#include <boost/asio/co_spawn.hpp>
#include <cstdio>
#include <utility>

namespace impulse::runtime {

namespace {

// The co_spawn completion handler: a named struct rather than a lambda so
// the handler's size and moves are plain to see.
struct Supervisor {
  std::string name;
  SpawnHooks hooks;

  void operator()(std::exception_ptr failure) {
    if (failure) {
      report(hooks.problems, describe_failure(name, failure));
    }
    if (hooks.on_done) hooks.on_done(std::move(failure));
  }
};

}  // namespace

void report(const ProblemSink& problems, std::string_view line) {
  if (problems) {
    problems(line);
  } else {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  }
}

std::string describe_failure(std::string_view name, const std::exception_ptr& failure) {
  if (!failure) return {};
  std::string line(name);
  line += ": ";
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    line += e.what();
  } catch (...) {
    line += "unknown exception";
  }
  return line;
}

void spawn(const boost::asio::any_io_executor& executor, std::string name, boost::asio::awaitable<void> task,
           SpawnHooks hooks) {
  boost::asio::co_spawn(executor, std::move(task), Supervisor{std::move(name), std::move(hooks)});
}

}  // namespace impulse::runtime

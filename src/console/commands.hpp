// CommandRegistry: the console's command table (SPEC §7; reference/
// momentum.md §8.2). Commands are registered by phrase ("summary",
// "refresh domain", "config reload", "message fail") and dispatched by the
// longest registered phrase that prefixes the words typed (case-insensitive).
// Handlers answer through a callback so they may gather data from other
// event loops first. Unknown commands and bad arguments are failed replies
// with a one-line error. Thread: dispatch() on any thread; handlers must be
// registered before the listener starts.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "console/wire.hpp"

namespace impulse::console {

using Words = std::vector<std::string>;
using Respond = std::function<void(Reply)>;
using Handler = std::function<void(const Words& args, Respond respond)>;

class CommandRegistry {
 public:
  // `phrase` is one or more space-separated words; `usage` is shown by help.
  void add(std::string phrase, std::string usage, Handler h);
  void dispatch(std::string_view line, const Respond& respond) const;
  std::string help_text() const;

 private:
  struct Entry {
    Words phrase;
    std::string usage;
    Handler handler;
  };
  std::vector<Entry> entries_;
};

// Splits a command line into words; double quotes group words.
Words split_words(std::string_view line);

inline Reply ok(std::string text) { return Reply{true, std::move(text)}; }
inline Reply failed(std::string text) { return Reply{false, std::move(text)}; }

}  // namespace impulse::console

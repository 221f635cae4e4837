// Implementation of commands.hpp.
#include "console/commands.hpp"

#include <algorithm>

#include "base/strings.hpp"

namespace impulse::console {

Words split_words(std::string_view line) {
  Words out;
  std::string cur;
  bool in_word = false, quoted = false;
  for (char c : line) {
    if (quoted) {
      if (c == '"') quoted = false;
      else cur += c;
      continue;
    }
    if (c == '"') {
      quoted = true;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

void CommandRegistry::add(std::string phrase, std::string usage, Handler h) {
  Words words = split_words(phrase);
  for (auto& w : words) w = to_lower(w);
  entries_.push_back(Entry{std::move(words), std::move(usage), std::move(h)});
}

void CommandRegistry::dispatch(std::string_view line, const Respond& respond) const {
  Words words = split_words(line);
  if (words.empty()) {
    respond(ok(""));
    return;
  }
  const Entry* best = nullptr;
  for (const auto& e : entries_) {
    if (e.phrase.size() > words.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < e.phrase.size() && match; ++i) match = iequals(e.phrase[i], words[i]);
    if (match && (!best || e.phrase.size() > best->phrase.size())) best = &e;
  }
  if (!best) {
    respond(failed("Unknown command '" + words[0] + "'. Type 'help' for a list of commands.\n"));
    return;
  }
  Words args(words.begin() + static_cast<long>(best->phrase.size()), words.end());
  best->handler(args, respond);
}

std::string CommandRegistry::help_text() const {
  std::vector<std::string> lines;
  for (const auto& e : entries_) lines.push_back(e.usage);
  std::sort(lines.begin(), lines.end());
  std::string out = "Available commands:\n";
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

}  // namespace impulse::console

// Fuzz target for the configuration parser (config/parser.hpp): any bytes go
// through parse_text with an in-memory IncludeLoader, so include handling
// (files, directories, errors, cycles, depth) is exercised without a
// filesystem. Checks the parser's promises: it returns, every diagnostic has
// a 1-based position and a message, the number of diagnostics is bounded, and
// the tree's nesting stays within the limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "config/parser.hpp"

namespace {

using impulse::config::IncludeLoader;
using impulse::config::LoadedFile;
using impulse::config::Scope;
using impulse::config::Value;

using LoadResult = impulse::expected<std::vector<LoadedFile>, std::string>;

// Names the fuzzer can find in the seed corpus: a plain file, a directory of
// two files, a file with syntax errors, one that includes itself, and one
// that includes a fresh name every time (only the depth limit stops it).
LoadResult load(std::string_view from, std::string_view path) {
  if (path == "a.conf")
    return std::vector<LoadedFile>{{"a.conf", "Gateway = 10.0.0.1\nDomain d { Routes = ( \"__mx__\" [::1]:25 ) }\n"}};
  if (path == "conf.d")
    return std::vector<LoadedFile>{{"conf.d/10.conf", "x = [ k = v ]\n"},
                                   {"conf.d/20.conf", "Binding b {\n  include a.conf\n}\n"}};
  if (path == "bad.conf") return std::vector<LoadedFile>{{"bad.conf", "x = ( 1, 2\n} \"open\n/* never"}};
  if (path == "self.conf") return std::vector<LoadedFile>{{"./self.conf", "include self.conf\n"}};
  if (path == "deep.conf")
    return std::vector<LoadedFile>{{std::string(from) + "/deep", "d = 1 include deep.conf\n"}};
  if (path == "empty.d") return std::vector<LoadedFile>{};
  return impulse::unexpected("cannot read '" + std::string(path) + "': No such file or directory");
}

[[noreturn]] void broken() { std::abort(); }

// `depth` counts the brackets around the node ({, ( and [ alike).
void check(const Value& v, int depth) {
  if (v.kind == Value::Kind::Scalar) return;
  if (depth + 1 > 64) broken();
  for (const auto& item : v.items) check(item, depth + 1);
  for (const auto& e : v.entries) check(e.value, depth + 1);
}

void check(const Scope& s, int depth) {
  if (depth > 64) broken();
  for (const auto& item : s.items) {
    if (item.assignment.has_value() == item.scope.has_value()) broken();
    if (item.assignment) check(item.assignment->value, depth);
    if (item.scope) check(*item.scope, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  IncludeLoader loader = load;
  auto result = impulse::config::parse_text(text, "fuzz.conf", loader);
  if (result.errors.size() > 200) broken();
  for (const auto& e : result.errors) {
    if (e.loc.line == 0 || e.loc.col == 0 || e.message.empty() || e.loc.file.empty()) broken();
    if (e.str().empty()) broken();
  }
  check(result.root, 0);
  return 0;
}

// The configuration parser: bytes in, syntax tree and diagnostics out
// (reference/momentum.md §1.1; SPEC §2, §10). Pure: file access for
// `include` goes through an IncludeLoader, so the fuzzer and unit tests can
// run without a filesystem. Never throws and never crashes on any input;
// every problem becomes a Diagnostic and parsing goes on where it can.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "config/ast.hpp"

namespace impulse::config {

// One file (or one file of a directory) returned by an IncludeLoader.
struct LoadedFile {
  std::string path;     // the path to report in diagnostics
  std::string content;
};

// Resolves `include "path"` written in file `from_file`. Relative paths are
// relative to the including file's directory. A directory yields its files in
// lexical order, dot-files skipped, no recursion. Returns an error text
// ("cannot read 'x': No such file or directory") on failure.
using IncludeLoader = std::function<impulse::expected<std::vector<LoadedFile>, std::string>(
    std::string_view from_file, std::string_view path)>;

struct ParseResult {
  Scope root;
  Diagnostics errors;
};

// Parses `text` (named `filename` in diagnostics). `loader` may be empty:
// then every include is an error. Include depth is limited (nesting > 16 or a
// cycle is an error at the include line).
ParseResult parse_text(std::string_view text, std::string filename, const IncludeLoader& loader);

// The IncludeLoader backed by the real filesystem.
IncludeLoader filesystem_loader();

// Reads `path` and parses it with filesystem_loader(); an unreadable top-level
// file is one diagnostic at `path:0:0`... reported as `path:1:1`.
ParseResult parse_file(const std::string& path);

}  // namespace impulse::config

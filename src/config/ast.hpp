// The syntax tree of a Momentum-style configuration (reference/momentum.md
// §1.1): what the parser produces and the validator consumes. It records what
// was written and where, nothing more: no option knowledge, no merging of
// repeated scopes (the validator merges), keywords kept as written (compare
// them case-insensitively). `include` is already expanded: included content
// appears in place, with SourceLocs naming the included file.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/diagnostic.hpp"

namespace impulse::config {

struct Value {
  enum class Kind { Scalar, Array, Dict };
  Kind kind = Kind::Scalar;
  SourceLoc loc;  // start of the value token / opening bracket

  // Scalar: the text with quotes removed and escapes resolved.
  std::string text;
  bool quoted = false;

  // Array: `( a "b c" )` elements (scalars, nested arrays or dicts).
  std::vector<Value> items;

  // Dict: `[ k = v ... ]` entries in written order.
  struct Entry;
  std::vector<Entry> entries;
};

struct Value::Entry {
  std::string key;
  SourceLoc key_loc;
  Value value;
};

struct Assignment {
  std::string name;  // option name as written
  SourceLoc loc;     // start of the option name
  Value value;
};

struct Scope {
  std::string keyword;              // as written; empty for the file root
  std::optional<std::string> name;  // named scope: `Domain "x" { }`; nullopt: anonymous
  SourceLoc loc;                    // start of the keyword
  SourceLoc name_loc;               // start of the name token (if named)
  // Statements in file order. Exactly one of the two is set per item.
  struct Item;
  std::vector<Item> items;
};

// Defined after Scope so that std::optional<Scope> sees a complete type.
struct Scope::Item {
  std::optional<Assignment> assignment;
  std::optional<Scope> scope;
};

}  // namespace impulse::config

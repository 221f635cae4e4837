// Validation: turns the parser's syntax tree into a merged, typed scope tree
// and a list of diagnostics (SPEC §2; reference/momentum.md §1.1-§1.3).
//
// Checks, all reported at once in file order, each at the start of the
// offending token: unknown options and scope keywords (with the closest
// known name), options outside their valid scopes (listing them), stanzas
// where they may not appear (listing where they may), bad values (saying
// what was expected), bad stanza names (binding names with spaces or colons,
// invalid /regex/ domains, malformed Listen addresses and Peer CIDRs),
// bindings declared in two different containers.
//
// Merging: a stanza opened again in the same container (same keyword and
// name; domain and host names case-insensitive, binding names
// case-sensitive) is the same node; a later assignment of an option in it
// replaces the earlier one.
//
// Leaves lookups across scopes to config_impl.hpp. Pure: no I/O, no state;
// never throws (regex errors are caught and reported).
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/ast.hpp"
#include "config/net.hpp"
#include "config/registry.hpp"

namespace impulse::config {

struct ScopeNode {
  ScopeKind kind = ScopeKind::Global;
  std::string keyword;  // canonical keyword ("domain", "ec_logger"); "global" for the root
  std::string name;     // as first written; empty when anonymous
  std::string key;      // merge key: lower-cased exact domain/host names, else the name
  ScopeId id;           // "global", "binding_group:g1/binding:b1/domain:example.com", ...
  SourceLoc loc;        // keyword of the first opening
  const ScopeNode* parent = nullptr;

  std::shared_ptr<const std::regex> regex;  // domain/host named "/pattern/"
  std::optional<Cidr> cidr;                 // peer

  std::unordered_map<std::size_t, OptionValue> values;  // registry index -> value
  std::vector<std::unique_ptr<ScopeNode>> children;     // in order of first appearance

  const OptionValue* find(std::size_t option_index) const {
    auto it = values.find(option_index);
    return it == values.end() ? nullptr : &it->second;
  }
  bool is_regex() const { return regex != nullptr; }
};

struct ValidationResult {
  std::unique_ptr<ScopeNode> root;
  Diagnostics errors;    // in file order
  Diagnostics warnings;  // advice (config/apn_checks.hpp); never makes the file invalid
};

ValidationResult validate(const Scope& root);

// The exact-name key of a domain or host: lower-case, without a trailing dot.
std::string domain_key(std::string_view name);

// The value `node` itself sets for the option named `option`, or nullptr
// (the checks' lookups: config/*_checks.cpp).
const OptionValue* own_value(const ScopeNode& node, std::string_view option);

// The value set nearest `node` along its parents (Momentum's fallback,
// simplified to the nesting), or nullptr.
const OptionValue* inherited_value(const ScopeNode* node, std::string_view option);

}  // namespace impulse::config

// Typed value conversion: turns a written configuration value (syntax tree
// Value) into the typed OptionData its registry type calls for, or into a
// diagnostic that says what was expected ("expected an integer between 0 and
// 65535"), located at the offending token (the value, or the list item).
// Also converts plain text (built-in defaults, console `config set`) and
// formats typed values back to configuration text (console `config eval`).
//
// Leaves option lookup and scope rules to the registry and the validator.
// Pure functions; no state, any thread. Follows reference/momentum.md §1.1
// (booleans per ec_atobool, octal modes, arrays, dictionaries) and SPEC §2-§3
// (route items, CIDRs, bracketed IPv6).
#pragma once

#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "config/ast.hpp"
#include "config/registry.hpp"

namespace impulse::config {

// The "expected ..." sentence for a scalar value of `def` (lists describe
// their items).
std::string expected_text(const OptionDef& def);

// Converts `value` for `def`. On failure the Diagnostic points at the value
// or at the first bad list item; every bad list item is one diagnostic, so
// the result is a list.
impulse::expected<OptionData, Diagnostics> check_value(const OptionDef& def, const Value& value);

// Converts text: a scalar, or for list types space-separated items (empty
// text = empty list). Empty text for string-like types = unset (""), for
// throttles = unlimited ("0").
impulse::expected<OptionData, std::string> convert_text(const OptionDef& def, std::string_view text);

// Configuration text of a typed value: booleans "true"/"false", modes in
// octal ("0640"), throttles "N" or "N/S", max_retries "auto"/"none"/N,
// lists `( "a" "b" )`, dictionaries `[ k = "v" ]`, strings quoted when they
// need it.
std::string format_value(const OptionDef& def, const OptionData& data);

// Boolean spelling per ec_atobool: true/false, on/off, enabled/disabled,
// yes/no, 1/0 (case-insensitive). nullopt if it is none of those.
std::optional<bool> parse_bool(std::string_view text);

// "N" or "N/S" (N >= 0, S >= 1).
std::optional<RateSpec> parse_rate(std::string_view text);

}  // namespace impulse::config

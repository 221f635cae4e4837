// Module stanzas that may appear more than once with different names, such
// as `webhook "crm" { }` and `webhook "audit" { }`: their names, and one
// instance's options. (Config::module_option() answers for a keyword or a
// name alone, which is ambiguous for such stanzas.)
// Threading: pure reads of an immutable snapshot; any thread.
// Failure modes: none; a Config that is not a ConfigImpl (test doubles) has
// no instances.
// Spec: SPEC §17 (webhook stanzas); reference/momentum.md §1.3.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace impulse::config {

// Names of the `keyword "name" { }` stanzas, in file order ("" for an
// anonymous one).
std::vector<std::string> module_instances(const Config& config, std::string_view keyword);

// The option as set in that stanza; nullptr when it is not set there.
const OptionValue* module_instance_option(const Config& config, std::string_view keyword, std::string_view name,
                                          std::string_view option);

}  // namespace impulse::config

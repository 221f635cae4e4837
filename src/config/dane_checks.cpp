// Implementation of config/dane_checks.hpp.
#include "config/dane_checks.hpp"

#include <string>

#include "config/registry.hpp"

namespace impulse::config {
namespace {

const OptionValue* value_at(const ScopeNode& node, std::string_view option) {
  const OptionDef* def = registry().find(option);
  return def ? node.find(def->index) : nullptr;
}

bool set_true(const OptionValue* v) { return v && std::holds_alternative<bool>(v->data) && v->as_bool(); }

void warn_below(const ScopeNode& node, Diagnostics& warnings) {
  for (const auto& child : node.children) {
    if (const OptionValue* v = value_at(*child, "use_dane"); set_true(v)) {
      warnings.push_back(Diagnostic{v->loc,
                                    "use_dane has no effect here: DNSSEC validation is off (set "
                                    "DNSSEC_Trust_Anchor_File, or use_dane = true globally)",
                                    true});
    }
    warn_below(*child, warnings);
  }
}

}  // namespace

void check_dane(const ScopeNode& root, Diagnostics& warnings) {
  // The same rule as delivery/delivery_loop_resolver.cpp (resolver_options_from_config).
  if (set_true(value_at(root, "use_dane")) || value_at(root, "dnssec_trust_anchor_file") != nullptr) return;
  warn_below(root, warnings);
}

}  // namespace impulse::config

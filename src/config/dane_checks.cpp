// Implementation of config/dane_checks.hpp.
#include "config/dane_checks.hpp"

#include <initializer_list>
#include <string>

#include "config/registry.hpp"

namespace impulse::config {
namespace {

const OptionValue* value_at(const ScopeNode& node, std::string_view option) {
  const OptionDef* def = registry().find(option);
  return def ? node.find(def->index) : nullptr;
}

bool set_true(const OptionValue* v) { return v && std::holds_alternative<bool>(v->data) && v->as_bool(); }

void warn(const ScopeNode& node, Diagnostics& warnings) {
  for (std::string_view option : {"use_dane", "enable_dane"}) {
    if (const OptionValue* v = value_at(node, option); set_true(v)) {
      warnings.push_back(Diagnostic{v->loc,
                                    std::string(option) + " has no effect here: DNSSEC validation is off (set "
                                                          "DNSSEC_Trust_Anchor_File, or use_dane = true globally)",
                                    true});
    }
  }
  for (const auto& child : node.children) warn(*child, warnings);
}

}  // namespace

void check_dane(const ScopeNode& root, Diagnostics& warnings) {
  // The same rule as delivery/delivery_loop_resolver.cpp (resolver_options_from_config).
  if (set_true(value_at(root, "use_dane")) || value_at(root, "dnssec_trust_anchor_file") != nullptr) return;
  warn(root, warnings);
}

}  // namespace impulse::config

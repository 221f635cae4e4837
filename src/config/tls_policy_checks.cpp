// Implementation of config/tls_policy_checks.hpp.
#include "config/tls_policy_checks.hpp"

#include <array>
#include <string>

#include "config/registry.hpp"

namespace impulse::config {
namespace {

void check_node(const ScopeNode& node, Diagnostics& warnings) {
  // use_* turn a policy on; enable_* default to true and only matter once use_* is set.
  // use_dane is enforced by the SMTP client (delivery/smtp/dane_lookup.hpp): no warning.
  static constexpr std::array<std::string_view, 1> kOptions{"use_mta_sts"};
  for (std::string_view option : kOptions) {
    const OptionDef* def = registry().find(option);
    const OptionValue* v = def ? node.find(def->index) : nullptr;
    if (!v || !std::holds_alternative<bool>(v->data) || !v->as_bool()) continue;
    const std::string name = "MTA-STS";
    warnings.push_back(Diagnostic{v->loc,
                                  std::string(option) + " is accepted but " + name +
                                      " is not enforced yet: delivery uses the configured tls and tls_verify",
                                  true});
  }
  for (const auto& child : node.children) check_node(*child, warnings);
}

}  // namespace

void check_tls_policies(const ScopeNode& root, Diagnostics& warnings) { check_node(root, warnings); }

}  // namespace impulse::config

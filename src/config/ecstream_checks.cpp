// Implementation of config/ecstream_checks.hpp.
#include "config/ecstream_checks.hpp"

#include "base/strings.hpp"

namespace impulse::config {
namespace {

bool outbound(ScopeKind kind) {
  return kind == ScopeKind::Global || kind == ScopeKind::BindingGroup || kind == ScopeKind::Binding ||
         kind == ScopeKind::Domain;
}

bool is_ecstream(const OptionValue* method) { return method && iequals(method->as_string(), "ecstream"); }

void check_ecstream_node(const ScopeNode& node, Diagnostics& warnings) {
  if (outbound(node.kind)) {
    const OptionValue* method = own_value(node, "delivery_method");
    const OptionValue* gateway = inherited_value(&node, "gateway");
    if (is_ecstream(method) && (!gateway || gateway->as_string().empty())) {
      warnings.push_back(Diagnostic{method->loc,
                                    "Delivery_Method = ECSTREAM without a Gateway here: its mail will wait (451 "
                                    "4.4.0 [internal] ECSTREAM delivers to a Gateway; none is configured)",
                                    true});
    }
    const OptionValue* routes = own_value(node, "routes");
    if (routes && is_ecstream(inherited_value(&node, "delivery_method"))) {
      warnings.push_back(Diagnostic{routes->loc, "Routes are not used for ECSTREAM delivery; set Gateway", true});
    }
  }
  for (const auto& child : node.children) check_ecstream_node(*child, warnings);
}

}  // namespace

void check_ecstream(const ScopeNode& root, Diagnostics& warnings) { check_ecstream_node(root, warnings); }

}  // namespace impulse::config

// Implementation of config/apn_checks.hpp.
#include "config/apn_checks.hpp"

#include "base/strings.hpp"
#include "config/apn_routes.hpp"
#include "config/route_item.hpp"

namespace impulse::config {
namespace {

bool certificate_set(const OptionValue* v) {
  return v && !v->as_string().empty() && !iequals(v->as_string(), "none");
}

const OptionValue* token_option(const ScopeNode& node) {
  for (std::string_view option : {"apn_key_file", "apn_key_id", "apn_team_id"})
    if (const OptionValue* v = own_value(node, option); v && !v->as_string().empty()) return v;
  return nullptr;
}

bool delivered_by_apn(const ScopeNode& node) {
  const OptionValue* method = inherited_value(&node, "delivery_method");
  return method && iequals(method->as_string(), "apn");
}

void check_apn_node(const ScopeNode& node, Diagnostics& errors, Diagnostics& warnings) {
  const bool outbound = node.kind == ScopeKind::Global || node.kind == ScopeKind::BindingGroup ||
                        node.kind == ScopeKind::Binding || node.kind == ScopeKind::Domain;
  if (outbound) {
    const OptionValue* token = token_option(node);
    if (token && certificate_set(own_value(node, "tls_certificate"))) {
      errors.push_back(Diagnostic{token->loc,
                                  "APN token authentication (apn_key_file, apn_key_id, apn_team_id) and certificate "
                                  "authentication (tls_certificate) are both set in this scope; choose one"});
    }
  }
  if (node.kind == ScopeKind::Domain && delivered_by_apn(node)) {
    bool token = false;
    for (const ScopeNode* n = &node; n && !token; n = n->parent) token = token_option(*n) != nullptr;
    if (!token && !certificate_set(inherited_value(&node, "tls_certificate"))) {
      const OptionValue* method = own_value(node, "delivery_method");
      warnings.push_back(Diagnostic{method ? method->loc : node.loc,
                                    "APN domain \"" + node.name +
                                        "\" has no credentials (apn_key_file, apn_key_id and apn_team_id, or "
                                        "tls_certificate): its messages will wait (451 4.7.0 [internal] APN "
                                        "credentials not configured)",
                                    true});
    }
  }
  if (const OptionValue* routes = own_value(node, "routes")) {
    for (const std::string& text : routes->as_list()) {
      auto item = parse_route_item(text);
      if (!item || item->kind == RouteItem::Kind::Mx) continue;
      if (item->scheme != "apn" && !delivered_by_apn(node)) continue;
      if (auto rewrite = retired_apn_route(item->target.host, item->explicit_port())) {
        warnings.push_back(Diagnostic{routes->loc,
                                      "route \"" + text + "\" names the retired APNs binary protocol; delivering over "
                                      "HTTP/2 to " + rewrite->host + ":" + std::to_string(rewrite->port) + " instead",
                                      true});
      }
    }
  }
  for (const auto& child : node.children) check_apn_node(*child, errors, warnings);
}

}  // namespace

void check_apn(const ScopeNode& root, Diagnostics& errors, Diagnostics& warnings) {
  check_apn_node(root, errors, warnings);
}

}  // namespace impulse::config

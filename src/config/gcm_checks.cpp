// Implementation of config/gcm_checks.hpp.
#include "config/gcm_checks.hpp"

#include <fstream>
#include <sstream>

#include "base/strings.hpp"
#include "protocol/service_account.hpp"

namespace impulse::config {
namespace {

bool set(const OptionValue* v) { return v && !v->as_string().empty(); }

bool delivered_by_gcm(const ScopeNode& node) {
  const OptionValue* method = inherited_value(&node, "delivery_method");
  return method && iequals(method->as_string(), "gcm");
}

// "" when the file is a usable service account, else why not.
std::string service_account_problem(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "cannot be read";
  std::ostringstream text;
  text << in.rdbuf();
  auto account = protocol::parse_service_account(text.str());
  return account ? std::string() : account.error();
}

void check_gcm_node(const ScopeNode& node, Diagnostics& errors, Diagnostics& warnings) {
  const OptionValue* account = own_value(node, "gcm_service_account");
  const OptionValue* key = own_value(node, "gcm_authorization_token_id");
  if (set(account) && set(key)) {
    errors.push_back(Diagnostic{account->loc,
                                "GCM_Service_Account (FCM HTTP v1) and GCM_Authorization_Token_ID (legacy API) are "
                                "both set in this scope; choose one"});
  }
  if (set(account)) {
    if (std::string why = service_account_problem(account->as_string()); !why.empty())
      errors.push_back(Diagnostic{account->loc, "GCM_Service_Account \"" + account->as_string() + "\": " + why});
  }
  if (node.kind == ScopeKind::Domain && delivered_by_gcm(node) && !set(inherited_value(&node, "gcm_service_account")) &&
      !set(inherited_value(&node, "gcm_authorization_token_id"))) {
    const OptionValue* method = own_value(node, "delivery_method");
    warnings.push_back(Diagnostic{method ? method->loc : node.loc,
                                  "GCM domain \"" + node.name +
                                      "\" has no credentials (GCM_Service_Account or GCM_Authorization_Token_ID): its "
                                      "messages will wait (451 4.7.0 [internal] GCM credentials not configured)",
                                  true});
  }
  for (const auto& child : node.children) check_gcm_node(*child, errors, warnings);
}

}  // namespace

void check_gcm(const ScopeNode& root, Diagnostics& errors, Diagnostics& warnings) {
  check_gcm_node(root, errors, warnings);
}

}  // namespace impulse::config

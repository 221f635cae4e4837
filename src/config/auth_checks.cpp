// Implementation of config/auth_checks.hpp.
#include "config/auth_checks.hpp"

#include <fstream>
#include <sstream>

#include "protocol/smtp_auth_passwords.hpp"

namespace impulse::config {
namespace {

void check_auth_node(const ScopeNode& node, std::size_t index, Diagnostics& errors) {
  if (const OptionValue* v = node.find(index); v && !v->as_string().empty()) {
    const std::string& path = v->as_string();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      errors.push_back(Diagnostic{v->loc, "auth_password_file " + path + ": cannot be read"});
    } else {
      std::ostringstream text;
      text << in.rdbuf();
      if (auto parsed = protocol::parse_password_file(text.str()); !parsed)
        errors.push_back(Diagnostic{v->loc, "auth_password_file " + path + ": " + parsed.error()});
    }
  }
  for (const auto& child : node.children) check_auth_node(*child, index, errors);
}

}  // namespace

void check_auth(const ScopeNode& root, Diagnostics& errors) {
  const OptionDef* def = registry().find("auth_password_file");
  if (def) check_auth_node(root, def->index, errors);
}

}  // namespace impulse::config

// Implementation of config/dkim_checks.hpp.
#include "config/dkim_checks.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "protocol/dkim_key.hpp"
#include "protocol/dkim_names.hpp"

namespace impulse::config {
namespace {

// The dkim_domain's own value, else its opendkim stanza's; nullptr when neither sets it.
const OptionValue* either(const ScopeNode& domain, const ScopeNode& module, std::string_view option) {
  if (const OptionValue* v = own_value(domain, option)) return v;
  return own_value(module, option);
}

std::string digest_of(const ScopeNode& domain, const ScopeNode& module) {
  const OptionValue* v = either(domain, module, "digest");
  return v ? v->as_string() : std::string(registry().find("digest")->default_value.as_string());
}

// "" when the file holds a key for `digest`, else why not.
std::string key_problem(const std::string& file, const std::string& digest) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fmt::format("cannot be read: {}", std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return "cannot be read";
  auto kind = protocol::dkim_pem_key_kind(text.str());
  if (!kind) return kind.error();
  if (protocol::dkim_digest_for(*kind) != digest)
    return fmt::format("holds an {} key but digest is {}",
                       *kind == protocol::DkimKeyKind::kEd25519 ? "Ed25519" : "RSA", digest);
  return {};
}

void check_headerlist(const ScopeNode& node, Diagnostics& errors) {
  if (const OptionValue* v = own_value(node, "headerlist")) {
    auto list = protocol::dkim_header_list(v->as_list());
    if (!list) errors.push_back(Diagnostic{v->loc, "headerlist: " + list.error()});
  }
}

void check_domain(const ScopeNode& domain, const ScopeNode& module, Diagnostics& errors) {
  check_headerlist(domain, errors);
  const std::string name = to_lower(domain.name);
  const OptionValue* selector = either(domain, module, "selector");
  if (!selector || selector->as_string().empty()) {
    errors.push_back(Diagnostic{domain.loc, fmt::format("dkim_domain \"{}\" has no selector", domain.name)});
    return;
  }
  const OptionValue* key = either(domain, module, "key");
  if (!key || key->as_string().empty()) {
    errors.push_back(Diagnostic{domain.loc, fmt::format("dkim_domain \"{}\" has no key", domain.name)});
    return;
  }
  auto path = protocol::dkim_expand_key_path(key->as_string(), name, selector->as_string());
  if (!path) {
    errors.push_back(Diagnostic{key->loc, fmt::format("key \"{}\": {}", key->as_string(), path.error())});
    return;
  }
  if (std::string why = key_problem(*path, digest_of(domain, module)); !why.empty())
    errors.push_back(Diagnostic{key->loc, fmt::format("key \"{}\" (dkim_domain \"{}\"): {}", *path, domain.name, why)});
}

void check_module(const ScopeNode& module, Diagnostics& errors) {
  check_headerlist(module, errors);
  if (const OptionValue* key = own_value(module, "key")) {
    auto path = protocol::dkim_expand_key_path(key->as_string(), "d", "s");
    if (!path) errors.push_back(Diagnostic{key->loc, fmt::format("key \"{}\": {}", key->as_string(), path.error())});
  }
  for (const auto& child : module.children)
    if (child->kind == ScopeKind::Module && child->keyword == "dkim_domain") check_domain(*child, module, errors);
}

void walk(const ScopeNode& node, Diagnostics& errors) {
  for (const auto& child : node.children) {
    if (child->kind == ScopeKind::Module && child->keyword == "dkim_domain" &&
        !(node.kind == ScopeKind::Module && node.keyword == "opendkim"))
      errors.push_back(Diagnostic{child->loc, "scope 'dkim_domain' is valid only inside an opendkim stanza"});
    if (child->kind == ScopeKind::Module && child->keyword == "opendkim") check_module(*child, errors);
    else walk(*child, errors);
  }
}

}  // namespace

void check_dkim(const ScopeNode& root, Diagnostics& errors) { walk(root, errors); }

}  // namespace impulse::config

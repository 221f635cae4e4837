// Implementation of config/validator.hpp.
// GCC 12.2 false positive: with -fsanitize=address at -O1, libstdc++'s own
// regex compiler (_NFA::_M_insert_* moving a _State holding a
// std::function) warns -Wmaybe-uninitialized (GCC bug 105562, fixed in
// 12.3). Only <regex>'s templates, instantiated here, are covered: it is
// included first, under the pragma, so the pragma state at its locations
// is "ignored".
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

#include "config/validator.hpp"

#include "config/apn_checks.hpp"
#include "config/console_checks.hpp"
#include "config/dane_checks.hpp"
#include "config/auth_checks.hpp"
#include "config/dkim_checks.hpp"
#include "config/cluster_checks.hpp"
#include "config/ecstream_checks.hpp"
#include "config/gcm_checks.hpp"
#include "config/mm7_checks.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "config/value_check.hpp"

namespace impulse::config {

namespace {

std::string_view name_example(ScopeKind k) {
  switch (k) {
    case ScopeKind::Domain: return "\"example.com\"";
    case ScopeKind::Host: return "\"mx.example.com\"";
    case ScopeKind::Listen: return "\"127.0.0.1:25\"";
    case ScopeKind::Peer: return "\"10.0.0.0/8\"";
    default: return "\"name\"";
  }
}

// "binding", or the module keyword for module stanzas.
std::string_view node_scope_name(const ScopeNode& n) {
  return n.kind == ScopeKind::Module ? std::string_view(n.keyword) : scope_kind_name(n.kind);
}

std::string allowed_text(ScopeSet set) {
  std::vector<std::string_view> names;
  for (unsigned k = 0; k < static_cast<unsigned>(ScopeKind::Module); ++k)
    if (set & scope_bit(static_cast<ScopeKind>(k))) names.push_back(scope_kind_name(static_cast<ScopeKind>(k)));
  std::sort(names.begin(), names.end());
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + std::string(names[i]);
  return out;
}

bool has_space(std::string_view s) {
  for (char c : s)
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return true;
  return false;
}

class Validator {
 public:
  ValidationResult run(const Scope& ast) {
    auto root = std::make_unique<ScopeNode>();
    root->kind = ScopeKind::Global;
    root->keyword = "global";
    root->id = "global";
    walk(ast, *root);
    return ValidationResult{std::move(root), std::move(errors_), {}};
  }

 private:
  const Registry& reg_ = registry();
  Diagnostics errors_;
  // binding name -> the node that declared it first (its parent is the container).
  std::map<std::string, const ScopeNode*> bindings_;
  // Holds nodes of stanzas that are in error: their contents are checked but
  // never become part of the configuration.
  std::vector<std::unique_ptr<ScopeNode>> detached_;

  void error(const SourceLoc& loc, std::string message) { errors_.push_back(Diagnostic{loc, std::move(message)}); }

  void walk(const Scope& ast, ScopeNode& node) {
    for (const auto& item : ast.items) {
      if (item.assignment) assign(*item.assignment, node);
      if (item.scope) open(*item.scope, node);
    }
  }

  void assign(const Assignment& a, ScopeNode& node) {
    const OptionDef* def = reg_.find(a.name);
    if (!def) {
      std::string msg = fmt::format("unknown option '{}'", a.name);
      if (reg_.find_scope(a.name))
        msg += fmt::format("; '{}' is a scope: write {} {{ ... }}", to_lower(a.name), to_lower(a.name));
      else if (auto s = reg_.suggest_option(a.name))
        msg += fmt::format("; did you mean '{}'?", *s);
      error(a.loc, std::move(msg));
      return;
    }
    bool ok = node.kind == ScopeKind::Module ? def->valid_in_module(node.keyword) : def->valid_in(node.kind);
    if (!ok) {
      error(a.loc, fmt::format("option '{}' is not valid in {} scope (valid in: {})", def->name,
                               node_scope_name(node), valid_scopes_text(*def)));
      return;
    }
    auto value = check_value(*def, a.value);
    if (!value) {
      for (auto& d : value.error()) errors_.push_back(std::move(d));
      return;
    }
    node.values[def->index] = OptionValue{std::move(*value), a.loc};
  }

  void open(const Scope& s, ScopeNode& parent) {
    const ScopeDef* sd = reg_.find_scope(s.keyword);
    if (!sd) {
      std::string msg = fmt::format("unknown scope '{}'", s.keyword);
      if (reg_.find(s.keyword))
        msg += fmt::format("; '{}' is an option: write {} = value", to_lower(s.keyword), to_lower(s.keyword));
      else if (auto k = reg_.suggest_scope(s.keyword))
        msg += fmt::format("; did you mean '{}'?", *k);
      error(s.loc, std::move(msg));
      return;  // its contents cannot be judged
    }
    bool in_error = false;
    if (!(sd->allowed_in & scope_bit(parent.kind))) {
      error(s.loc, fmt::format("scope '{}' is not valid in {} scope (valid in: {})", sd->keyword,
                               node_scope_name(parent), allowed_text(sd->allowed_in)));
      in_error = true;
    }
    std::string name = s.name.value_or("");
    if (sd->naming == ScopeDef::Naming::Required && !s.name) {
      error(s.loc, fmt::format("{} scope needs a name, e.g. {} {} {{ }}", sd->keyword, sd->keyword,
                               name_example(sd->kind)));
      in_error = true;
    } else if (sd->naming == ScopeDef::Naming::Forbidden && s.name) {
      error(s.name_loc, fmt::format("{} scope takes no name", sd->keyword));
      in_error = true;
    }

    auto fresh = std::make_unique<ScopeNode>();
    fresh->kind = sd->kind;
    fresh->keyword = std::string(sd->keyword);
    fresh->name = name;
    fresh->loc = s.loc;
    fresh->parent = &parent;
    if (!in_error && s.name && !check_name(s, *sd, *fresh)) in_error = true;
    if (!in_error && sd->kind == ScopeKind::Binding && !claim_binding(s, parent)) in_error = true;

    if (in_error) {
      ScopeNode& tmp = *fresh;
      detached_.push_back(std::move(fresh));
      walk(s, tmp);
      return;
    }
    ScopeNode* target = nullptr;
    for (auto& c : parent.children)
      if (c->kind == fresh->kind && c->keyword == fresh->keyword && c->key == fresh->key) target = c.get();
    if (!target) {
      fresh->id = make_id(parent, *fresh);
      parent.children.push_back(std::move(fresh));
      target = parent.children.back().get();
      if (target->kind == ScopeKind::Binding) bindings_.emplace(target->name, target);
    }
    walk(s, *target);
  }

  static ScopeId make_id(const ScopeNode& parent, const ScopeNode& n) {
    std::string self = n.keyword;
    if (!n.name.empty() || n.kind == ScopeKind::Domain || n.kind == ScopeKind::Host) self += ":" + n.key;
    if (parent.kind == ScopeKind::Global) return self;
    return parent.id + "/" + self;
  }

  // Checks the stanza name for its kind and fills key/regex/cidr.
  bool check_name(const Scope& s, const ScopeDef& sd, ScopeNode& n) {
    const std::string& name = *s.name;
    n.key = name;
    switch (sd.kind) {
      case ScopeKind::Binding:
        if (name.empty() || has_space(name) || name.find(':') != std::string::npos) {
          error(s.name_loc, fmt::format("binding name '{}' must be non-empty without spaces or colons", name));
          return false;
        }
        return true;
      case ScopeKind::BindingGroup:
        if (name.empty() || has_space(name)) {
          error(s.name_loc, fmt::format("binding_group name '{}' must be non-empty without spaces", name));
          return false;
        }
        return true;
      case ScopeKind::Domain:
      case ScopeKind::Host: {
        if (name.size() >= 2 && name.front() == '/' && name.back() == '/') {
          std::string pattern = name.substr(1, name.size() - 2);
          if (pattern.empty()) {
            error(s.name_loc, fmt::format("empty regular expression in {} name", sd.keyword));
            return false;
          }
          try {
            n.regex = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript | std::regex::icase);
          } catch (const std::regex_error& e) {
            error(s.name_loc, fmt::format("invalid regular expression in {} name \"{}\": {}", sd.keyword, name,
                                          e.what()));
            return false;
          }
          return true;
        }
        if (name.empty() || has_space(name) || name == "/" || name == ".") {
          error(s.name_loc, fmt::format("{} name '{}' must be a name without spaces or a /regex/", sd.keyword, name));
          return false;
        }
        n.key = domain_key(name);
        return true;
      }
      case ScopeKind::Listen: {
        auto ep = parse_listen_address(name);
        if (!ep) {
          error(s.name_loc, ep.error());
          return false;
        }
        return true;
      }
      case ScopeKind::Peer: {
        auto c = parse_cidr(name);
        if (!c) {
          error(s.name_loc, c.error());
          return false;
        }
        n.cidr = *c;
        return true;
      }
      default:
        return true;
    }
  }

  // A binding lives in exactly one container (global or one binding_group).
  bool claim_binding(const Scope& s, const ScopeNode& container) {
    auto it = bindings_.find(*s.name);
    if (it == bindings_.end() || it->second->parent == &container) return true;
    const ScopeNode* other = it->second->parent;
    std::string where = other->kind == ScopeKind::Global ? std::string("at global scope")
                                                         : fmt::format("in binding_group '{}'", other->name);
    error(s.name_loc, fmt::format("binding '{}' is already declared {} ({}:{})", *s.name, where,
                                  it->second->loc.file, it->second->loc.line));
    return false;
  }
};

}  // namespace

std::string domain_key(std::string_view name) {
  std::string k = to_lower(name);
  if (k.size() > 1 && k.back() == '.') k.pop_back();
  return k;
}

const OptionValue* own_value(const ScopeNode& node, std::string_view option) {
  const OptionDef* def = registry().find(option);
  return def ? node.find(def->index) : nullptr;
}

const OptionValue* inherited_value(const ScopeNode* node, std::string_view option) {
  for (; node; node = node->parent)
    if (const OptionValue* v = own_value(*node, option)) return v;
  return nullptr;
}

ValidationResult validate(const Scope& root) {
  ValidationResult result = Validator().run(root);
  check_apn(*result.root, result.errors, result.warnings);
  check_ecstream(*result.root, result.warnings);
  check_gcm(*result.root, result.errors, result.warnings);
  check_mm7(*result.root, result.errors);
  check_console(*result.root, result.errors);
  check_auth(*result.root, result.errors);
  check_dkim(*result.root, result.errors);
  check_cluster(*result.root, result.errors);
  check_dane(*result.root, result.warnings);
  return result;
}

}  // namespace impulse::config

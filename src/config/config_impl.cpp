// Implementation of config/config_impl.hpp.
#include "config/config_impl.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "config/net.hpp"

namespace impulse::config {

namespace {

constexpr std::string_view kDefaultOwner = "default";

const OptionDef& require_option(std::string_view option) {
  const OptionDef* def = registry().find(option);
  if (!def) {
    std::fprintf(stderr, "impulse: bug: lookup of unregistered option '%.*s'\n", static_cast<int>(option.size()),
                 option.data());
    std::abort();
  }
  return *def;
}

Resolved from_node(const ScopeNode* node, const OptionDef& def) {
  if (!node) return {};
  if (const OptionValue* v = node->find(def.index)) return Resolved{v, node->id};
  return {};
}

Resolved builtin(const OptionDef& def) { return Resolved{&def.default_value, std::string(kDefaultOwner)}; }

std::string unknown_option_text(std::string_view option) {
  std::string msg = fmt::format("unknown option '{}'", option);
  if (auto s = registry().suggest_option(option)) msg += fmt::format("; did you mean '{}'?", *s);
  return msg;
}

bool is_listener_keyword(std::string_view k) {
  return iequals(k, "esmtp_listener") || iequals(k, "control_listener") || iequals(k, "ecstream_listener") ||
         iequals(k, "http_listener");
}

}  // namespace

const ScopeNode* ConfigImpl::MatchTable::match(const std::string& key) const {
  if (auto it = exact.find(key); it != exact.end()) return it->second;
  for (const ScopeNode* n : regexes)
    if (std::regex_search(key, *n->regex)) return n;
  return nullptr;
}

ConfigImpl::Container ConfigImpl::index_container(const ScopeNode& node) const {
  Container c;
  c.node = &node;
  for (const auto& child : node.children) {
    MatchTable* table = child->kind == ScopeKind::Domain ? &c.domains
                        : child->kind == ScopeKind::Host ? &c.hosts
                                                         : nullptr;
    if (!table) continue;
    if (child->is_regex())
      table->regexes.push_back(child.get());
    else
      table->exact.emplace(child->key, child.get());
  }
  return c;
}

ConfigImpl::ConfigImpl(std::unique_ptr<ScopeNode> root, std::vector<std::string> files, Diagnostics warnings)
    : root_(std::move(root)), files_(std::move(files)), warnings_(std::move(warnings)) {
  global_ = index_container(*root_);
  for (const auto& child : root_->children)
    if (child->kind == ScopeKind::BindingGroup) groups_.emplace(child->name, index_container(*child));
  bool default_declared = false;
  for (const auto& child : root_->children) {
    auto add_binding = [&](const ScopeNode& b, const Container* group) {
      bindings_.emplace(b.name, BindingEntry{index_container(b), group});
      BindingInfo info{b.name, std::nullopt};
      if (group) {
        info.group = group->node->name;
        group_members_[group->node->name].push_back(b.name);
      }
      if (b.name == "default") default_declared = true;
      binding_list_.push_back(std::move(info));
    };
    if (child->kind == ScopeKind::Binding) add_binding(*child, nullptr);
    if (child->kind == ScopeKind::BindingGroup) {
      const Container* g = &groups_.at(child->name);
      for (const auto& b : child->children)
        if (b->kind == ScopeKind::Binding) add_binding(*b, g);
    }
  }
  // Mail with no binding assigned goes to the implicit binding "default".
  if (!default_declared) binding_list_.insert(binding_list_.begin(), BindingInfo{"default", std::nullopt});
}

const ConfigImpl::BindingEntry* ConfigImpl::find_binding(std::string_view name) const {
  auto it = bindings_.find(std::string(name));
  return it == bindings_.end() ? nullptr : &it->second;
}

const ConfigImpl::Container* ConfigImpl::find_group(std::string_view name) const {
  auto it = groups_.find(std::string(name));
  return it == groups_.end() ? nullptr : &it->second;
}

const ScopeNode* ConfigImpl::find_listener(std::string_view keyword) const {
  for (const auto& child : root_->children)
    if (child->kind != ScopeKind::Module && child->keyword == to_lower(keyword) && is_listener_keyword(keyword))
      return child.get();
  return nullptr;
}

Resolved ConfigImpl::walk_outbound(const OptionDef& def, const BindingEntry* binding, const Container* group,
                                   const std::string& domain) const {
  const bool has_domain = !domain.empty();
  // 1-2. binding_group::binding::domain, binding::domain
  if (binding && has_domain)
    if (auto r = from_node(binding->self.domains.match(domain), def); r.value) return r;
  // 3. binding_group::domain
  if (group && has_domain)
    if (auto r = from_node(group->domains.match(domain), def); r.value) return r;
  // 4. binding
  if (binding)
    if (auto r = from_node(binding->self.node, def); r.value) return r;
  // 5. binding_group
  if (group)
    if (auto r = from_node(group->node, def); r.value) return r;
  // 6. global domain
  if (has_domain)
    if (auto r = from_node(global_.domains.match(domain), def); r.value) return r;
  // 7. global
  if (auto r = from_node(global_.node, def); r.value) return r;
  // 8. built-in default
  return builtin(def);
}

Resolved ConfigImpl::walk_host(const OptionDef& def, const BindingEntry* binding, const Container* group,
                               const std::string& host) const {
  if (binding)
    if (auto r = from_node(binding->self.hosts.match(host), def); r.value) return r;
  if (group)
    if (auto r = from_node(group->hosts.match(host), def); r.value) return r;
  if (auto r = from_node(global_.hosts.match(host), def); r.value) return r;
  if (def.host_default) return Resolved{&*def.host_default, std::string(kDefaultOwner)};
  return Resolved{nullptr, std::string(kDefaultOwner)};
}

Resolved ConfigImpl::resolve(const OutboundKey& key, std::string_view option) const {
  const OptionDef& def = require_option(option);
  const BindingEntry* b = find_binding(key.binding);
  return walk_outbound(def, b, b ? b->group : nullptr, key.domain.empty() ? std::string() : domain_key(key.domain));
}

Resolved ConfigImpl::resolve_host(std::string_view binding, std::string_view host, std::string_view option) const {
  const OptionDef& def = require_option(option);
  const BindingEntry* b = find_binding(binding);
  return walk_host(def, b, b ? b->group : nullptr, domain_key(host));
}

const OptionValue& ConfigImpl::global(std::string_view option) const {
  const OptionDef& def = require_option(option);
  if (const OptionValue* v = root_->find(def.index)) return *v;
  return def.default_value;
}

std::vector<std::string> ConfigImpl::binding_group_members(std::string_view group) const {
  auto it = group_members_.find(std::string(group));
  return it == group_members_.end() ? std::vector<std::string>{} : it->second;
}

std::vector<ListenConfig> ConfigImpl::listens(std::string_view listener_keyword) const {
  std::vector<ListenConfig> out;
  const ScopeNode* l = find_listener(listener_keyword);
  if (!l) return out;
  for (const auto& child : l->children)
    if (child->kind == ScopeKind::Listen) out.push_back(ListenConfig{child->name, child->loc});
  return out;
}

Resolved ConfigImpl::resolve_listener(std::string_view listener_keyword, std::string_view listen_address,
                                      std::string_view option, std::string_view peer_ip) const {
  const OptionDef& def = require_option(option);
  const ScopeNode* listener = find_listener(listener_keyword);
  const ScopeNode* listen = nullptr;
  if (listener && !listen_address.empty())
    for (const auto& child : listener->children)
      if (child->kind == ScopeKind::Listen && child->name == listen_address) listen = child.get();
  // Peers: the most specific CIDR containing the client first; at equal
  // prefix a Peer inside the Listen beats one directly in the listener.
  if (auto ip = peer_ip.empty() ? std::nullopt : parse_ip(peer_ip)) {
    std::vector<const ScopeNode*> peers;
    for (const ScopeNode* holder : {listen, listener}) {
      if (!holder) continue;
      for (const auto& child : holder->children)
        if (child->kind == ScopeKind::Peer && child->cidr && child->cidr->contains(*ip)) peers.push_back(child.get());
    }
    std::stable_sort(peers.begin(), peers.end(),
                     [](const ScopeNode* a, const ScopeNode* b) { return a->cidr->prefix > b->cidr->prefix; });
    for (const ScopeNode* p : peers)
      if (auto r = from_node(p, def); r.value) return r;
  }
  if (auto r = from_node(listen, def); r.value) return r;
  if (auto r = from_node(listener, def); r.value) return r;
  if (auto r = from_node(root_.get(), def); r.value) return r;
  return builtin(def);
}

const OptionValue* ConfigImpl::module_option(std::string_view module, std::string_view option) const {
  const OptionDef* def = registry().find(option);
  if (!def) return nullptr;
  for (const auto& child : root_->children) {
    if (child->kind != ScopeKind::Module) continue;
    if (!iequals(child->keyword, module) && child->name != module) continue;
    if (const OptionValue* v = child->find(def->index)) return v;
  }
  return nullptr;
}

impulse::expected<Resolved, std::string> ConfigImpl::eval(const std::vector<std::string>& path,
                                                          std::string_view option) const {
  const OptionDef* def = registry().find(option);
  if (!def) return impulse::unexpected(unknown_option_text(option));
  std::map<std::string, std::string> parts;  // keyword -> name ("" for listeners)
  std::string last_scope = "global";
  std::string listener_kw;
  std::string module_kw;
  for (std::size_t i = 0; i < path.size(); ++i) {
    std::string kw = to_lower(path[i]);
    const ScopeDef* sd = registry().find_scope(kw);
    if (!sd) {
      std::string msg = fmt::format("unknown scope '{}'", path[i]);
      if (auto s = registry().suggest_scope(path[i])) msg += fmt::format("; did you mean '{}'?", *s);
      return impulse::unexpected(msg);
    }
    if (parts.count(kw)) return impulse::unexpected(fmt::format("scope '{}' given twice", kw));
    std::string name;
    if (sd->naming != ScopeDef::Naming::Forbidden && i + 1 < path.size())
      name = path[++i];
    else if (sd->naming == ScopeDef::Naming::Required)
      return impulse::unexpected(fmt::format("missing name after '{}'", kw));
    if (sd->kind == ScopeKind::Module) module_kw = kw;
    if (is_listener_keyword(kw)) listener_kw = kw;
    parts[kw] = name;
    last_scope = kw;
  }
  auto has = [&](const char* k) { return parts.count(k) > 0; };
  auto not_valid = [&](std::string_view scope) {
    return impulse::unexpected(fmt::format("option '{}' is not valid in {} scope (valid in: {})", def->name, scope,
                                           valid_scopes_text(*def)));
  };

  if (!module_kw.empty()) {
    if (parts.size() > 1) return impulse::unexpected(std::string("a module scope cannot be combined with others"));
    if (!def->valid_in_module(module_kw)) return not_valid(module_kw);
    std::string instance = parts[module_kw].empty() ? module_kw : parts[module_kw];
    for (const auto& child : root_->children)
      if (child->kind == ScopeKind::Module && child->keyword == module_kw &&
          (child->name == instance || child->name.empty()))
        if (const OptionValue* v = child->find(def->index)) return Resolved{v, child->id};
    return builtin(*def);
  }
  if (!listener_kw.empty()) {
    for (const auto& [k, v] : parts)
      if (k != listener_kw && k != "listen")
        return impulse::unexpected(fmt::format("scope '{}' cannot be combined with {}", k, listener_kw));
    constexpr ScopeSet kListenerish = kListeners | ScopeKind::Listen | ScopeKind::Peer | ScopeKind::Global;
    if (!(def->scopes & kListenerish)) return not_valid(last_scope);
    return resolve_listener(listener_kw, has("listen") ? parts["listen"] : std::string(), def->name);
  }
  if (has("listen") || has("peer"))
    return impulse::unexpected(std::string("listen and peer scopes need a listener first, e.g. esmtp_listener listen "
                                           "127.0.0.1:25"));

  const Container* group = nullptr;
  const BindingEntry* binding = nullptr;
  if (has("binding_group")) {
    group = find_group(parts["binding_group"]);
    if (!group) return impulse::unexpected(fmt::format("no binding_group '{}' is configured", parts["binding_group"]));
  }
  if (has("binding")) {
    const std::string& b = parts["binding"];
    binding = find_binding(b);
    if (!binding && b != "default") return impulse::unexpected(fmt::format("no binding '{}' is configured", b));
    if (group && (!binding || binding->group != group))
      return impulse::unexpected(fmt::format("binding '{}' is not in binding_group '{}'", b, parts["binding_group"]));
    if (binding) group = binding->group;
  }
  if (has("host")) {
    if (has("domain")) return impulse::unexpected(std::string("a path cannot name both a domain and a host"));
    if (!def->valid_in(ScopeKind::Host)) return not_valid("host");
    Resolved r = walk_host(*def, binding, group, domain_key(parts["host"]));
    if (!r.value) r = builtin(*def);
    return r;
  }
  constexpr ScopeSet kChain = kOutbound;
  if (!(def->scopes & kChain)) {
    if (path.empty()) return not_valid("global");
    return not_valid(last_scope);
  }
  return walk_outbound(*def, binding, group, has("domain") ? domain_key(parts["domain"]) : std::string());
}

impulse::expected<ConfigPtr, Diagnostics> build_config(const Scope& root, std::vector<std::string> files) {
  auto v = validate(root);
  if (!v.errors.empty()) return impulse::unexpected(std::move(v.errors));
  return ConfigPtr(std::make_shared<const ConfigImpl>(std::move(v.root), std::move(files)));
}

const OptionValue& module_option_or_default(const Config& config, std::string_view module, std::string_view option) {
  if (const OptionValue* v = config.module_option(module, option)) return *v;
  return require_option(option).default_value;
}

std::vector<std::string> restart_required_changes(const Config& running, const Config& next) {
  // Every (scope id, option) value of the non-reloadable options.
  auto collect = [](const Config& c) {
    std::map<std::pair<std::string, std::size_t>, OptionData> out;
    const auto* impl = dynamic_cast<const ConfigImpl*>(&c);
    if (!impl) return out;
    std::vector<const ScopeNode*> stack{&impl->root()};
    while (!stack.empty()) {
      const ScopeNode* n = stack.back();
      stack.pop_back();
      for (const auto& [idx, v] : n->values)
        if (!registry().option(idx).reloadable) out.emplace(std::make_pair(n->id, idx), v.data);
      for (const auto& child : n->children) stack.push_back(child.get());
    }
    return out;
  };
  auto a = collect(running), b = collect(next);
  std::set<std::string_view> changed;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end() || !(it->second == v)) changed.insert(registry().option(k.second).name);
  }
  for (const auto& [k, v] : b)
    if (!a.count(k)) changed.insert(registry().option(k.second).name);
  return {changed.begin(), changed.end()};
}

}  // namespace impulse::config

// Implementation of config/registry.hpp: assembles the per-area option
// tables, converts their defaults once, and holds the scope catalogue.
#include "config/registry.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "base/strings.hpp"
#include "config/value_check.hpp"

namespace impulse::config {

namespace {

[[noreturn]] void registry_bug(std::string_view what, std::string_view name) {
  std::fprintf(stderr, "impulse: option registry bug: %.*s '%.*s'\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(name.size()), name.data());
  std::abort();
}

OptionValue convert_default(const OptionDef& def, std::string_view text) {
  auto conv = convert_text(def, text);
  if (!conv) registry_bug("default does not convert for", def.name);
  return OptionValue{std::move(*conv), SourceLoc{}};
}

std::vector<ScopeDef> scope_catalogue() {
  using N = ScopeDef::Naming;
  constexpr ScopeSet kOutboundContainers = ScopeKind::Global | ScopeKind::BindingGroup | ScopeKind::Binding;
  std::vector<ScopeDef> s = {
      {"binding_group", ScopeKind::BindingGroup, N::Required, kGlobal},
      {"binding", ScopeKind::Binding, N::Required, ScopeKind::Global | ScopeKind::BindingGroup},
      {"domain", ScopeKind::Domain, N::Required, kOutboundContainers},
      {"host", ScopeKind::Host, N::Required, kOutboundContainers},
      {"esmtp_listener", ScopeKind::EsmtpListener, N::Forbidden, kGlobal},
      {"control_listener", ScopeKind::ControlListener, N::Forbidden, kGlobal},
      {"ecstream_listener", ScopeKind::EcstreamListener, N::Forbidden, kGlobal},
      {"http_listener", ScopeKind::HttpListener, N::Forbidden, kGlobal},
      {"listen", ScopeKind::Listen, N::Required, kListeners},
      {"peer", ScopeKind::Peer, N::Required, kListeners | ScopeKind::Listen},
  };
  // Module stanzas: `ec_logger "ec_logger" { }`, `apn { }`.
  for (std::string_view m : {"ec_logger", "bounce_logger", "apn", "gcm", "apn_logger", "gcm_logger",
                            "json_logger", "webhook", "cluster"})
    s.push_back({m, ScopeKind::Module, N::Optional, kGlobal});
  // DKIM signing (SPEC §19): `opendkim "opendkim1" { dkim_domain "example.com" { } }`;
  // config/dkim_checks.cpp refuses a dkim_domain outside opendkim.
  s.push_back({"opendkim", ScopeKind::Module, N::Optional, kGlobal});
  s.push_back({"dkim_domain", ScopeKind::Module, N::Required, kModule});
  return s;
}

std::vector<OptionDef> all_options() {
  std::vector<OptionDef> all;
  for (auto part : {routing_options(), limit_options(), delivery_options(), queue_options(), listener_options(),
                    logging_options()})
    for (auto& d : part) all.push_back(std::move(d));
  return all;
}

}  // namespace

bool OptionDef::valid_in_module(std::string_view module_keyword) const {
  if (!valid_in(ScopeKind::Module)) return false;
  for (auto m : modules)
    if (m == "*" || iequals(m, module_keyword)) return true;
  return false;
}

Registry::Registry(std::vector<OptionDef> options) : options_(std::move(options)), scopes_(scope_catalogue()) {
  for (std::size_t i = 0; i < options_.size(); ++i) {
    auto& d = options_[i];
    d.index = i;
    if (to_lower(d.name) != d.name) registry_bug("name not lower-case", d.name);
    if (!by_name_.emplace(std::string(d.name), i).second) registry_bug("declared twice", d.name);
    bool needs_default = d.type == OptionType::Bool || d.type == OptionType::Int || d.type == OptionType::Duration ||
                         d.type == OptionType::Milliseconds || d.type == OptionType::Size ||
                         d.type == OptionType::Mode || d.type == OptionType::Enum || d.type == OptionType::Retries;
    if (needs_default && d.default_text.empty()) registry_bug("no default for", d.name);
    d.default_value = convert_default(d, d.default_text);
    if (!d.host_default_text.empty()) d.host_default = convert_default(d, d.host_default_text);
  }
}

const OptionDef* Registry::find(std::string_view name) const {
  auto it = by_name_.find(to_lower(name));
  return it == by_name_.end() ? nullptr : &options_[it->second];
}

std::optional<std::string_view> Registry::suggest_option(std::string_view name) const {
  std::vector<std::string_view> names;
  names.reserve(options_.size());
  for (const auto& d : options_) names.push_back(d.name);
  return closest_name(name, names);
}

const ScopeDef* Registry::find_scope(std::string_view keyword) const {
  for (const auto& s : scopes_)
    if (iequals(s.keyword, keyword)) return &s;
  return nullptr;
}

std::optional<std::string_view> Registry::suggest_scope(std::string_view keyword) const {
  std::vector<std::string_view> names;
  for (const auto& s : scopes_) names.push_back(s.keyword);
  return closest_name(keyword, names);
}

const Registry& registry() {
  static const Registry kRegistry(all_options());
  return kRegistry;
}

std::string_view scope_kind_name(ScopeKind k) {
  switch (k) {
    case ScopeKind::Global: return "global";
    case ScopeKind::BindingGroup: return "binding_group";
    case ScopeKind::Binding: return "binding";
    case ScopeKind::Domain: return "domain";
    case ScopeKind::Host: return "host";
    case ScopeKind::EsmtpListener: return "esmtp_listener";
    case ScopeKind::ControlListener: return "control_listener";
    case ScopeKind::EcstreamListener: return "ecstream_listener";
    case ScopeKind::HttpListener: return "http_listener";
    case ScopeKind::Listen: return "listen";
    case ScopeKind::Peer: return "peer";
    case ScopeKind::Module: return "module";
  }
  return "?";
}

std::string valid_scopes_text(const OptionDef& def) {
  std::vector<std::string_view> names;
  for (unsigned k = 0; k <= static_cast<unsigned>(ScopeKind::Module); ++k) {
    auto kind = static_cast<ScopeKind>(k);
    if (kind == ScopeKind::Module || !def.valid_in(kind)) continue;
    names.push_back(scope_kind_name(kind));
  }
  if (def.valid_in(ScopeKind::Module)) {
    for (auto m : def.modules) names.push_back(m == "*" ? std::string_view("any module") : m);
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  return out;
}

std::optional<std::string_view> closest_name(std::string_view name, const std::vector<std::string_view>& candidates) {
  // Close enough: at most a quarter of the name (at least 2 edits), and never
  // as many edits as the name has characters.
  std::size_t limit = std::max<std::size_t>(2, name.size() / 4);
  if (limit >= name.size()) limit = name.size() ? name.size() - 1 : 0;
  std::optional<std::string_view> best;
  std::size_t best_d = limit + 1;
  for (auto c : candidates) {
    std::size_t d = edit_distance(name, c);
    if (d < best_d || (d == best_d && best && c < *best)) {
      best_d = d;
      best = c;
    }
  }
  if (best_d > limit) return std::nullopt;
  return best;
}

}  // namespace impulse::config

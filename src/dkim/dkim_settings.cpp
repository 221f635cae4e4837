// Implementation of dkim/dkim_settings.hpp.
#include "dkim/dkim_settings.hpp"

#include "base/strings.hpp"
#include "config/config_impl.hpp"
#include "config/registry.hpp"
#include "protocol/dkim_names.hpp"

namespace impulse::dkim {
namespace {

const config::OptionValue* own(const config::ScopeNode& node, std::string_view option) {
  const config::OptionDef* def = config::registry().find(option);
  return def ? node.find(def->index) : nullptr;
}

const config::OptionValue& either(const config::ScopeNode& domain, const config::ScopeNode& module,
                                  std::string_view option) {
  if (const auto* v = own(domain, option)) return *v;
  if (const auto* v = own(module, option)) return *v;
  return config::registry().find(option)->default_value;
}

Canon canon(const config::OptionValue& v) { return v.as_string() == "simple" ? Canon::kSimple : Canon::kRelaxed; }

bool enabled(const config::ScopeNode& module) {
  const auto* v = own(module, "enabled");
  return !v || v->as_bool();
}

}  // namespace

const DomainSettings* DkimSettings::find(std::string_view from_domain) const {
  for (const std::string& candidate : protocol::dkim_domain_candidates(from_domain))
    for (const auto& d : domains)
      if (d.domain == candidate) return &d;
  return nullptr;
}

DkimSettings dkim_settings_from(const config::Config& config) {
  DkimSettings out;
  const auto* impl = dynamic_cast<const config::ConfigImpl*>(&config);
  if (!impl) return out;
  for (const auto& module : impl->root().children) {
    if (module->kind != config::ScopeKind::Module || module->keyword != "opendkim" || !enabled(*module)) continue;
    for (const auto& child : module->children) {
      if (child->kind != config::ScopeKind::Module || child->keyword != "dkim_domain") continue;
      DomainSettings d;
      d.domain = to_lower(child->name);
      if (!d.domain.empty() && d.domain.back() == '.') d.domain.pop_back();
      d.selector = either(*child, *module, "selector").as_string();
      auto path = protocol::dkim_expand_key_path(either(*child, *module, "key").as_string(), d.domain, d.selector);
      d.key_path = path ? *path : std::string();
      d.digest = either(*child, *module, "digest").as_string() == "ed25519-sha256" ? Digest::kEd25519Sha256
                                                                                 : Digest::kRsaSha256;
      d.header_canon = canon(either(*child, *module, "header_canon"));
      d.body_canon = canon(either(*child, *module, "body_canon"));
      auto headers = protocol::dkim_header_list(either(*child, *module, "headerlist").as_list());
      d.headers = headers ? std::move(*headers) : std::vector<std::string>{"from"};
      if (const auto* sign = own(*child, "opendkim_sign")) d.sign = sign->as_bool();
      out.domains.push_back(std::move(d));
    }
    break;  // the first enabled opendkim stanza
  }
  return out;
}

bool signing_enabled(const config::Config& config, std::string_view binding, const DomainSettings& domain) {
  if (domain.sign) return *domain.sign;
  return config.resolve(config::OutboundKey{std::string(binding), {}}, "opendkim_sign").value->as_bool();
}

}  // namespace impulse::dkim

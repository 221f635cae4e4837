// Implementation of config/module_instances.hpp.
#include "config/module_instances.hpp"

#include "base/strings.hpp"
#include "config/config_impl.hpp"
#include "config/registry.hpp"

namespace impulse::config {

std::vector<std::string> module_instances(const Config& config, std::string_view keyword) {
  std::vector<std::string> out;
  const auto* impl = dynamic_cast<const ConfigImpl*>(&config);
  if (!impl) return out;
  for (const auto& child : impl->root().children)
    if (child->kind == ScopeKind::Module && iequals(child->keyword, keyword)) out.push_back(child->name);
  return out;
}

const OptionValue* module_instance_option(const Config& config, std::string_view keyword, std::string_view name,
                                          std::string_view option) {
  const auto* impl = dynamic_cast<const ConfigImpl*>(&config);
  const OptionDef* def = registry().find(option);
  if (!impl || !def) return nullptr;
  for (const auto& child : impl->root().children)
    if (child->kind == ScopeKind::Module && iequals(child->keyword, keyword) && child->name == name)
      if (const OptionValue* v = child->find(def->index)) return v;
  return nullptr;
}

}  // namespace impulse::config

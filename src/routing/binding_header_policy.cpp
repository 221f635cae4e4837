// Implementation of routing/binding_header_policy.hpp.
#include "routing/binding_header_policy.hpp"

#include <vector>

namespace impulse::routing {
namespace {

bool suspended(const config::Config& config, const std::string& binding) {
  return config.resolve(config::OutboundKey{binding, {}}, "suspend_delivery").value->as_bool();
}

const config::BindingInfo* find_binding(const config::Config& config, std::string_view name) {
  for (const auto& b : config.bindings()) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

}  // namespace

std::optional<BindingChoice> BindingHeaderPolicy::choose_from_data(std::string& data,
                                                                          std::string_view subject) const {
  const BindingHeaders headers = strip_binding_headers(data);
  if (!headers.any()) return std::nullopt;
  return resolve(headers, subject);
}

BindingChoice BindingHeaderPolicy::resolve(const BindingHeaders& headers, std::string_view subject) const {
  const config::ConfigPtr config = config_ ? config_() : nullptr;
  if (!config || !headers.any()) return {};
  if (headers.binding) {
    const config::BindingInfo* info = find_binding(*config, *headers.binding);
    if (!info) {
      problem(std::string(subject) + ": " + std::string(kBindingHeader) + ": unknown binding \"" +
              *headers.binding + "\"; message goes to binding default");
      return {};
    }
    return BindingChoice{info->name, info->group.value_or(std::string())};
  }
  return pick_from_group(*config, *headers.group, subject);
}

BindingChoice BindingHeaderPolicy::pick_from_group(const config::Config& config, const std::string& group,
                                                          std::string_view subject) const {
  const std::vector<std::string> members = config.binding_group_members(group);
  if (members.empty()) {
    problem(std::string(subject) + ": " + std::string(kBindingGroupHeader) + ": unknown or empty binding group \"" +
            group + "\"; message goes to binding default");
    return {};
  }
  std::uint64_t start = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = next_member_.find(group);
    if (it == next_member_.end()) it = next_member_.emplace(group, 0).first;
    start = it->second++;
  }
  // Round-robin from `start`, preferring members that are not suspended.
  const std::size_t n = members.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& candidate = members[(start + i) % n];
    if (!suspended(config, candidate)) return BindingChoice{candidate, group};
  }
  return BindingChoice{members[start % n], group};
}

void BindingHeaderPolicy::problem(std::string text) const {
  if (problem_) problem_(text);
}

}  // namespace impulse::routing

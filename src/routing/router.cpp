// Implementation of routing/router.hpp.
#include "routing/router.hpp"

#include <unordered_map>

#include "base/strings.hpp"

namespace impulse::routing {

spool::Message Router::make_message(Envelope envelope) const {
  spool::Message m;
  m.id = envelope.id;
  m.received = envelope.received;
  m.sender = std::move(envelope.sender);
  m.peer_ip = std::move(envelope.peer_ip);
  m.helo = std::move(envelope.helo);
  m.origin_id = std::move(envelope.origin_id);
  m.protocol = envelope.protocol;
  m.size = envelope.size;
  m.recipients.reserve(envelope.recipients.size());
  for (auto& address : envelope.recipients) {
    spool::Recipient r;
    if (auto parts = spool::split_address(address)) {
      r.local_part = std::string(parts->local_part);
      r.domain = to_lower(parts->domain);
    } else {
      r.local_part = address;
    }
    r.address = std::move(address);
    m.recipients.push_back(std::move(r));
  }
  BindingChoice choice = envelope.binding ? std::move(*envelope.binding) : policy_.choose(m);
  if (choice.binding.empty()) choice.binding = "default";
  for (auto& r : m.recipients) {
    r.binding = choice.binding;
    r.binding_group = choice.binding_group;
  }
  m.binding = std::move(choice.binding);
  m.binding_group = std::move(choice.binding_group);
  return m;
}

std::vector<QueueGroup> Router::split(const spool::Message& message) {
  std::vector<QueueGroup> groups;
  // Most messages have a handful of domains: a linear scan; a map past that.
  constexpr std::size_t kLinearLimit = 8;
  std::unordered_map<std::string, std::size_t> index;
  auto lookup_key = [](const spool::Recipient& r) { return r.binding + '\0' + r.domain; };
  for (std::uint32_t i = 0; i < message.recipients.size(); ++i) {
    const auto& r = message.recipients[i];
    if (r.is_final()) continue;
    std::size_t g = groups.size();
    if (groups.size() <= kLinearLimit) {
      for (std::size_t j = 0; j < groups.size(); ++j)
        if (groups[j].domain == r.domain && groups[j].binding == r.binding) g = j;
    } else if (auto it = index.find(lookup_key(r)); it != index.end()) {
      g = it->second;
    }
    if (g == groups.size()) {
      groups.push_back(QueueGroup{r.binding, r.domain, r.binding_group, {}});
      if (groups.size() == kLinearLimit + 1) {
        for (std::size_t j = 0; j < groups.size(); ++j)
          index.emplace(groups[j].binding + '\0' + groups[j].domain, j);
      } else if (groups.size() > kLinearLimit + 1) {
        index.emplace(lookup_key(r), g);
      }
    }
    groups[g].indices.push_back(i);
  }
  return groups;
}

}  // namespace impulse::routing

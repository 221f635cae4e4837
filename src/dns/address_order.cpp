#include "dns/address_order.hpp"

namespace impulse::dns {

std::vector<config::IpAddress> order_addresses(const std::vector<config::IpAddress>& v4,
                                               const std::vector<config::IpAddress>& v6,
                                               const AddressPolicy& policy) {
  std::vector<config::IpAddress> four;
  std::vector<config::IpAddress> six;
  for (const auto* list : {&v4, &v6}) {
    for (const auto& ip : *list) (ip.v6 ? six : four).push_back(ip);
  }
  if (!policy.use_ipv6) return four;
  auto& first = policy.prefer_ipv6_mxs ? six : four;
  auto& second = policy.prefer_ipv6_mxs ? four : six;
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

}  // namespace impulse::dns

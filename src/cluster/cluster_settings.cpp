// Implementation of cluster/cluster_settings.hpp.
#include "cluster/cluster_settings.hpp"

#include <algorithm>

#include "base/hostname.hpp"

namespace impulse::cluster {

Result<std::optional<ClusterSettings>> cluster_settings_from_config(const config::Config& config) {
  const config::OptionValue* redis = config.module_option("cluster", "redis");
  if (!redis || redis->as_string().empty()) return std::optional<ClusterSettings>{};
  ClusterSettings s;
  auto address = config::parse_redis_address(redis->as_string());
  if (!address) return fail("Cluster: redis \"" + redis->as_string() + "\": " + address.error());
  s.redis = std::move(*address);
  s.redis_text = redis->as_string();
  if (const auto* v = config.module_option("cluster", "node_name"); v && !v->as_string().empty())
    s.node_name = v->as_string();
  else
    s.node_name = local_hostname();
  if (const auto* v = config.module_option("cluster", "cluster_lease_time")) s.lease_time = std::chrono::seconds(v->as_int());
  if (const auto* v = config.module_option("cluster", "cluster_redis_failure")) s.fail_closed = v->as_string() == "closed";
  if (const auto* v = config.module_option("cluster", "cluster_expected_nodes")) s.expected_nodes = v->as_int();
  return std::optional<ClusterSettings>{std::move(s)};
}

std::int64_t local_share(std::int64_t limit, std::int64_t expected_nodes) {
  return std::max<std::int64_t>(1, limit / std::max<std::int64_t>(expected_nodes, 1));
}

}  // namespace impulse::cluster

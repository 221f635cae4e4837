// Implementation of config/cluster_checks.hpp.
#include "config/cluster_checks.hpp"

#include "config/redis_address.hpp"

namespace impulse::config {

void check_cluster(const ScopeNode& root, Diagnostics& errors) {
  const OptionDef* redis = registry().find("redis");
  if (!redis) return;
  for (const auto& child : root.children) {
    if (child->kind != ScopeKind::Module || child->keyword != "cluster") continue;
    const OptionValue* v = child->find(redis->index);
    if (!v || v->as_string().empty()) {
      errors.push_back(Diagnostic{child->loc, "cluster: Redis is required (host:port, redis://... or a socket path)"});
      continue;
    }
    if (auto parsed = parse_redis_address(v->as_string()); !parsed)
      errors.push_back(Diagnostic{v->loc, "redis \"" + v->as_string() + "\": " + parsed.error()});
  }
}

}  // namespace impulse::config

// The `Cluster { Redis Node_Name Cluster_Lease_Time Cluster_Redis_Failure
// Cluster_Expected_Nodes }` stanza as values (SPEC §18). No stanza: no
// cluster (std::nullopt). Values were checked when the Config was built
// (config/cluster_checks.hpp); a Redis text that somehow does not parse is
// an Error. Pure read of a snapshot; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "config/config.hpp"
#include "config/redis_address.hpp"

namespace impulse::cluster {

struct ClusterSettings {
  config::RedisAddress redis;
  std::string redis_text;                        // as configured, for the logs
  std::string node_name;                         // default: this host's name
  std::chrono::seconds lease_time{30};           // Cluster_Lease_Time
  bool fail_closed = false;                      // Cluster_Redis_Failure = closed
  std::int64_t expected_nodes = 2;               // Cluster_Expected_Nodes
  std::chrono::milliseconds redis_timeout{1000}; // deadline of a connect and of each command
  std::chrono::milliseconds check_interval{2000};  // PING when idle: a lost Redis is noticed within 10 s
};

Result<std::optional<ClusterSettings>> cluster_settings_from_config(const config::Config& config);

// Degraded local share of a cluster limit: floor(limit / expected nodes), at least 1.
std::int64_t local_share(std::int64_t limit, std::int64_t expected_nodes);

}  // namespace impulse::cluster

// Implementation of spool/commit_metrics.hpp.
#include "spool/commit_metrics.hpp"

#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace impulse::spool {

std::vector<double> commit_seconds_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

prometheus::Histogram& add_commit_seconds(prometheus::Registry& registry) {
  return prometheus::BuildHistogram()
      .Name("impulse_spool_commit_seconds")
      .Help("Seconds of one synced spool write (a group-commit batch).")
      .Register(registry)
      .Add({}, commit_seconds_buckets());
}

}  // namespace impulse::spool

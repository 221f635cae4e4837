// Reading values back from prometheus-cpp MetricFamily lists in tests
// (tests/support/, shared by the delivery, spool and inbound tests): find a
// family by name, a series by its exact label set, and its value (counter,
// gauge, or a histogram's count). Header-only; no threads.
#pragma once

#include <prometheus/metric_family.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace impulse::testing {

using MetricLabels = std::map<std::string, std::string>;

inline const prometheus::MetricFamily* find_family(const std::vector<prometheus::MetricFamily>& families,
                                                   const std::string& name) {
  auto it = std::find_if(families.begin(), families.end(), [&](const auto& f) { return f.name == name; });
  return it == families.end() ? nullptr : &*it;
}

inline MetricLabels labels_of(const prometheus::ClientMetric& m) {
  MetricLabels out;
  for (const auto& l : m.label) out[l.name] = l.value;
  return out;
}

inline const prometheus::ClientMetric* find_series(const std::vector<prometheus::MetricFamily>& families,
                                                   const std::string& name, const MetricLabels& labels = {}) {
  const auto* f = find_family(families, name);
  if (!f) return nullptr;
  for (const auto& m : f->metric)
    if (labels_of(m) == labels) return &m;
  return nullptr;
}

// The series' value: a counter's or a gauge's, a histogram's sample count.
inline std::optional<double> metric_value(const std::vector<prometheus::MetricFamily>& families,
                                          const std::string& name, const MetricLabels& labels = {}) {
  const auto* f = find_family(families, name);
  const auto* m = find_series(families, name, labels);
  if (!f || !m) return std::nullopt;
  switch (f->type) {
    case prometheus::MetricType::Counter: return m->counter.value;
    case prometheus::MetricType::Gauge: return m->gauge.value;
    case prometheus::MetricType::Histogram: return static_cast<double>(m->histogram.sample_count);
    default: return m->untyped.value;
  }
}

}  // namespace impulse::testing

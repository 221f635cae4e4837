// The Prometheus text exposition format, version 0.0.4 (SPEC §16 `GET
// /metrics`; prometheus.io "Exposition formats"): metric families in, one
// text document out. Each family is written once: `# HELP` (with `\` and
// newlines escaped), `# TYPE`, then its samples; label values escape `\`,
// `"` and newlines; a histogram writes `_bucket{...,le="..."}` cumulatively
// up to `le="+Inf"`, then `_sum` and `_count`. Values are written as the
// shortest decimal that reads back the same, or `+Inf`, `-Inf`, `NaN`.
//
// Leaves to others: which metrics exist and their values
// (base/metrics.hpp, inbound/http/metrics_routes.hpp), serving the text.
// Pure; any thread. Failures: none (names are checked at registration;
// families repeated in the input are merged under the first one's HELP).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/metrics.hpp"

namespace impulse::inbound::http {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string metrics_text(std::span<const metrics::FamilySnapshot> families);

// The pieces, for tests and other writers.
std::string escape_help(std::string_view text);
std::string escape_label_value(std::string_view text);
std::string format_sample_value(double value);

}  // namespace impulse::inbound::http

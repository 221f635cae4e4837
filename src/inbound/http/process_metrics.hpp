// The process metrics of Prometheus' client conventions for GET /metrics,
// read from /proc/self at scrape time, so an operator watches the memory
// and descriptors a long-running daemon holds (bench/README.md "Soak": RSS
// levels off once the spool's memtables and block cache are full):
//
//   process_resident_memory_bytes   gauge   RSS (/proc/self/statm, pages x page size)
//   process_virtual_memory_bytes    gauge   virtual size (same file)
//   process_open_fds                gauge   entries of /proc/self/fd
//   process_max_fds                 gauge   the soft RLIMIT_NOFILE
//
// A value that cannot be read (no /proc) leaves its family out rather than
// reporting 0. The statm text is parsed by a pure function (any thread).
// Threading: any thread; each call reads afresh.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace impulse::inbound::http {

struct StatmPages {
  std::uint64_t size = 0;      // virtual size, pages
  std::uint64_t resident = 0;  // pages
};

// The first two fields of /proc/<pid>/statm; nullopt unless both are
// decimal numbers.
std::optional<StatmPages> parse_statm(std::string_view text);

std::vector<prometheus::MetricFamily> process_metric_families();

}  // namespace impulse::inbound::http

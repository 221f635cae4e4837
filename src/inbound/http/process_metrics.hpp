// The figures behind the process metrics of GET /metrics, read from
// /proc/self at scrape time, so an operator watches the memory and
// descriptors a long-running daemon holds (bench/README.md "Soak": RSS
// levels off once the spool's memtables and block cache are full). The
// families themselves (process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds, after
// Prometheus' client conventions) are built by
// inbound/http/metrics_scrape_families.hpp.
//
// A figure that cannot be read (no /proc) is left empty, and its family
// out, rather than reported as 0. The statm text (the kernel's, not a
// peer's) is parsed by a pure function. Threading: any thread; each call
// reads afresh.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace impulse::inbound::http {

struct StatmPages {
  std::uint64_t size = 0;      // virtual size, pages
  std::uint64_t resident = 0;  // pages
};

// The first two fields of /proc/<pid>/statm; nullopt unless both are
// decimal numbers.
std::optional<StatmPages> parse_statm(std::string_view text);

struct ProcessFigures {
  std::optional<std::uint64_t> resident_bytes;  // RSS: statm's resident pages x page size
  std::optional<std::uint64_t> virtual_bytes;   // statm's size x page size
  std::optional<std::uint64_t> open_fds;        // entries of /proc/self/fd
  std::optional<std::uint64_t> max_fds;         // the soft RLIMIT_NOFILE; empty when unlimited
};

ProcessFigures read_process_figures();

}  // namespace impulse::inbound::http

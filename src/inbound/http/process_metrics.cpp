// Implementation of inbound/http/process_metrics.hpp.
#include "inbound/http/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

namespace impulse::inbound::http {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Skips leading spaces, then one decimal number.
std::optional<std::uint64_t> statm_number(std::string_view& text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return v;
}

MetricFamily process_gauge(std::string name, std::string help, double value) {
  ClientMetric m;
  m.gauge.value = value;
  return MetricFamily{std::move(name), std::move(help), MetricType::Gauge, {m}};
}

std::optional<std::uint64_t> count_open_fds() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/fd", ec);
  if (ec) return std::nullopt;
  std::uint64_t n = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return std::nullopt;
    ++n;
  }
  return n > 0 ? n - 1 : 0;  // less the descriptor this listing has open
}

}  // namespace

std::optional<StatmPages> parse_statm(std::string_view text) {
  StatmPages p;
  auto size = statm_number(text);
  if (!size || text.empty() || text.front() != ' ') return std::nullopt;
  auto resident = statm_number(text);
  if (!resident) return std::nullopt;
  p.size = *size;
  p.resident = *resident;
  return p;
}

std::vector<MetricFamily> process_metric_families() {
  std::vector<MetricFamily> out;
  std::ifstream statm("/proc/self/statm");
  const std::string text((std::istreambuf_iterator<char>(statm)), std::istreambuf_iterator<char>());
  const long page = sysconf(_SC_PAGESIZE);
  if (auto pages = parse_statm(text); pages && page > 0) {
    const auto bytes = [page](std::uint64_t n) { return static_cast<double>(n) * static_cast<double>(page); };
    out.push_back(
        process_gauge("process_resident_memory_bytes", "Resident memory size in bytes.", bytes(pages->resident)));
    out.push_back(process_gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", bytes(pages->size)));
  }
  if (auto fds = count_open_fds())
    out.push_back(process_gauge("process_open_fds", "Number of open file descriptors.", static_cast<double>(*fds)));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    out.push_back(process_gauge("process_max_fds", "Maximum number of open file descriptors.",
                        static_cast<double>(limit.rlim_cur)));
  return out;
}

}  // namespace impulse::inbound::http

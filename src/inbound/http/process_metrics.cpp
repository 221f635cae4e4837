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

// Skips leading spaces, then one decimal number.
std::optional<std::uint64_t> statm_number(std::string_view& text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return v;
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

ProcessFigures read_process_figures() {
  ProcessFigures f;
  std::ifstream statm("/proc/self/statm");
  const std::string text((std::istreambuf_iterator<char>(statm)), std::istreambuf_iterator<char>());
  const long page = sysconf(_SC_PAGESIZE);
  if (auto pages = parse_statm(text); pages && page > 0) {
    f.resident_bytes = pages->resident * static_cast<std::uint64_t>(page);
    f.virtual_bytes = pages->size * static_cast<std::uint64_t>(page);
  }
  f.open_fds = count_open_fds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) f.max_fds = limit.rlim_cur;
  return f;
}

}  // namespace impulse::inbound::http

// The figures behind GET /metrics' process_* families
// (inbound/http/process_metrics.hpp): /proc/self/statm's text parsed
// strictly; RSS as the kernel reports it in /proc/self/status; one more open
// descriptor seen as one more.
#include "inbound/http/process_metrics.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace impulse::inbound::http {
namespace {

TEST(ProcessMetrics, StatmIsParsedStrictly) {
  auto p = parse_statm("5312 1204 800 312 0 700 0\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->size, 5312u);
  EXPECT_EQ(p->resident, 1204u);
  EXPECT_FALSE(parse_statm(""));
  EXPECT_FALSE(parse_statm("5312"));
  EXPECT_FALSE(parse_statm("5312x 1204"));
  EXPECT_FALSE(parse_statm("-1 2"));
  EXPECT_FALSE(parse_statm("99999999999999999999999 1"));
}

// VmRSS of /proc/self/status, in bytes.
double status_rss_bytes() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) * 1024;
  return -1;
}

TEST(ProcessMetrics, ResidentMemoryAndDescriptorsAreTheProcesss) {
  const ProcessFigures before = read_process_figures();
  ASSERT_TRUE(before.resident_bytes && before.virtual_bytes && before.open_fds && before.max_fds);
  const double rss = static_cast<double>(*before.resident_bytes);
  const double kernel_rss = status_rss_bytes();
  ASSERT_GT(kernel_rss, 0);
  EXPECT_GT(rss, kernel_rss / 2);
  EXPECT_LT(rss, kernel_rss * 2);
  EXPECT_GE(*before.virtual_bytes, *before.resident_bytes);
  EXPECT_GT(*before.max_fds, 0u);

  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const ProcessFigures after = read_process_figures();
  ::close(fd);
  EXPECT_EQ(after.open_fds, *before.open_fds + 1);
}

}  // namespace
}  // namespace impulse::inbound::http

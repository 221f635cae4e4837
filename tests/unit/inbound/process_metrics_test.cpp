// The process metrics of GET /metrics (inbound/http/process_metrics.hpp):
// /proc/self/statm's text parsed strictly; RSS as the kernel reports it in
// /proc/self/status; one more open descriptor seen as one more.
#include "inbound/http/process_metrics.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "support/metric_lookup.hpp"

namespace impulse::inbound::http {
namespace {

using impulse::testing::metric_value;

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
  const auto before = process_metric_families();
  const double rss = metric_value(before, "process_resident_memory_bytes").value_or(-1);
  const double kernel_rss = status_rss_bytes();
  ASSERT_GT(kernel_rss, 0);
  EXPECT_GT(rss, kernel_rss / 2);
  EXPECT_LT(rss, kernel_rss * 2);
  EXPECT_GE(metric_value(before, "process_virtual_memory_bytes").value_or(-1), rss);
  EXPECT_GT(metric_value(before, "process_max_fds").value_or(-1), 0);

  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const auto after = process_metric_families();
  ::close(fd);
  ASSERT_TRUE(metric_value(before, "process_open_fds"));
  EXPECT_EQ(metric_value(after, "process_open_fds"), *metric_value(before, "process_open_fds") + 1);
}

}  // namespace
}  // namespace impulse::inbound::http

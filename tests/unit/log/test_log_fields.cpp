// Tests for log/log_fields.hpp: timestamps, elapsed seconds, the field
// sanitiser and address splitting.
#include "log/log_fields.hpp"

#include <gtest/gtest.h>

using namespace impulse::log;
using impulse::WallTime;
using namespace std::chrono_literals;

TEST(LogFields, TimestampSecondsAndMicroseconds) {
  WallTime t{std::chrono::seconds(1'064'868'656) + std::chrono::microseconds(123'456) + std::chrono::nanoseconds(789)};
  EXPECT_EQ(format_timestamp(t, TimestampStyle::kSeconds), "1064868656");
  EXPECT_EQ(format_timestamp(t, TimestampStyle::kMicroseconds), "1064868656123456");
  EXPECT_EQ(format_timestamp(t, TimestampStyle::kMicroseconds).size(), 16u);
  EXPECT_EQ(format_timestamp(WallTime{} - 5s, TimestampStyle::kSeconds), "0");
}

TEST(LogFields, ElapsedLikeMomentumExamples) {
  EXPECT_EQ(format_elapsed(393ms), "0.393");
  EXPECT_EQ(format_elapsed(18530ms), "18.53");
  EXPECT_EQ(format_elapsed(3890ms), "3.89");
  EXPECT_EQ(format_elapsed(5s), "5");
  EXPECT_EQ(format_elapsed(86400s + 1ms), "86400.001");
  EXPECT_EQ(format_elapsed(0ms), "0");
  EXPECT_EQ(format_elapsed(-3s), "0");
  EXPECT_EQ(format_elapsed(999us), "0") << "below a millisecond rounds down";
}

TEST(LogFields, SanitizeKeepsPlainText) {
  EXPECT_EQ(sanitize_field("550 5.1.1 Recipient rejected"), "550 5.1.1 Recipient rejected");
  EXPECT_EQ(sanitize_field("caf\xc3\xa9"), "caf\xc3\xa9") << "UTF-8 passes unchanged";
  EXPECT_EQ(sanitize_field(""), "");
}

TEST(LogFields, SanitizeEscapesSeparator) {
  EXPECT_EQ(sanitize_field("550 5.1.1 <x@y.example>: rejected"), "550 5.1.1 <x%40y.example>: rejected");
  EXPECT_EQ(sanitize_field("@@"), "%40%40");
}

TEST(LogFields, SanitizeJoinsLinesAndReplacesControls) {
  EXPECT_EQ(sanitize_field("550-first\r\n550 second\r\n"), "550-first 550 second");
  EXPECT_EQ(sanitize_field("a\n\n\nb"), "a b");
  EXPECT_EQ(sanitize_field("tab\there"), "tab here");
  EXPECT_EQ(sanitize_field(std::string("nul\0x\x7f", 6)), "nul?x?");
}

TEST(LogFields, SplitAddress) {
  EXPECT_EQ(split_address("bob@example.com"), (std::pair<std::string_view, std::string_view>{"bob", "example.com"}));
  EXPECT_EQ(split_address("<bob@example.com>"),
            (std::pair<std::string_view, std::string_view>{"bob", "example.com"}));
  EXPECT_EQ(split_address("\"a@b\"@example.com").first, "\"a@b\"") << "split at the last @";
  EXPECT_EQ(split_address(""), (std::pair<std::string_view, std::string_view>{"", ""}));
  EXPECT_EQ(split_address("<>"), (std::pair<std::string_view, std::string_view>{"", ""}));
  EXPECT_EQ(split_address("postmaster"), (std::pair<std::string_view, std::string_view>{"postmaster", ""}));
}

// Tests for protocol/data_reader.hpp: the end-of-data rule, dot-unstuffing,
// line-end normalisation, the line and size limits, and split reads.
#include "protocol/data_reader.hpp"

#include <gtest/gtest.h>

#include <string>

namespace impulse::protocol {
namespace {

struct Outcome {
  bool done = false;
  std::size_t consumed = 0;
  std::string data;
  bool too_big = false;
  bool line_too_long = false;
};

Outcome read_all(std::string_view input, std::uint64_t max = 0) {
  DataReader r(max);
  Outcome o;
  o.consumed = r.feed(input);
  o.done = r.done();
  o.too_big = r.too_big();
  o.line_too_long = r.line_too_long();
  o.data = r.data();
  return o;
}

// Feeds one octet at a time; must give the same result as one feed.
Outcome read_bytewise(std::string_view input, std::uint64_t max = 0) {
  DataReader r(max);
  Outcome o;
  for (char c : input) {
    if (r.done()) break;
    o.consumed += r.feed(std::string_view(&c, 1));
  }
  o.done = r.done();
  o.too_big = r.too_big();
  o.line_too_long = r.line_too_long();
  o.data = r.data();
  return o;
}

TEST(DataReader, SimpleMessageEndsAtCrlfDotCrlf) {
  Outcome o = read_all("Subject: x\r\n\r\nbody\r\n.\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.data, "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(o.consumed, 23u);
}

TEST(DataReader, LoneDotFirstIsAnEmptyMessage) {
  Outcome o = read_all(".\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.data, "");
  EXPECT_EQ(o.consumed, 3u);
}

TEST(DataReader, StopsAtTheEndAndLeavesPipelinedCommands) {
  const std::string input = "hello\r\n.\r\nMAIL FROM:<a@b.example>\r\n";
  Outcome o = read_all(input);
  EXPECT_TRUE(o.done);
  EXPECT_EQ(input.substr(o.consumed), "MAIL FROM:<a@b.example>\r\n");
  DataReader r;
  EXPECT_EQ(r.feed("x\r\n.\r\n"), 6u);
  EXPECT_EQ(r.feed("more"), 0u);
}

TEST(DataReader, DotStuffingIsRemoved) {
  EXPECT_EQ(read_all("..leading\r\n.\r\n").data, ".leading\r\n");
  EXPECT_EQ(read_all("a\r\n..\r\n.\r\n").data, "a\r\n.\r\n");
  EXPECT_EQ(read_all("...\r\n.\r\n").data, "..\r\n");
  // Only one leading dot goes; dots elsewhere stay.
  EXPECT_EQ(read_all("a.b.\r\n.\r\n").data, "a.b.\r\n");
  // An unstuffed dot followed by text loses the dot (RFC 5321 §4.5.2).
  EXPECT_EQ(read_all(".x\r\n.\r\n").data, "x\r\n");
}

TEST(DataReader, EndSplitAcrossReads) {
  const std::string input = "line one\r\nline two\r\n.\r\nQUIT\r\n";
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    DataReader r;
    std::size_t used = r.feed(std::string_view(input).substr(0, cut));
    if (!r.done()) used += r.feed(std::string_view(input).substr(used));
    ASSERT_TRUE(r.done()) << "cut at " << cut;
    EXPECT_EQ(r.data(), "line one\r\nline two\r\n") << "cut at " << cut;
    EXPECT_EQ(input.substr(used), "QUIT\r\n") << "cut at " << cut;
  }
  Outcome b = read_bytewise(input);
  EXPECT_TRUE(b.done);
  EXPECT_EQ(b.data, "line one\r\nline two\r\n");
}

TEST(DataReader, BareLfIsNormalisedAndNeverEndsData) {
  Outcome o = read_all("a\nb\n.\nc\r\n.\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.data, "a\r\nb\r\n.\r\nc\r\n");
  // "\n.\n" alone: still waiting for the real end.
  Outcome open = read_all("x\n.\n");
  EXPECT_FALSE(open.done);
  EXPECT_EQ(open.consumed, 4u);
}

TEST(DataReader, SmugglingSequencesDoNotEndData) {
  // Each of these must not end the data; the real end follows.
  for (std::string smuggle : {"x\n.\r\n", "x\r.\r\n", "x\r\n.\n", "x\r\n.\r", "x\n.\n"}) {
    const std::string input = smuggle + "MAIL FROM:<evil@example.com>\r\n.\r\n";
    Outcome o = read_all(input);
    EXPECT_TRUE(o.done) << "input: " << input;
    EXPECT_EQ(o.consumed, input.size()) << "ended early: " << input;
    EXPECT_NE(o.data.find("MAIL FROM:<evil@example.com>\r\n"), std::string::npos);
  }
}

TEST(DataReader, LineAfterBareLineEndKeepsItsDot) {
  // "\n." is not a line start for unstuffing: the dot stays.
  EXPECT_EQ(read_all("a\n..b\r\n.\r\n").data, "a\r\n..b\r\n");
  EXPECT_EQ(read_all("a\n.\r\n.\r\n").data, "a\r\n.\r\n");
}

TEST(DataReader, BareCrIsNormalised) {
  EXPECT_EQ(read_all("a\rb\r\n.\r\n").data, "a\r\nb\r\n");
  EXPECT_EQ(read_all("a\r\rb\r\n.\r\n").data, "a\r\n\r\nb\r\n");
  EXPECT_EQ(read_all("a\r\r\n.\r\n").data, "a\r\n\r\n");
  // ".\r" followed by text at a real line start: not the end; dot kept.
  EXPECT_EQ(read_all(".\rx\r\n.\r\n").data, ".\r\nx\r\n");
}

TEST(DataReader, StoredDataHasOnlyCrlfLineEnds) {
  Outcome o = read_all("a\rb\nc\r\n\n\r\r\n.\r\n");
  ASSERT_TRUE(o.done);
  for (std::size_t i = 0; i < o.data.size(); ++i) {
    if (o.data[i] == '\r') {
      EXPECT_EQ(o.data[i + 1], '\n') << "at " << i;
    }
    if (o.data[i] == '\n') {
      EXPECT_EQ(o.data[i - 1], '\r') << "at " << i;
    }
  }
}

TEST(DataReader, NulAndEightBitOctetsPassThrough) {
  const std::string input("a\0b\xff\xc3\xa9\r\n.\r\n", 11);
  Outcome o = read_all(input);
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.data, std::string("a\0b\xff\xc3\xa9\r\n", 8));
}

TEST(DataReader, LineOf1000OctetsIsFine1001IsTooLong) {
  const std::string ok_line(998, 'x');
  EXPECT_FALSE(read_all(ok_line + "\r\n.\r\n").line_too_long);
  Outcome o = read_all(ok_line + "y\r\n.\r\n");
  EXPECT_TRUE(o.line_too_long);
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.data.size(), 1001u);  // flagged, not cut
  // The stuffed dot does not count.
  EXPECT_FALSE(read_all("." + ok_line + "\r\n.\r\n").line_too_long);
  // Length counts per line, not across lines.
  EXPECT_FALSE(read_all(ok_line + "\r\n" + ok_line + "\n.\r\n").line_too_long);
}

TEST(DataReader, SizeLimitCountsStoredOctetsAndReadsToTheEnd) {
  // "abc\r\n" is 5 octets.
  Outcome fits = read_all("abc\r\n.\r\n", 5);
  EXPECT_FALSE(fits.too_big);
  EXPECT_EQ(fits.data, "abc\r\n");
  // Dot-stuffing does not count towards the size.
  EXPECT_FALSE(read_all("..bc\r\n.\r\n", 5).too_big);
  const std::string input = "abcd\r\n" + std::string(10000, 'z') + "\r\n.\r\nQUIT\r\n";
  DataReader r(5);
  const std::size_t used = r.feed(input);
  EXPECT_TRUE(r.done());
  EXPECT_TRUE(r.too_big());
  EXPECT_LE(r.data().size(), 5u);
  EXPECT_EQ(r.size(), 6u + 10002u);
  EXPECT_EQ(input.substr(used), "QUIT\r\n");
}

TEST(DataReader, NoLimitMeansNoLimit) {
  const std::string big(200000, 'q');
  Outcome o = read_all(big + "\r\n.\r\n", 0);
  EXPECT_FALSE(o.too_big);
  EXPECT_EQ(o.data.size(), big.size() + 2);
}

TEST(DataReader, BytewiseFeedingMatchesOneShot) {
  const std::string inputs[] = {
      "a\rb\nc\r\n..d\r\n.\r\nrest", "\n.\n.\r\n", ".\r\n", "x\r\n.\ry\r\n.\r\n", std::string(1200, 'l') + "\r\n.\r\n",
  };
  for (const auto& input : inputs) {
    Outcome a = read_all(input), b = read_bytewise(input);
    EXPECT_EQ(a.done, b.done) << input;
    EXPECT_EQ(a.consumed, b.consumed) << input;
    EXPECT_EQ(a.data, b.data) << input;
    EXPECT_EQ(a.line_too_long, b.line_too_long) << input;
  }
}

}  // namespace
}  // namespace impulse::protocol

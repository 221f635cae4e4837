// Unit tests for delivery/smtp/reply_reader.hpp.
#include "delivery/smtp/reply_reader.hpp"

#include <gtest/gtest.h>

namespace impulse::delivery::smtp {
namespace {

// Feeds `bytes` and returns every complete reply.
std::vector<Reply> all(ReplyReader& r, std::string_view bytes) {
  r.feed(bytes);
  std::vector<Reply> out;
  while (true) {
    auto next = r.next();
    if (!next || !*next) break;
    out.push_back(std::move(**next));
  }
  return out;
}

TEST(ReplyReader, SingleLine) {
  ReplyReader r;
  auto replies = all(r, "250 2.1.0 Ok\r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].code, 250);
  EXPECT_EQ(replies[0].lines, std::vector<std::string>{"2.1.0 Ok"});
  EXPECT_EQ(replies[0].text, "250 2.1.0 Ok");
  EXPECT_TRUE(replies[0].positive());
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(ReplyReader, BareCodeIsAWholeReply) {
  ReplyReader r;
  auto replies = all(r, "250\r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].code, 250);
  EXPECT_EQ(replies[0].lines, std::vector<std::string>{""});
  EXPECT_EQ(replies[0].text, "250");
}

TEST(ReplyReader, MultiLineEndsAtTheLineWithASpace) {
  ReplyReader r;
  auto replies = all(r, "250-mx.test Hello\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].lines, (std::vector<std::string>{"mx.test Hello", "PIPELINING", "SIZE 1000", "8BITMIME"}));
  EXPECT_EQ(replies[0].text, "250-mx.test Hello\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME");
}

TEST(ReplyReader, MultiLineEndingWithABareCode) {
  ReplyReader r;
  auto replies = all(r, "250-first\r\n250\r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].lines, (std::vector<std::string>{"first", ""}));
}

TEST(ReplyReader, MultiLineSplitAcrossChunksAtEveryOffset) {
  const std::string wire = "250-mx.test\r\n250-PIPELINING\r\n250 SIZE\r\n550 5.1.1 no\r\n";
  for (std::size_t cut1 = 0; cut1 <= wire.size(); ++cut1) {
    for (std::size_t cut2 = cut1; cut2 <= wire.size(); cut2 += 7) {
      ReplyReader r;
      std::vector<Reply> got;
      for (auto part : {wire.substr(0, cut1), wire.substr(cut1, cut2 - cut1), wire.substr(cut2)}) {
        auto more = all(r, part);
        got.insert(got.end(), more.begin(), more.end());
      }
      ASSERT_EQ(got.size(), 2u) << cut1 << "/" << cut2;
      EXPECT_EQ(got[0].code, 250);
      EXPECT_EQ(got[0].lines.size(), 3u);
      EXPECT_EQ(got[1].code, 550);
      EXPECT_EQ(got[1].text, "550 5.1.1 no");
    }
  }
}

TEST(ReplyReader, OneByteAtATime) {
  const std::string wire = "220 mx.test ESMTP\r\n250-a\r\n250 b\r\n";
  ReplyReader r;
  std::vector<Reply> got;
  for (char c : wire) {
    auto more = all(r, std::string_view(&c, 1));
    got.insert(got.end(), more.begin(), more.end());
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].code, 220);
  EXPECT_EQ(got[1].text, "250-a\r\n250 b");
}

TEST(ReplyReader, PartialReplyIsNotReturned) {
  ReplyReader r;
  r.feed("250-first\r\n250 sec");
  auto next = r.next();
  ASSERT_TRUE(next);
  EXPECT_FALSE(*next);
  EXPECT_EQ(r.buffered(), std::string_view("250-first\r\n250 sec").size());
  r.feed("ond\r\n");
  next = r.next();
  ASSERT_TRUE(next && *next);
  EXPECT_EQ((*next)->lines.back(), "second");
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(ReplyReader, BareLfIsAcceptedAsLineEnd) {
  ReplyReader r;
  auto replies = all(r, "250-a\n250 b\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].text, "250-a\r\n250 b");
}

TEST(ReplyReader, BufferedCountsBytesAfterAReply) {
  ReplyReader r;
  r.feed("220 go ahead\r\n250 injected\r\n");
  auto next = r.next();
  ASSERT_TRUE(next && *next);
  EXPECT_EQ((*next)->code, 220);
  EXPECT_EQ(r.buffered(), std::string_view("250 injected\r\n").size());
}

void expect_error(std::string_view wire, ReplyError expected) {
  ReplyReader r;
  r.feed(wire);
  impulse::expected<std::optional<Reply>, ReplyError> next;
  do {
    next = r.next();
  } while (next && *next);
  ASSERT_FALSE(next) << wire;
  EXPECT_EQ(next.error(), expected) << wire;
  EXPECT_TRUE(r.failed());
  // Sticky: more bytes do not help.
  r.feed("250 ok\r\n");
  EXPECT_FALSE(r.next());
}

TEST(ReplyReader, BadLinesAreErrors) {
  expect_error("hello\r\n", ReplyError::kBadLine);
  expect_error("25\r\n", ReplyError::kBadLine);
  expect_error("\r\n", ReplyError::kBadLine);
  expect_error("150 not a reply code class\r\n", ReplyError::kBadLine);
  expect_error("650 not a reply code class\r\n", ReplyError::kBadLine);
  expect_error("2x0 bad\r\n", ReplyError::kBadLine);
  expect_error("250_underscore\r\n", ReplyError::kBadLine);
  expect_error("250Ok\r\n", ReplyError::kBadLine);
  expect_error("250 ok\r\nxyz\r\n", ReplyError::kBadLine);
}

TEST(ReplyReader, CodeMismatchIsAnError) { expect_error("250-a\r\n251 b\r\n", ReplyError::kCodeMismatch); }

TEST(ReplyReader, OverlongLineIsAnErrorWithoutWaitingForItsEnd) {
  ReplyReader r;
  r.feed("250 " + std::string(kMaxReplyLineLength, 'x'));
  auto next = r.next();
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error(), ReplyError::kLineTooLong);
}

TEST(ReplyReader, LongestAcceptedLine) {
  ReplyReader r;
  const std::string line = "250 " + std::string(kMaxReplyLineLength - 6, 'x') + "\r\n";
  ASSERT_EQ(line.size(), kMaxReplyLineLength);
  auto replies = all(r, line);
  ASSERT_EQ(replies.size(), 1u);
  expect_error("250 " + std::string(kMaxReplyLineLength - 5, 'x') + "\r\n", ReplyError::kLineTooLong);
}

TEST(ReplyReader, TooManyLinesIsAnError) {
  std::string wire;
  for (std::size_t i = 0; i <= kMaxReplyLines; ++i) wire += "250-line\r\n";
  wire += "250 end\r\n";
  expect_error(wire, ReplyError::kTooManyLines);
}

}  // namespace
}  // namespace impulse::delivery::smtp

namespace impulse::delivery::smtp {
namespace {

Reply one(std::string_view bytes) {
  ReplyReader r;
  auto replies = all(r, bytes);
  EXPECT_EQ(replies.size(), 1u);
  return replies.empty() ? Reply{} : replies[0];
}

TEST(ReplyReader, TooManyRecipientsOnlyForLegacy552Or553Detail) {
  EXPECT_TRUE(one("452 4.5.3 Too many recipients\r\n").too_many_recipients());
  EXPECT_TRUE(one("552 Too many recipients\r\n").too_many_recipients());
  EXPECT_TRUE(one("552 5.5.3 Too many recipients\r\n").too_many_recipients());
  EXPECT_FALSE(one("552 5.2.2 <carol@lmtp.test> Quota exceeded (mailbox for user is full)\r\n").too_many_recipients());
  EXPECT_FALSE(one("550 5.1.1 no such user\r\n").too_many_recipients());
}

}  // namespace
}  // namespace impulse::delivery::smtp

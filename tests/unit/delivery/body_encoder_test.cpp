// Unit tests for delivery/smtp/body_encoder.hpp: CRLF normalisation before
// dot-stuffing, the terminator, 8-bit transparency, chunking.
#include "delivery/smtp/body_encoder.hpp"

#include <gtest/gtest.h>

namespace impulse::delivery::smtp {
namespace {

struct Case {
  std::string content;
  std::string wire;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      {"", ".\r\n"},
      {"a", "a\r\n.\r\n"},
      {"a\r\n", "a\r\n.\r\n"},
      {"a\r\nb\r\n", "a\r\nb\r\n.\r\n"},
      // Leading dots, the first line included.
      {".", "..\r\n.\r\n"},
      {".\r\n", "..\r\n.\r\n"},
      {".hidden\r\n", "..hidden\r\n.\r\n"},
      {"a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"},
      {"a\r\n..\r\n", "a\r\n...\r\n.\r\n"},
      {"a.b\r\n", "a.b\r\n.\r\n"},
      // Bare LF and bare CR become CRLF before stuffing (SMTP smuggling).
      {"a\nb", "a\r\nb\r\n.\r\n"},
      {"a\rb", "a\r\nb\r\n.\r\n"},
      {"a\n.\nb", "a\r\n..\r\nb\r\n.\r\n"},
      {"a\r.\r\nb", "a\r\n..\r\nb\r\n.\r\n"},
      {"a\r\n.\rb", "a\r\n..\r\nb\r\n.\r\n"},
      {"a\n.\r\nb", "a\r\n..\r\nb\r\n.\r\n"},
      {"\n.\n", "\r\n..\r\n.\r\n"},
      {"\r.\r\n", "\r\n..\r\n.\r\n"},
      {"\r\r\n", "\r\n\r\n.\r\n"},
      {"\n\r", "\r\n\r\n.\r\n"},
      {"\r", "\r\n.\r\n"},
      {"\n", "\r\n.\r\n"},
      {"a\r", "a\r\n.\r\n"},
      {"\r\n\r\n", "\r\n\r\n.\r\n"},
      // 8-bit octets and NUL pass unchanged.
      {std::string("caf\xc3\xa9\r\n\x80\xff", 9), std::string("caf\xc3\xa9\r\n\x80\xff\r\n.\r\n", 14)},
      {std::string("a\0b", 3), std::string("a\0b\r\n.\r\n", 8)},
  };
  return kCases;
}

TEST(BodyEncoder, WholeContent) {
  for (const auto& c : cases()) {
    EXPECT_EQ(encode_body(c.content), c.wire) << testing::PrintToString(c.content);
  }
}

TEST(BodyEncoder, EverySplitIntoThreeChunksGivesTheSameBytes) {
  for (const auto& c : cases()) {
    const std::string& in = c.content;
    for (std::size_t i = 0; i <= in.size(); ++i) {
      for (std::size_t j = i; j <= in.size(); ++j) {
        BodyEncoder e;
        std::string out;
        e.encode(std::string_view(in).substr(0, i), out);
        e.encode(std::string_view(in).substr(i, j - i), out);
        e.encode(std::string_view(in).substr(j), out);
        e.finish(out);
        ASSERT_EQ(out, c.wire) << testing::PrintToString(in) << " split at " << i << "," << j;
      }
    }
  }
}

TEST(BodyEncoder, OneOctetAtATime) {
  const std::string in = "x\r\n.y\n..z\r.\r\n\r\n.";
  BodyEncoder e;
  std::string out;
  for (char c : in) e.encode(std::string_view(&c, 1), out);
  e.finish(out);
  EXPECT_EQ(out, encode_body(in));
  EXPECT_EQ(out, "x\r\n..y\r\n...z\r\n..\r\n\r\n..\r\n.\r\n");
}

TEST(BodyEncoder, NeverABareLineEndOrAnEarlyTerminator) {
  const std::string nasty = "a\n.\nb\r.\rc\r\n.\r\r\n.\n\r\n.x\r";
  const std::string out = encode_body(nasty);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\r') {
      ASSERT_LT(i + 1, out.size());
      EXPECT_EQ(out[i + 1], '\n') << i;
    }
    if (out[i] == '\n') {
      EXPECT_EQ(out[i - 1], '\r') << i;
    }
  }
  EXPECT_EQ(out.find("\r\n.\r\n"), out.size() - 5);
}

TEST(BodyEncoder, FinishResetsForTheNextMessage) {
  BodyEncoder e;
  std::string out;
  e.encode("a\r", out);
  e.finish(out);
  e.encode(".b", out);
  e.finish(out);
  EXPECT_EQ(out, "a\r\n.\r\n..b\r\n.\r\n");
}

TEST(BodyEncoder, NormalizedSizeCountsWhatIsSentBeforeTheTerminator) {
  for (const auto& c : cases()) {
    // The wire minus the terminator and minus the stuffed dots.
    std::string wire = c.wire.substr(0, c.wire.size() - 3);
    std::size_t stuffed = 0;
    for (std::size_t i = 0; i < wire.size(); ++i) {
      if (wire[i] == '.' && (i == 0 || (wire[i - 1] == '\n'))) ++stuffed;
    }
    EXPECT_EQ(normalized_size(c.content), wire.size() - stuffed) << testing::PrintToString(c.content);
  }
}

TEST(BodyEncoder, Has8bit) {
  EXPECT_FALSE(has_8bit("plain ascii\r\n\t~"));
  EXPECT_TRUE(has_8bit("caf\xc3\xa9"));
  EXPECT_TRUE(has_8bit("\x80"));
  EXPECT_FALSE(has_8bit(""));
}

}  // namespace
}  // namespace impulse::delivery::smtp

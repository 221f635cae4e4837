// Tests for protocol/dsn_text.hpp: dates, header-safe values, folding, CRLF
// normalisation, content scanning, quoted-printable and header lookup.
#include "protocol/dsn_text.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include "unit/protocol/dsn_test_support.hpp"

using namespace impulse::protocol;
using impulse::WallTime;
using impulse::protocol::dsn_testing::at;
using impulse::protocol::dsn_testing::qp_decode;

namespace {

std::vector<std::string> crlf_lines(std::string_view s) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < s.size()) {
    auto eol = s.find("\r\n", pos);
    if (eol == std::string_view::npos) {
      lines.emplace_back(s.substr(pos));
      break;
    }
    lines.emplace_back(s.substr(pos, eol - pos));
    pos = eol + 2;
  }
  return lines;
}

}  // namespace

TEST(DsnText, DateIsRfc5322InUtc) {
  EXPECT_EQ(format_rfc5322_date(at(0)), "Thu, 1 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(format_rfc5322_date(at(1'700'000'000)), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(format_rfc5322_date(at(1'709'164'805)), "Thu, 29 Feb 2024 00:00:05 +0000");  // leap day
  EXPECT_EQ(format_rfc5322_date(at(1'064'868'656) + std::chrono::milliseconds(999)),
            "Mon, 29 Sep 2003 20:50:56 +0000");  // sub-second part is dropped
}

TEST(DsnText, HeaderSafeJoinsLinesAndReplacesControlsAnd8Bit) {
  EXPECT_EQ(header_safe("550-5.1.1 first\r\n550 5.1.1 second\r\n"), "550-5.1.1 first 550 5.1.1 second");
  EXPECT_EQ(header_safe("a\tb"), "a b");
  EXPECT_EQ(header_safe("bell\x07 and \xc3\xa9t\xc3\xa9"), "bell? and ??t??");
  EXPECT_EQ(header_safe("  padded \n"), "padded");
  EXPECT_EQ(header_safe("a\r\n\r\n\nb"), "a b");
}

TEST(DsnText, FoldFieldShortValueIsOneLine) {
  EXPECT_EQ(fold_field("Action", "failed"), "Action: failed\r\n");
}

TEST(DsnText, FoldFieldFoldsAtSpacesWithin78Columns) {
  std::string value;
  for (int i = 0; i < 40; ++i) value += (i ? " " : "") + std::string("word") + std::to_string(i);
  std::string folded = fold_field("Diagnostic-Code", "smtp; " + value);
  auto lines = crlf_lines(folded);
  ASSERT_GT(lines.size(), 1u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), kFoldColumn) << lines[i];
    if (i > 0) {
      EXPECT_EQ(lines[i][0], ' ') << "continuation lines start with white space";
    }
  }
  // Unfolding (removing CRLF before WSP) gives back the field exactly.
  std::string unfolded;
  for (auto& l : lines) unfolded += l;
  EXPECT_EQ(unfolded, "Diagnostic-Code: smtp; " + value);
}

TEST(DsnText, FoldFieldSplitsHugeWordBelow998) {
  std::string word(3000, 'x');
  auto lines = crlf_lines(fold_field("X", word));
  ASSERT_GE(lines.size(), 4u);
  std::size_t xs = 0;
  for (auto& l : lines) {
    EXPECT_LE(l.size(), kMaxLineOctets);
    for (char c : l) xs += c == 'x';
  }
  EXPECT_EQ(xs, 3000u);
}

TEST(DsnText, NormalizeCrlf) {
  EXPECT_EQ(normalize_crlf("a\nb\rc\r\nd"), "a\r\nb\r\nc\r\nd");
  EXPECT_EQ(normalize_crlf("\r\r\n\n"), "\r\n\r\n\r\n");
  EXPECT_EQ(normalize_crlf(""), "");
}

TEST(DsnText, ScanContent) {
  auto s = scan_content("abc\r\ndefgh\r\n");
  EXPECT_FALSE(s.eight_bit);
  EXPECT_FALSE(s.nul);
  EXPECT_EQ(s.longest_line, 5u);
  EXPECT_TRUE(is_7bit_clean(s));

  s = scan_content("caf\xc3\xa9\r\n");
  EXPECT_TRUE(s.eight_bit);
  EXPECT_FALSE(is_7bit_clean(s));
  EXPECT_TRUE(is_8bit_clean(s));

  s = scan_content(std::string("a\0b\r\n", 5));
  EXPECT_TRUE(s.nul);
  EXPECT_FALSE(is_8bit_clean(s));

  s = scan_content(std::string(999, 'x') + "\r\n");
  EXPECT_EQ(s.longest_line, 999u);
  EXPECT_FALSE(is_8bit_clean(s));
  EXPECT_TRUE(is_8bit_clean(scan_content(std::string(998, 'x'))));
}

TEST(DsnText, QuotedPrintableRoundTripsAndKeepsLinesShort) {
  std::string input = "Subject: caf\xc3\xa9 = price\r\nX-Long: " + std::string(300, 'y') + "\r\ntrailing space \r\n" +
                      std::string("nul\0here", 8) + "\r\n";
  std::string qp = quoted_printable(input);
  for (auto& l : crlf_lines(qp)) {
    EXPECT_LE(l.size(), 76u) << l;
    EXPECT_TRUE(l.empty() || (l.back() != ' ' && l.back() != '\t')) << "no trailing white space: " << l;
    for (unsigned char c : l) EXPECT_TRUE(c >= 32 && c < 127) << "7-bit printable only";
  }
  EXPECT_EQ(qp_decode(qp), input);
  EXPECT_NE(qp.find("caf=C3=A9 =3D price"), std::string::npos) << qp;
  EXPECT_NE(qp.find("trailing space=20\r\n"), std::string::npos) << qp;
}

TEST(DsnText, QuotedPrintableWithoutFinalCrlf) {
  EXPECT_EQ(quoted_printable("a=b"), "a=3Db");
  EXPECT_EQ(quoted_printable(""), "");
}

TEST(DsnText, HeaderSection) {
  EXPECT_EQ(header_section("A: 1\r\nB: 2\r\n\r\nbody\r\n"), "A: 1\r\nB: 2\r\n");
  EXPECT_EQ(header_section("A: 1\r\n"), "A: 1\r\n");
  EXPECT_EQ(header_section("\r\nbody only\r\n"), "");
}

TEST(DsnText, FindHeaderUnfoldsAndIgnoresCase) {
  std::string_view h = "Subject: hello\r\nmessage-id:\r\n <abc@example.com>\r\nX: 1\r\n";
  EXPECT_EQ(find_header(h, "Message-ID"), "<abc@example.com>");
  EXPECT_EQ(find_header(h, "subject"), "hello");
  EXPECT_FALSE(find_header(h, "From"));
  EXPECT_FALSE(find_header(h, "Subj"));
}

// DKIM canonicalization and header selection (protocol/dkim_canon.hpp; RFC
// 6376 §3.4, §5.4.2): the RFC's own example in both algorithms, the empty
// body, bare LF line ends, the body in pieces, folded fields, and bottom-up selection with
// over-signing.
#include <gtest/gtest.h>

#include "protocol/dkim_canon.hpp"

namespace impulse::protocol {
namespace {

// RFC 6376 §3.4.5.
constexpr std::string_view kExample = "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";

std::string headers(std::string_view message, DkimCanon canon) {
  std::string out;
  for (const auto& f : split_dkim_message(message).fields) out += canonical_dkim_header(f.field, canon);
  return out;
}

TEST(DkimCanon, Rfc6376ExampleRelaxed) {
  EXPECT_EQ(headers(kExample, DkimCanon::kRelaxed), "a:X\r\nb:Y Z\r\n");
  EXPECT_EQ(canonical_dkim_body(split_dkim_message(kExample).body, DkimCanon::kRelaxed), " C\r\nD E\r\n");
}

TEST(DkimCanon, Rfc6376ExampleSimple) {
  EXPECT_EQ(headers(kExample, DkimCanon::kSimple), "A: X\r\nB : Y\t\r\n\tZ  \r\n");
  EXPECT_EQ(canonical_dkim_body(split_dkim_message(kExample).body, DkimCanon::kSimple), " C \r\nD \t E\r\n");
}

TEST(DkimCanon, EmptyBodies) {
  EXPECT_EQ(canonical_dkim_body("", DkimCanon::kSimple), "\r\n");
  EXPECT_EQ(canonical_dkim_body("\r\n\r\n", DkimCanon::kSimple), "\r\n");
  EXPECT_EQ(canonical_dkim_body("", DkimCanon::kRelaxed), "");
  EXPECT_EQ(canonical_dkim_body(" \t\r\n\r\n", DkimCanon::kRelaxed), "");
}

TEST(DkimCanon, MissingFinalLineEndAndBareLf) {
  EXPECT_EQ(canonical_dkim_body("a\nb", DkimCanon::kSimple), "a\r\nb\r\n");
  EXPECT_EQ(canonical_dkim_body("a  b \n\n", DkimCanon::kRelaxed), "a b\r\n");
  auto parts = split_dkim_message("Subject: x\n y\nTo: t\n\nbody\n");
  ASSERT_EQ(parts.fields.size(), 2u);
  EXPECT_EQ(parts.fields[0].field, "Subject: x\n y");
  EXPECT_EQ(canonical_dkim_header(parts.fields[0].field, DkimCanon::kSimple), "Subject: x\r\n y\r\n");
  EXPECT_EQ(parts.body, "body\n");
}

// The signer hashes the body in pieces: held empty lines come out only
// when a non-empty line follows them (forty of them, more than one piece
// of line ends holds), and trailing ones never.
TEST(DkimCanon, BodyInPiecesKeepsInnerEmptyLinesOnly) {
  std::string body = "a\r\n";
  for (int i = 0; i < 40; ++i) body += " \t\r\n";
  body += "b\r\n\r\n\r\n";
  for (DkimCanon canon : {DkimCanon::kSimple, DkimCanon::kRelaxed}) {
    std::string joined;
    std::size_t pieces = 0;
    canonicalize_dkim_body(body, canon, [&](std::string_view piece) {
      EXPECT_FALSE(piece.empty());
      joined += piece;
      ++pieces;
    });
    EXPECT_EQ(joined, canonical_dkim_body(body, canon));
    EXPECT_GT(pieces, 4u);
  }
  std::string relaxed = "a\r\n";
  for (int i = 0; i < 40; ++i) relaxed += "\r\n";
  EXPECT_EQ(canonical_dkim_body(body, DkimCanon::kRelaxed), relaxed + "b\r\n");
  EXPECT_EQ(canonical_dkim_body("\r\n\r\nx", DkimCanon::kSimple), "\r\n\r\nx\r\n");
}

TEST(DkimCanon, NoEmptyLineMeansNoBody) {
  auto parts = split_dkim_message("From: a@b\r\nTo: c@d\r\n");
  EXPECT_EQ(parts.fields.size(), 2u);
  EXPECT_EQ(parts.body, "");
  EXPECT_EQ(canonical_dkim_header("NoColon", DkimCanon::kRelaxed), "nocolon:\r\n");
}

TEST(DkimCanon, SelectionIsBottomUpAndOverSigningCoversNothing) {
  auto parts = split_dkim_message("Received: 1\r\nFrom: a@b\r\nReceived: 2\r\nsubject : s\r\n\r\n");
  auto picked = select_dkim_headers(parts, {"received", "from", "received", "Subject", "from", "cc"});
  ASSERT_EQ(picked.size(), 4u);
  EXPECT_EQ(picked[0]->field, "Received: 2");
  EXPECT_EQ(picked[1]->field, "From: a@b");
  EXPECT_EQ(picked[2]->field, "Received: 1");
  EXPECT_EQ(picked[3]->field, "subject : s");
}

}  // namespace
}  // namespace impulse::protocol

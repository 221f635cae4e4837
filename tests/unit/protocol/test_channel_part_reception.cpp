// Tests for protocol/channel_part_reception.hpp: the allow mark is added
// once, a forged one (any case, folded) is removed, only the top-level
// header block is looked at, and email recipients of a marked (or always
// allowed) MCMT message get its rfc822 part.
#include "protocol/channel_part_reception.hpp"

#include <gtest/gtest.h>

using namespace impulse::protocol;

namespace {
const std::string kMcmt =
    "Content-Type: multipart/vnd.msys.mcmt; boundary=B\r\n\r\n"
    "--B\r\nContent-Type: message/rfc822\r\n\r\nSubject: hi\r\n\r\nhello\r\n"
    "--B\r\nContent-Type: message/vnd.msys.apn\r\n\r\n{}\r\n--B--\r\n";
}

TEST(McmtReceptionMark, AddedWhenAllowedNothingToDoOtherwise) {
  auto marked = mark_mcmt_reception(kMcmt, true);
  ASSERT_TRUE(marked);
  EXPECT_EQ(*marked, "X-Impulse-MCMT-Reception: allow\r\n" + kMcmt);
  EXPECT_TRUE(has_mcmt_reception_mark(*marked));
  EXPECT_FALSE(has_mcmt_reception_mark(kMcmt));
  EXPECT_FALSE(mark_mcmt_reception(kMcmt, false));  // nothing copied
  auto again = mark_mcmt_reception(*marked, true);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *marked);  // still one mark
}

TEST(McmtReceptionMark, ForgedMarksAreRemovedWithTheirContinuations) {
  const std::string forged = "Received: x\r\nX-IMPULSE-MCMT-RECEPTION: allow\r\n\tmore\r\nSubject: s\r\n\r\nbody\r\n";
  auto cleaned = mark_mcmt_reception(forged, false);
  ASSERT_TRUE(cleaned);
  EXPECT_EQ(*cleaned, "Received: x\r\nSubject: s\r\n\r\nbody\r\n");
  // A look-alike field name or a mark in the body is not the mark.
  EXPECT_FALSE(mark_mcmt_reception("X-Impulse-MCMT-Reception-Note: x\r\n\r\nbody\r\n", false));
  EXPECT_FALSE(mark_mcmt_reception("Subject: s\r\n\r\nX-Impulse-MCMT-Reception: allow\r\n", false));
}

TEST(EmailBodyFor, MarkedOrAlwaysAllowedMcmtGivesTheRfc822Part) {
  const std::string marked = *mark_mcmt_reception(kMcmt, true);
  EXPECT_EQ(email_body_for(marked, false).value_or("?"), "Subject: hi\r\n\r\nhello\r\n");
  EXPECT_EQ(email_body_for(kMcmt, true).value_or("?"), "Subject: hi\r\n\r\nhello\r\n");
  EXPECT_FALSE(email_body_for(kMcmt, false));  // passthru: unchanged
  EXPECT_FALSE(email_body_for("Subject: s\r\n\r\nb\r\n", true));  // not MCMT
}

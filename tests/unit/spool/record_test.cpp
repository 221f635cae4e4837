// spool/record.hpp: round trips, and corrupt input always gives an Error.
#include "spool/record.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "spool/crc32c.hpp"
#include "test_support.hpp"

namespace impulse::spool {
namespace {

Message rich_message() {
  Message m = testing::sample_message(MessageId{0x6553F1A0, 7, 0x1234567890ull}, 3);
  m.sender = "bounce+\"quoted@part\"@origin.test";
  m.peer_ip = "::1";
  m.protocol = Protocol::kRest;
  m.size = 123456789;
  m.recipients[0].status = {RecipientState::kDelivered, 0, {}, SpoolTime(std::chrono::microseconds(5)), "250 ok"};
  m.recipients[1].status = {RecipientState::kPending, 4294967295u,
                            SpoolTime(std::chrono::microseconds(std::numeric_limits<std::int64_t>::max())),
                            SpoolTime(std::chrono::microseconds(std::numeric_limits<std::int64_t>::min())),
                            std::string("451 \0 binary\xff", 14)};
  m.recipients[2].status.state = RecipientState::kFailed;
  m.recipients[2].binding_group.clear();
  return m;
}

TEST(SpoolRecord, RoundTripsEveryField) {
  Message m = rich_message();
  auto decoded = decode_record(encode_record(m));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, m);
}

TEST(SpoolRecord, RoundTripsAnEmptyMessage) {
  Message m;
  m.binding.clear();
  auto decoded = decode_record(encode_record(m));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, m);
}

TEST(SpoolRecord, RoundTripsNegativeReceptionTime) {
  Message m;
  m.received = SpoolTime(std::chrono::microseconds(-1));
  auto decoded = decode_record(encode_record(m));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->received, m.received);
}

TEST(SpoolRecord, HeaderCarriesVersionAndLength) {
  std::string bytes = encode_record(rich_message());
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[0]), kRecordVersion);
  std::uint32_t length = 0;
  for (int i = 0; i < 4; ++i) length |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[1 + i])) << (8 * i);
  EXPECT_EQ(length + 9u, bytes.size());
}

TEST(SpoolRecord, EveryTruncationIsAnError) {
  std::string bytes = encode_record(rich_message());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto decoded = decode_record(std::string_view(bytes).substr(0, n));
    EXPECT_FALSE(decoded) << "prefix of " << n << " bytes decoded";
  }
}

TEST(SpoolRecord, TrailingBytesAreAnError) {
  std::string bytes = encode_record(rich_message()) + "x";
  EXPECT_FALSE(decode_record(bytes));
}

TEST(SpoolRecord, EveryFlippedBitIsDetected) {
  std::string bytes = encode_record(rich_message());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string copy = bytes;
      copy[i] = static_cast<char>(copy[i] ^ (1 << bit));
      EXPECT_FALSE(decode_record(copy)) << "flip at byte " << i << " bit " << bit;
    }
  }
}

TEST(SpoolRecord, UnknownVersionIsAnError) {
  std::string bytes = encode_record(rich_message());
  bytes[0] = 2;
  auto decoded = decode_record(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().message.find("version 2"), std::string::npos) << decoded.error().message;
}

TEST(SpoolRecord, ChecksumMismatchIsNamed) {
  std::string bytes = encode_record(rich_message());
  bytes.back() = static_cast<char>(bytes.back() ^ 1);
  auto decoded = decode_record(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().message.find("checksum"), std::string::npos);
}

// The payload decoder on its own (what the fuzzer reaches) must reject
// structural nonsense without trusting counts or lengths.
TEST(SpoolRecord, HugeRecipientCountIsRejectedBeforeAllocating) {
  Message m;
  std::string payload = encode_record_payload(m);
  ASSERT_EQ(payload.back(), '\0');  // recipient count 0 is the last byte
  payload.pop_back();
  payload += std::string("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x7F", 9);  // about 2^63 recipients
  auto decoded = decode_record_payload(payload);
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().message.find("recipient count"), std::string::npos) << decoded.error().message;
}

TEST(SpoolRecord, StringLengthPastTheEndIsRejected) {
  Message m;
  std::string payload = encode_record_payload(m);
  // Layout: epoch(4) lane(1) seq(1) received(1) protocol(1) size(1) then the sender length.
  ASSERT_EQ(payload[9], '\0');
  payload[9] = 0x7F;
  EXPECT_FALSE(decode_record_payload(payload));
}

TEST(SpoolRecord, OutOfRangeEnumsAreRejected) {
  Message m;
  std::string payload = encode_record_payload(m);
  payload[8 - 1] = 9;  // protocol byte
  auto bad_protocol = decode_record_payload(payload);
  ASSERT_FALSE(bad_protocol);
  EXPECT_NE(bad_protocol.error().message.find("protocol"), std::string::npos) << bad_protocol.error().message;

  m.recipients.push_back(testing::make_recipient("a@b.test"));
  payload = encode_record_payload(m);
  Message probe = m;
  probe.recipients[0].status.state = RecipientState::kFailed;
  std::string other = encode_record_payload(probe);
  ASSERT_EQ(payload.size(), other.size());
  std::size_t state_at = 0;
  for (std::size_t i = 0; i < payload.size(); ++i)
    if (payload[i] != other[i]) state_at = i;
  ASSERT_NE(state_at, 0u);
  payload[state_at] = 3;
  auto bad_state = decode_record_payload(payload);
  ASSERT_FALSE(bad_state);
  EXPECT_NE(bad_state.error().message.find("state"), std::string::npos) << bad_state.error().message;
}

TEST(SpoolRecord, OverlongVarintIsRejected) {
  Message m;
  std::string payload = encode_record_payload(m);
  // Replace the seq varint (offset 5, one byte) with eleven continuation bytes.
  payload.replace(5, 1, std::string(10, '\x80') + "\x01");
  EXPECT_FALSE(decode_record_payload(payload));
}

TEST(SpoolCrc32c, MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);  // RFC 3720 / iSCSI check value
  EXPECT_EQ(crc32c(""), 0u);
  EXPECT_EQ(crc32c("6789", crc32c("12345")), crc32c("123456789"));
}

}  // namespace
}  // namespace impulse::spool

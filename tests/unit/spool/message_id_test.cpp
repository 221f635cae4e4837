// spool/message_id.hpp and spool/message.hpp: printable and key forms, the
// generator, and the small helpers of the message model.
#include "spool/message_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "spool/message.hpp"

namespace impulse::spool {
namespace {

TEST(MessageId, PrintsCompactCanonicalForm) {
  EXPECT_EQ((MessageId{0x6553F1A0, 3, 42}).to_string(), "6553F1A0-03-0000002A");
  EXPECT_EQ((MessageId{0, 0, 0}).to_string(), "00000000-00-00000000");
  EXPECT_EQ((MessageId{0xFFFFFFFF, 255, 0x123456789ull}).to_string(), "FFFFFFFF-FF-123456789");
  EXPECT_EQ((MessageId{1, 1, ~0ull}).to_string(), "00000001-01-FFFFFFFFFFFFFFFF");
}

TEST(MessageId, PrintedFormHasNoLogSeparatorsOrSpaces) {
  auto text = (MessageId{0xABCDEF01, 200, 99999999999ull}).to_string();
  EXPECT_EQ(text.find_first_of("@ /\t"), std::string::npos);
  EXPECT_LE(text.size(), 28u);
}

TEST(MessageId, ParseRoundTrips) {
  for (auto id : {MessageId{0x6553F1A0, 3, 42}, MessageId{0, 0, 0}, MessageId{0xFFFFFFFF, 255, ~0ull},
                  MessageId{12, 34, 0x100000000ull}}) {
    auto parsed = MessageId::parse(id.to_string());
    ASSERT_TRUE(parsed) << id.to_string();
    EXPECT_EQ(*parsed, id);
  }
}

TEST(MessageId, ParseAcceptsLowerCase) {
  auto parsed = MessageId::parse("6553f1a0-0a-0000002b");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, (MessageId{0x6553F1A0, 10, 43}));
}

TEST(MessageId, ParseRejectsMalformedText) {
  for (const char* bad : {"", "6553F1A0-03-2A", "6553F1A0_03_0000002A", "6553F1A0-3-00000002A", "6553F1A0-03-0000002G",
                          "6553F1A0-03-00000002A" /* leading zero beyond 8 digits */, "6553F1A0-03-0000002A ",
                          "G553F1A0-03-0000002A", "6553F1A0-03-10000000000000000" /* 17 digits */,
                          "00/00-25004-31B987F3"}) {
    EXPECT_FALSE(MessageId::parse(bad)) << bad;
  }
}

TEST(MessageId, KeyRoundTripsAndSortsLikeIds) {
  std::vector<MessageId> ids = {{1, 0, 1}, {1, 0, 2}, {1, 0, 256}, {1, 1, 0}, {2, 0, 0}, {0xFFFFFFFF, 255, ~0ull}};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto key = ids[i].to_key();
    auto back = MessageId::from_key(std::string_view(key.data(), key.size()));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, ids[i]);
    if (i > 0) {
      auto prev = ids[i - 1].to_key();
      EXPECT_LT(std::string_view(prev.data(), prev.size()), std::string_view(key.data(), key.size()));
      EXPECT_LT(ids[i - 1], ids[i]);
    }
  }
  EXPECT_FALSE(MessageId::from_key("short"));
}

TEST(MessageIdGenerator, LanesAndEpochsNeverCollide) {
  constexpr int kLanes = 4;
  constexpr int kEach = 10000;
  std::vector<std::vector<MessageId>> made(kLanes * 2);
  std::vector<std::thread> threads;
  for (int epoch = 0; epoch < 2; ++epoch) {
    for (int lane = 0; lane < kLanes; ++lane) {
      threads.emplace_back([&, epoch, lane] {
        MessageIdGenerator gen(1'700'000'000u + static_cast<std::uint32_t>(epoch), static_cast<std::uint8_t>(lane));
        for (int i = 0; i < kEach; ++i) made[epoch * kLanes + lane].push_back(gen.next());
      });
    }
  }
  for (auto& t : threads) t.join();
  std::set<std::string> printed;
  for (const auto& v : made)
    for (const auto& id : v) printed.insert(id.to_string());
  EXPECT_EQ(printed.size(), static_cast<std::size_t>(2 * kLanes * kEach));
}

TEST(MessageIdGenerator, CountsUpFromOne) {
  MessageIdGenerator gen(5, 6);
  EXPECT_EQ(gen.next(), (MessageId{5, 6, 1}));
  EXPECT_EQ(gen.next(), (MessageId{5, 6, 2}));
}

TEST(SpoolMessage, SplitAddressUsesTheLastAt) {
  auto parts = split_address("\"a@b\"@Example.COM");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->local_part, "\"a@b\"");
  EXPECT_EQ(parts->domain, "Example.COM");
  EXPECT_FALSE(split_address("postmaster"));
  EXPECT_FALSE(split_address("@example.com"));
  EXPECT_FALSE(split_address("user@"));
}

TEST(SpoolMessage, AllFinalWhenNoRecipientIsPending) {
  Message m;
  m.recipients.resize(2);
  EXPECT_FALSE(m.all_final());
  m.recipients[0].status.state = RecipientState::kDelivered;
  EXPECT_FALSE(m.all_final());
  m.recipients[1].status.state = RecipientState::kFailed;
  EXPECT_TRUE(m.all_final());
}

TEST(SpoolMessage, DefaultsFollowTheSpec) {
  Message m;
  Recipient r;
  EXPECT_EQ(m.binding, "default");
  EXPECT_EQ(r.binding, "default");
  EXPECT_EQ(r.status.state, RecipientState::kPending);
  EXPECT_EQ(protocol_name(Protocol::kEsmtp), "esmtp");
  EXPECT_EQ(protocol_name(Protocol::kInternal), "internal");
  EXPECT_EQ(protocol_name(Protocol::kRest), "rest");
  EXPECT_EQ(protocol_name(Protocol::kEcstream), "ecstream");
  EXPECT_EQ(state_name(RecipientState::kDelivered), "delivered");
}

TEST(SpoolMessage, SpoolTimeSplitsIntoSecondsAndMicros) {
  SpoolTime t(std::chrono::microseconds(1'700'000'000'123'456LL));
  EXPECT_EQ(unix_seconds(t), 1'700'000'000);
  EXPECT_EQ(micros_of_second(t), 123'456);
  SpoolTime before_epoch(std::chrono::microseconds(-1));
  EXPECT_EQ(unix_seconds(before_epoch), -1);
  EXPECT_EQ(micros_of_second(before_epoch), 999'999);
  EXPECT_EQ(to_spool_time(WallTime(std::chrono::seconds(3))), SpoolTime(std::chrono::seconds(3)));
}

}  // namespace
}  // namespace impulse::spool

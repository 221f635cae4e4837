// ECSTREAM frame codec (protocol/ecstream_frame.hpp, docs/ecstream.md):
// round trips, the byte layout of docs/ecstream.md's example, incremental
// decoding, and the limits and strictness of every parser.
#include "protocol/ecstream_frame.hpp"

#include <gtest/gtest.h>

namespace impulse::protocol::ecstream {
namespace {

std::vector<Frame> decode_all(FrameDecoder& d) {
  std::vector<Frame> out;
  for (;;) {
    auto f = d.next();
    EXPECT_TRUE(f.has_value()) << f.error().reason;
    if (!f || !*f) return out;
    out.push_back(std::move(**f));
  }
}

Message sample_message() {
  Message m;
  m.seq = 7;
  m.flags = kFlag8BitMime;
  m.message_id = "6540A1B2-01-00000001";
  m.binding = "outbound-2";
  m.sender = "alice@example.org";
  m.recipients = {"bob@example.com", "carol@example.net"};
  m.body = std::string("Subject: caf\xc3\xa9\r\n\r\n.\r\n..dot\r\n\0binary\r\n", 36);
  return m;
}

TEST(EcstreamFrame, MessageRoundTripsEightBitAndNulClean) {
  const Message m = sample_message();
  const std::string bytes = encode(m);
  FrameDecoder d;
  d.feed(bytes);
  auto frames = decode_all(d);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type, FrameType::kMessage);
  auto parsed = parse_message(frames[0].payload, d.limits());
  ASSERT_TRUE(parsed) << parsed.error().reason;
  EXPECT_EQ(*parsed, m);
  EXPECT_EQ(parsed->body.size(), 36u);
}

TEST(EcstreamFrame, HelloBytesAreThoseOfTheSpecification) {
  // docs/ecstream.md "Example session": HELLO version 1 from "a.example".
  const std::string bytes = encode(Hello{1, "a.example"});
  const std::string expected("\x02\x00\x00\x00\x15"
                             "ECSTREAM"
                             "\x00\x01"
                             "\x00\x09"
                             "a.example",
                             26);
  EXPECT_EQ(bytes, expected);
}

TEST(EcstreamFrame, ReplyBytesAreThoseOfTheSpecification) {
  const std::string bytes = encode(Reply{1, 250, "2.0.0", "queued", "X"});
  const std::string expected("\x04\x00\x00\x00\x18"
                             "\x00\x00\x00\x01"
                             "\x00\xfa"
                             "\x00\x05"
                             "2.0.0"
                             "\x00\x06"
                             "queued"
                             "\x00\x01"
                             "X",
                             29);
  EXPECT_EQ(bytes, expected);
  EXPECT_EQ((Reply{1, 250, "2.0.0", "queued", "X"}).line(), "250 2.0.0 queued");
}

TEST(EcstreamFrame, ExampleSessionOfTheSpecificationByteByByte) {
  // docs/ecstream.md section 5.
  const std::string greeting("\x01\x00\x00\x00\x27" "ECSTREAM" "\x00\x01\x00\x01\x00\x00\x27\x10"
                             "\x00\x00\x00\x00\x00\x00\x00\x00" "\x04\x00\x00\x00" "\x00\x09" "b.example",
                             44);
  EXPECT_EQ(encode(Greeting{1, 1, 10000, 0, 64u << 20, "b.example"}), greeting);
  Message m;
  m.seq = 1;
  m.message_id = "6540A1B2-01-0000002A";
  m.sender = "a@x.example";
  m.recipients = {"b@y.example"};
  m.body = "Subject: hi\r\n\r\n.\r\n";
  const std::string message("\x03\x00\x00\x00\x51" "\x00\x00\x00\x01" "\x00" "\x00\x14" "6540A1B2-01-0000002A"
                            "\x00\x00" "\x00\x0b" "a@x.example" "\x00\x00\x00\x01" "\x00\x0b" "b@y.example"
                            "\x00\x00\x00\x12" "Subject: hi\r\n\r\n.\r\n",
                            86);
  EXPECT_EQ(encode(m), message);
  EXPECT_EQ(encode(Reply{1, 250, "2.0.0", "Ok: queued as 6540B000-00-00000007", "6540B000-00-00000007"}).size(), 76u);
  const std::string goaway("\x05\x00\x00\x00\x2a" "\x00\x00\x00\x01" "\x01\xa5" "\x00\x05" "4.3.2"
                           "\x00\x1b" "Reconfiguration in progress",
                           47);
  EXPECT_EQ(encode(Goaway{1, 421, "4.3.2", "Reconfiguration in progress"}), goaway);
}

TEST(EcstreamFrame, EveryFrameRoundTripsFedOneOctetAtATime) {
  const Greeting g{1, 1, 500, 10485760, 1u << 20, "b.example"};
  const Hello h{1, "a.example"};
  const Reply r{3, 552, "5.3.4", "message too big", ""};
  const Goaway go{9, 421, "4.3.2", "shutting down"};
  const ErrorFrame e{554, "5.5.0", "bad frame"};
  const std::string stream = encode(g) + encode(h) + encode(sample_message()) + encode(r) + encode(go) + encode(e);
  FrameDecoder d;
  std::vector<Frame> frames;
  for (char c : stream) {
    d.feed(std::string_view(&c, 1));
    auto more = decode_all(d);
    for (auto& f : more) frames.push_back(std::move(f));
  }
  ASSERT_EQ(frames.size(), 6u);
  EXPECT_EQ(d.buffered(), 0u);
  EXPECT_EQ(*parse_greeting(frames[0].payload, d.limits()), g);
  EXPECT_EQ(*parse_hello(frames[1].payload, d.limits()), h);
  EXPECT_EQ(*parse_message(frames[2].payload, d.limits()), sample_message());
  EXPECT_EQ(*parse_reply(frames[3].payload, d.limits()), r);
  EXPECT_EQ(*parse_goaway(frames[4].payload, d.limits()), go);
  EXPECT_EQ(*parse_error(frames[5].payload, d.limits()), e);
}

TEST(EcstreamFrame, SmtpTextIsAnUnknownFrameTypeAndTheDecoderStaysFailed) {
  FrameDecoder d;
  d.feed("EHLO client.example\r\n");
  auto f = d.next();
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().reason, "unknown frame type 0x45 ('E'): not an ECSTREAM peer");
  d.feed(encode(Hello{1, "x"}));
  EXPECT_FALSE(d.next());
  EXPECT_TRUE(d.failed());
}

TEST(EcstreamFrame, PayloadOverTheLimitIsRefusedFromItsHeader) {
  FrameDecoder d(Limits{.max_payload = 100});
  d.feed(std::string("\x03\x00\x00\x00\x65", 5));  // 101 octets announced, none sent
  auto f = d.next();
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().reason, "MESSAGE payload of 101 octets exceeds the limit of 100");
}

TEST(EcstreamFrame, IncompleteHeaderOrPayloadWaitsForMore) {
  const std::string bytes = encode(Reply{1, 250, "2.0.0", "ok", "id"});
  FrameDecoder d;
  d.feed(bytes.substr(0, 3));
  auto f = d.next();
  ASSERT_TRUE(f);
  EXPECT_FALSE(*f);
  d.feed(bytes.substr(3, 5));
  f = d.next();
  ASSERT_TRUE(f);
  EXPECT_FALSE(*f);
  d.feed(bytes.substr(8));
  f = d.next();
  ASSERT_TRUE(f && *f);
  EXPECT_EQ((*f)->type, FrameType::kReply);
}

TEST(EcstreamFrame, MessageParserIsStrict) {
  const Limits limits;
  auto payload_of = [](const Message& m) { return encode(m).substr(kHeaderSize); };
  Message m = sample_message();

  std::string trailing = payload_of(m) + "x";
  EXPECT_EQ(parse_message(trailing, limits).error().reason, "1 trailing octets");

  std::string cut = payload_of(m);
  cut.pop_back();
  EXPECT_EQ(parse_message(cut, limits).error().reason, "body runs past the end of the frame");

  Message none = m;
  none.recipients.clear();
  EXPECT_EQ(parse_message(payload_of(none), limits).error().reason, "no recipients");

  Message zero = m;
  zero.seq = 0;
  EXPECT_EQ(parse_message(payload_of(zero), limits).error().reason, "seq 0");

  Message flags = m;
  flags.flags = 0x80;
  EXPECT_EQ(parse_message(payload_of(flags), limits).error().reason, "unknown flags");

  Message long_sender = m;
  long_sender.sender = std::string(5000, 'a');
  EXPECT_EQ(parse_message(payload_of(long_sender), limits).error().reason, "sender longer than 4096");

  Message many = m;
  many.recipients.assign(11, "x@y");
  EXPECT_EQ(parse_message(payload_of(many), Limits{.max_recipients = 10}).error().reason,
            "more than 10 recipients");
}

TEST(EcstreamFrame, HugeRecipientCountIsRefusedBeforeReading) {
  // seq, flags, three empty strings, then a count of 4 billion in a tiny frame.
  const std::string payload("\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff", 15);
  EXPECT_EQ(parse_message(payload, Limits{.max_recipients = 0xffffffff}).error().reason,
            "recipient count exceeds the frame");
}

TEST(EcstreamFrame, GreetingAndHelloCheckMagicAndVersions) {
  const Limits limits;
  std::string bad = encode(Hello{1, "a"}).substr(kHeaderSize);
  bad[0] = 'X';
  EXPECT_EQ(parse_hello(bad, limits).error().reason, "not an ECSTREAM peer (bad magic)");
  EXPECT_EQ(parse_hello(encode(Hello{0, "a"}).substr(kHeaderSize), limits).error().reason, "version 0");
  EXPECT_EQ(parse_greeting(encode(Greeting{2, 1, 5, 0, 100, "b"}).substr(kHeaderSize), limits).error().reason,
            "bad version range");
  EXPECT_EQ(parse_greeting(encode(Greeting{1, 1, 0, 0, 100, "b"}).substr(kHeaderSize), limits).error().reason,
            "window of 0");
  EXPECT_EQ(parse_reply(encode(Reply{1, 99, "", "", ""}).substr(kHeaderSize), limits).error().reason,
            "reply code 99 out of range");
}

}  // namespace
}  // namespace impulse::protocol::ecstream

// Unit tests for dns/tlsa_txt_rdata.hpp and the TLSA/TXT paths of
// dns/answer_classify.hpp (records parsed, DNSSEC state carried).
#include "dns/tlsa_txt_rdata.hpp"

#include <gtest/gtest.h>

#include "dns/answer_classify.hpp"

namespace impulse::dns {
namespace {

TEST(TlsaRdata, ParsesUsageSelectorTypeAndData) {
  const std::uint8_t wire[] = {3, 1, 1, 0xab, 0xcd};
  auto r = parse_tlsa_rdata(wire);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (TlsaRecord{3, 1, 1, {0xab, 0xcd}}));
  const std::uint8_t short_wire[] = {3, 1, 1};
  EXPECT_FALSE(parse_tlsa_rdata(short_wire));
}

TEST(TxtRdata, JoinsCharacterStrings) {
  const std::uint8_t wire[] = {3, 'v', '=', 'S', 2, 'T', 'S'};
  auto t = parse_txt_rdata(wire);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, "v=STS");
  const std::uint8_t overrun[] = {5, 'a'};
  EXPECT_FALSE(parse_txt_rdata(overrun));
  EXPECT_FALSE(parse_txt_rdata(Bytes{}));
}

TEST(ClassifyTlsa, SecureAnswerCarriesRecords) {
  const std::uint8_t wire[] = {2, 0, 1, 0x01};
  RawResult raw;
  raw.havedata = true;
  raw.secure = true;
  raw.rdata.push_back(Bytes(wire));
  auto a = classify_result(raw, RecordType::TLSA, "_25._tcp.mx.test");
  EXPECT_EQ(a.status, Status::Ok);
  EXPECT_EQ(a.security, Security::kSecure);
  ASSERT_EQ(a.tlsa.size(), 1u);
  EXPECT_EQ(a.tlsa[0].usage, 2);
}

TEST(ClassifyTlsa, BogusIsServFailAndMarked) {
  RawResult raw;
  raw.bogus = true;
  raw.why_bogus = "signature expired";
  auto a = classify_result(raw, RecordType::TLSA, "_25._tcp.mx.test");
  EXPECT_EQ(a.status, Status::ServFail);
  EXPECT_EQ(a.security, Security::kBogus);
}

TEST(ClassifyTlsa, UnsignedNoDataIsInsecure) {
  RawResult raw;
  auto a = classify_result(raw, RecordType::TLSA, "_25._tcp.mx.test");
  EXPECT_EQ(a.status, Status::NoData);
  EXPECT_EQ(a.security, Security::kInsecure);
}

}  // namespace
}  // namespace impulse::dns

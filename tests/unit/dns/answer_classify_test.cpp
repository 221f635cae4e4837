#include "dns/answer_classify.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace impulse::dns {
namespace {

using Wire = std::vector<std::uint8_t>;

// RawResult is a view: `rdata` must outlive it.
RawResult with_data(const std::vector<Wire>& rdata, std::uint32_t ttl = 300) {
  RawResult raw;
  raw.havedata = true;
  raw.ttl = ttl;
  for (const Wire& r : rdata) raw.rdata.emplace_back(r.data(), r.size());
  return raw;
}

TEST(ClassifyResult, MxRecordsAreOkWithTtlAndQueryNameAsCanonicalName) {
  Wire a = {0, 10, 3, 'm', 'x', '1', 4, 't', 'e', 's', 't', 0};
  Wire b = {0, 20, 3, 'M', 'X', '2', 4, 't', 'e', 's', 't', 0};
  std::vector<Wire> data = {a, b};
  auto answer = classify_result(with_data(data, 600), RecordType::MX, "Multi.Test.");
  EXPECT_EQ(answer.status, Status::Ok);
  EXPECT_EQ(answer.ttl, 600u);
  EXPECT_EQ(answer.canonical_name, "multi.test");
  ASSERT_EQ(answer.mx.size(), 2u);
  EXPECT_EQ(answer.mx[0].preference, 10);
  EXPECT_EQ(answer.mx[0].exchange, "mx1.test");
  EXPECT_EQ(answer.mx[1].exchange, "mx2.test");
  EXPECT_FALSE(answer.is_null_mx());
}

TEST(ClassifyResult, NullMxIsOkWithOneEmptyExchange) {
  std::vector<Wire> data = {{0, 0, 0}};
  auto answer = classify_result(with_data(data), RecordType::MX, "nullmx.test");
  EXPECT_EQ(answer.status, Status::Ok);
  EXPECT_TRUE(answer.is_null_mx());
}

TEST(ClassifyResult, NoErrorWithoutDataIsNoDataWithNegativeTtl) {
  RawResult raw;
  raw.ttl = 120;
  auto answer = classify_result(raw, RecordType::MX, "implicit.test");
  EXPECT_EQ(answer.status, Status::NoData);
  EXPECT_EQ(answer.ttl, 120u);
  EXPECT_TRUE(answer.mx.empty());
}

TEST(ClassifyResult, NxDomain) {
  RawResult raw;
  raw.rcode = kRcodeNxDomain;
  raw.nxdomain = true;
  raw.ttl = 120;
  auto answer = classify_result(raw, RecordType::A, "nope.test");
  EXPECT_EQ(answer.status, Status::NxDomain);
  EXPECT_EQ(answer.ttl, 120u);
}

TEST(ClassifyResult, ServFailRefusedAndOtherRcodesAreServFail) {
  for (int rcode : {kRcodeServFail, kRcodeRefused, 4, 1}) {
    RawResult raw;
    raw.rcode = rcode;
    auto answer = classify_result(raw, RecordType::MX, "x.test");
    EXPECT_EQ(answer.status, Status::ServFail) << rcode;
    EXPECT_FALSE(answer.error_text.empty());
  }
}

TEST(ClassifyResult, LibraryErrorAndBogusAreServFail) {
  RawResult err;
  err.error = -1;
  err.error_text = "socket error";
  auto a = classify_result(err, RecordType::A, "x.test");
  EXPECT_EQ(a.status, Status::ServFail);
  EXPECT_NE(a.error_text.find("socket error"), std::string::npos);

  std::vector<Wire> data = {{1, 2, 3, 4}};
  RawResult bogus = with_data(data);
  bogus.bogus = true;
  bogus.why_bogus = "signature expired";
  auto b = classify_result(bogus, RecordType::A, "x.test");
  EXPECT_EQ(b.status, Status::ServFail);
  EXPECT_TRUE(b.addresses.empty());
  EXPECT_NE(b.error_text.find("signature expired"), std::string::npos);
}

TEST(ClassifyResult, AddressesKeepAnswerOrderAndCanonicalNameFollowsCname) {
  std::vector<Wire> data = {{127, 0, 0, 30}, {127, 0, 0, 31}};
  RawResult raw = with_data(data, 77);
  raw.canonname = "Target.Test.";
  auto answer = classify_result(raw, RecordType::A, "alias.test");
  EXPECT_EQ(answer.status, Status::Ok);
  EXPECT_EQ(answer.canonical_name, "target.test");
  ASSERT_EQ(answer.addresses.size(), 2u);
  EXPECT_EQ(answer.addresses[0].bytes[3], 30);
  EXPECT_EQ(answer.addresses[1].bytes[3], 31);
}

TEST(ClassifyResult, MalformedRdataMakesTheAnswerServFail) {
  std::vector<Wire> short_a = {{127, 0, 0}};
  auto a = classify_result(with_data(short_a), RecordType::A, "x.test");
  EXPECT_EQ(a.status, Status::ServFail);
  EXPECT_NE(a.error_text.find("malformed A record"), std::string::npos) << a.error_text;

  std::vector<Wire> bad_mx = {{0, 10, 3, 'a'}};
  auto mx = classify_result(with_data(bad_mx), RecordType::MX, "x.test");
  EXPECT_EQ(mx.status, Status::ServFail);
  EXPECT_TRUE(mx.mx.empty());

  std::vector<Wire> v4 = {{127, 0, 0, 1}};
  auto aaaa = classify_result(with_data(v4), RecordType::AAAA, "x.test");
  EXPECT_EQ(aaaa.status, Status::ServFail);
}

TEST(ClassifyResult, WireTypes) {
  EXPECT_EQ(wire_type(RecordType::MX), 15);
  EXPECT_EQ(wire_type(RecordType::A), 1);
  EXPECT_EQ(wire_type(RecordType::AAAA), 28);
}

}  // namespace
}  // namespace impulse::dns

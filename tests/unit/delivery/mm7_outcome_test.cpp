// The MM7 transport's outcome table (delivery/mm7/mm7_outcome.hpp; SPEC
// §11, §14). The MessageID map kept for delivery reports is tested in
// mm7_message_ids_test.cpp.
#include <gtest/gtest.h>

#include "delivery/mm7/mm7_outcome.hpp"

namespace impulse::delivery::mm7 {
namespace {

using namespace std::chrono_literals;

std::string submit_rsp(int code, std::string_view text = "", std::string_view message_id = "mmsc-1") {
  return "<env:Envelope xmlns:env=\"http://schemas.xmlsoap.org/soap/envelope/\"><env:Body><SubmitRsp xmlns=\"urn:x\">"
         "<MM7Version>6.8.0</MM7Version><Status><StatusCode>" +
         std::to_string(code) + "</StatusCode><StatusText>" + std::string(text) + "</StatusText></Status><MessageID>" +
         std::string(message_id) + "</MessageID></SubmitRsp></env:Body></env:Envelope>";
}

std::string fault(int code) {
  return "<env:Envelope xmlns:env=\"http://schemas.xmlsoap.org/soap/envelope/\"><env:Body><env:Fault>"
         "<faultcode>env:Client</faultcode><faultstring>refused</faultstring><detail><RSErrorRsp><Status><StatusCode>" +
         std::to_string(code) + "</StatusCode></Status></RSErrorRsp></detail></env:Fault></env:Body></env:Envelope>";
}

http1::Http1Response response(int status, std::string reason, std::string body,
                              std::string content_type = "text/xml; charset=utf-8") {
  http1::Http1Response r;
  r.status = status;
  r.reason = std::move(reason);
  r.body = std::move(body);
  r.headers = {{"content-type", std::move(content_type)}};
  return r;
}

const Mm7Peer kPeer{"192.0.2.1", "mmsc.test", 100};

Mm7Result outcome_of(const http1::Http1Response& r, const protocol::Mm7StatusOverrides& o = {}) {
  return response_outcome(r, o, kPeer, 120s, 1'800'000'000);
}

TEST(Mm7Outcome, SuccessIsDeliveredWithTheMessageId) {
  auto r = outcome_of(response(200, "OK", submit_rsp(1000, "Success", "abc-77")));
  EXPECT_TRUE(r.outcome.delivered());
  EXPECT_EQ(r.outcome.reply, "200 1000 Success");
  EXPECT_EQ(r.outcome.remote_id, "abc-77");
  EXPECT_EQ(r.outcome.remote_ip, "192.0.2.1");
  EXPECT_FALSE(r.hold.has_value());
  auto partial = outcome_of(response(200, "OK", submit_rsp(1100)));
  EXPECT_TRUE(partial.outcome.delivered());
  EXPECT_EQ(partial.outcome.reply, "200 1100 Partial success");
}

TEST(Mm7Outcome, ClientErrorsArePermanentAddressErrorsAreInvalidRecipients) {
  auto perm = outcome_of(response(200, "OK", submit_rsp(2007, "Message format corrupt")));
  EXPECT_TRUE(perm.outcome.permanent());
  EXPECT_EQ(perm.outcome.reply, "200 2007 Message format corrupt");
  EXPECT_EQ(perm.outcome.dsn_status, (protocol::EnhancedStatus{5, 0, 0}));
  EXPECT_TRUE(perm.outcome.remote_id.empty());
  auto address = outcome_of(response(500, "Internal Server Error", fault(2002)));
  EXPECT_TRUE(address.outcome.permanent());
  EXPECT_EQ(address.outcome.reply, "500 2002 Address Error");
  EXPECT_EQ(address.outcome.dsn_status, (protocol::EnhancedStatus{5, 1, 1}));
  EXPECT_EQ(address.outcome.bounce_class, protocol::BounceClass::kInvalidRecipient);
  EXPECT_TRUE(outcome_of(response(500, "x", fault(4004))).outcome.permanent());
}

TEST(Mm7Outcome, ServerErrorsAndUnknownCodesAreTransient) {
  for (int code : {3000, 3001, 4000, 4005, 4006, 4008, 7777}) {
    auto r = outcome_of(response(200, "OK", submit_rsp(code)));
    EXPECT_TRUE(r.outcome.transient()) << code;
    EXPECT_FALSE(r.hold.has_value()) << code;
  }
}

TEST(Mm7Outcome, OverridesChangeTheClass) {
  protocol::Mm7StatusOverrides o{{3001}, {2002}};
  EXPECT_TRUE(outcome_of(response(200, "OK", submit_rsp(3001)), o).outcome.permanent());
  EXPECT_TRUE(outcome_of(response(500, "x", fault(2002)), o).outcome.transient());
}

TEST(Mm7Outcome, Http401IsCredentialsHoldingTheQueue) {
  auto r = outcome_of(response(401, "Unauthorized", "", "text/html"));
  EXPECT_TRUE(r.outcome.transient());
  EXPECT_EQ(r.outcome.reply, "401 Unauthorized");
  ASSERT_TRUE(r.hold.has_value());
  EXPECT_EQ(r.hold->target, queue::Hold::Target::kQueue);
  EXPECT_EQ(r.hold->at_least, 120s);
  EXPECT_EQ(r.hold->reason, "credentials refused by MM7: 401 Unauthorized");
}

TEST(Mm7Outcome, NonSoapAnswersAreTransientRetryAfterHolds) {
  auto bad_gateway = outcome_of(response(502, "Bad Gateway", "<html/>", "text/html"));
  EXPECT_TRUE(bad_gateway.outcome.transient());
  EXPECT_EQ(bad_gateway.outcome.reply, "502 Bad Gateway");
  EXPECT_FALSE(bad_gateway.hold.has_value());
  auto busy = response(503, "Service Unavailable", "", "text/plain");
  busy.headers.emplace_back("retry-after", "300");
  auto held = outcome_of(busy);
  EXPECT_TRUE(held.outcome.transient());
  ASSERT_TRUE(held.hold.has_value());
  EXPECT_EQ(held.hold->at_least, 300s);
  auto odd = outcome_of(response(200, "OK", "not xml", "text/plain"));
  EXPECT_TRUE(odd.outcome.transient());
  EXPECT_EQ(odd.outcome.reply, "200 OK");
  auto bare_fault = outcome_of(response(
      500, "Internal Server Error",
      "<e:Envelope xmlns:e='http://schemas.xmlsoap.org/soap/envelope/'><e:Body><e:Fault><faultstring>busy</faultstring>"
      "</e:Fault></e:Body></e:Envelope>"));
  EXPECT_TRUE(bare_fault.outcome.transient());
  EXPECT_EQ(bare_fault.outcome.reply, "500 Internal Server Error: busy");
}

TEST(Mm7Outcome, NoAnswerIsTransientInternal) {
  auto timeout = failure_outcome({http1::Http1ErrorKind::kTimeout, "no response within 10 s"}, kPeer);
  EXPECT_TRUE(timeout.outcome.transient());
  EXPECT_EQ(timeout.outcome.reply, "451 4.4.2 [internal] no MM7 response: no response within 10 s");
  auto open = open_failure({http1::Http1ErrorKind::kTls, "certificate does not match host mmsc.test"}, kPeer);
  EXPECT_EQ(open.outcome.scope, queue::Scope::kHost);
  EXPECT_EQ(open.outcome.reply, "451 4.7.5 [internal] TLS negotiation failed: certificate does not match host mmsc.test");
  auto unusable = unusable_message("no MM7 part");
  EXPECT_TRUE(unusable.outcome.permanent());
  EXPECT_EQ(unusable.outcome.reply, "554 5.6.0 [internal] no MM7 part");
}

}  // namespace
}  // namespace impulse::delivery::mm7

// The MMSC's SubmitRsp and SOAP Fault/RSErrorRsp, the status classes of
// SPEC §14 and their overrides.
#include <gtest/gtest.h>

#include "protocol/mm7_response.hpp"

namespace impulse::protocol {
namespace {

const char* kSubmitRsp = R"(<?xml version="1.0"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
 <env:Header><mm7:TransactionID xmlns:mm7="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4" env:mustUnderstand="1">T-1</mm7:TransactionID></env:Header>
 <env:Body>
  <SubmitRsp xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">
   <MM7Version>6.8.0</MM7Version>
   <Status><StatusCode> 1000 </StatusCode><StatusText>Success</StatusText></Status>
   <MessageID>mmsc-77</MessageID>
  </SubmitRsp>
 </env:Body>
</env:Envelope>)";

TEST(Mm7Response, SubmitRsp) {
  auto r = parse_mm7_response(kSubmitRsp, "text/xml; charset=utf-8");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->kind, Mm7ResponseKind::kSubmitRsp);
  EXPECT_EQ(r->status_code, 1000);
  EXPECT_EQ(r->status_text, "Success");
  EXPECT_EQ(r->message_id, "mmsc-77");
  EXPECT_EQ(r->transaction_id, "T-1");
}

TEST(Mm7Response, FaultWithRsErrorRsp) {
  const char* body = R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<soap:Fault><faultcode>soap:Client</faultcode><faultstring>Client error</faultstring>
<detail><mm7:RSErrorRsp xmlns:mm7="urn:x"><mm7:MM7Version>6.8.0</mm7:MM7Version>
<mm7:Status><mm7:StatusCode>2002</mm7:StatusCode><mm7:StatusText>Address Error</mm7:StatusText>
<mm7:Details>bad number</mm7:Details></mm7:Status></mm7:RSErrorRsp></detail></soap:Fault></soap:Body></soap:Envelope>)";
  auto r = parse_mm7_response(body, "text/xml");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->kind, Mm7ResponseKind::kFault);
  EXPECT_EQ(r->status_code, 2002);
  EXPECT_EQ(r->status_text, "Address Error");
  EXPECT_EQ(r->details, "bad number");
  EXPECT_EQ(r->fault_code, "soap:Client");
  EXPECT_EQ(r->fault_string, "Client error");
}

TEST(Mm7Response, FaultWithoutStatus) {
  auto r = parse_mm7_response(
      "<e:Envelope xmlns:e='http://schemas.xmlsoap.org/soap/envelope/'><e:Body><e:Fault><faultcode>e:Server</faultcode>"
      "<faultstring>down</faultstring></e:Fault></e:Body></e:Envelope>",
      "");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->kind, Mm7ResponseKind::kFault);
  EXPECT_FALSE(r->status_code.has_value());
  EXPECT_EQ(r->fault_string, "down");
}

TEST(Mm7Response, MultipartRelatedStartPart) {
  const std::string body = std::string("--b\r\nContent-Type: text/plain\r\nContent-ID: <other>\r\n\r\nnot it\r\n") +
                           "--b\r\nContent-Type: text/xml\r\nContent-ID: <env>\r\n\r\n" + kSubmitRsp + "\r\n--b--\r\n";
  auto r = parse_mm7_response(body, "multipart/related; boundary=b; type=\"text/xml\"; start=\"<env>\"");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->message_id, "mmsc-77");
}

TEST(Mm7Response, Refusals) {
  EXPECT_FALSE(parse_mm7_response("", "text/xml").has_value());
  EXPECT_FALSE(parse_mm7_response("<html>502</html>", "text/html").has_value());
  EXPECT_FALSE(parse_mm7_response("<e:Envelope xmlns:e='x'><e:Body><Other/></e:Body></e:Envelope>", "").has_value());
  auto bad = parse_mm7_response(
      "<e:Envelope xmlns:e='x'><e:Body><SubmitRsp><Status><StatusCode>ok</StatusCode></Status></SubmitRsp>"
      "</e:Body></e:Envelope>",
      "");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), "StatusCode is not a number: ok");
  EXPECT_FALSE(parse_mm7_response("<e:Envelope xmlns:e='x'><e:Body><SubmitRsp/></e:Body></e:Envelope>", "")
                   .has_value());
}

TEST(Mm7StatusClass, Spec14Table) {
  EXPECT_EQ(mm7_status_class(1000), Mm7StatusClass::kSuccess);
  EXPECT_EQ(mm7_status_class(1100), Mm7StatusClass::kSuccess);
  for (int c : {2000, 2002, 2999, 4001, 4002, 4003, 4004}) EXPECT_EQ(mm7_status_class(c), Mm7StatusClass::kPermanent) << c;
  for (int c : {3000, 3999, 4000, 4005, 4006, 4007, 4008, 1001, 5000, 0, -1})
    EXPECT_EQ(mm7_status_class(c), Mm7StatusClass::kTransient) << c;
}

TEST(Mm7StatusClass, OverridesWin) {
  Mm7StatusOverrides o{{3001, 1000}, {2002, 4004}};
  EXPECT_EQ(mm7_status_class(3001, o), Mm7StatusClass::kPermanent);
  EXPECT_EQ(mm7_status_class(2002, o), Mm7StatusClass::kTransient);
  EXPECT_EQ(mm7_status_class(4004, o), Mm7StatusClass::kTransient);
  EXPECT_EQ(mm7_status_class(1000, o), Mm7StatusClass::kPermanent);
  EXPECT_EQ(mm7_status_class(2003, o), Mm7StatusClass::kPermanent);
  EXPECT_EQ(mm7_status_name(2002), "Address Error");
  EXPECT_EQ(mm7_status_name(9999), "");
}

}  // namespace
}  // namespace impulse::protocol

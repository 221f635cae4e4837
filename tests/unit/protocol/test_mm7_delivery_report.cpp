// MM7 DeliveryReportReq parsing and the DeliveryReportRsp we answer with.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "protocol/mm7_delivery_report.hpp"

namespace impulse::protocol {
namespace {

const char* kNs = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-2";

std::string report_xml() {
  return std::string(R"(<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
<env:Header><mm7:TransactionID xmlns:mm7=")") + kNs + R"(" env:mustUnderstand="1">dr-9</mm7:TransactionID></env:Header>
<env:Body><DeliveryReportReq xmlns=")" + kNs + R"("><MM7Version>5.3.0</MM7Version><MMSRelayServerID>relay</MMSRelayServerID>
<MessageID>mmsc-77</MessageID><Recipient><Number>+15551234567</Number></Recipient>
<Sender><RFC2822Address>me@vasp</RFC2822Address></Sender><Date>2026-12-06T10:00:00Z</Date>
<MMStatus>Retrieved</MMStatus><StatusText>ok</StatusText></DeliveryReportReq></env:Body></env:Envelope>)";
}

TEST(Mm7DeliveryReport, Parses) {
  auto r = parse_mm7_delivery_report(report_xml(), "text/xml");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->transaction_id, "dr-9");
  EXPECT_EQ(r->namespace_uri, kNs);
  EXPECT_EQ(r->version, "5.3.0");
  EXPECT_EQ(r->message_id, "mmsc-77");
  EXPECT_EQ(r->recipient, "+15551234567");
  EXPECT_EQ(r->sender, "me@vasp");
  EXPECT_EQ(r->mm_status, "Retrieved");
  EXPECT_EQ(r->status_text, "ok");
}

TEST(Mm7DeliveryReport, MultipartBody) {
  const std::string body = "--x\r\nContent-Type: text/xml\r\n\r\n" + report_xml() + "\r\n--x--\r\n";
  auto r = parse_mm7_delivery_report(body, "multipart/related; boundary=\"x\"; type=\"text/xml\"");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->message_id, "mmsc-77");
}

TEST(Mm7DeliveryReport, Refusals) {
  auto other = parse_mm7_delivery_report(
      "<e:Envelope xmlns:e='x'><e:Body><SubmitReq/></e:Body></e:Envelope>", "text/xml");
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error(), "no DeliveryReportReq in the SOAP Body");
  auto no_status = parse_mm7_delivery_report(
      "<e:Envelope xmlns:e='x'><e:Body><DeliveryReportReq><MessageID>1</MessageID></DeliveryReportReq></e:Body>"
      "</e:Envelope>",
      "");
  ASSERT_FALSE(no_status.has_value());
  EXPECT_EQ(no_status.error(), "DeliveryReportReq without MMStatus");
  EXPECT_FALSE(parse_mm7_delivery_report("<<<", "text/xml").has_value());
}

TEST(Mm7DeliveryReport, ResponseEchoesTransactionNamespaceAndVersion) {
  auto r = parse_mm7_delivery_report(report_xml(), "text/xml");
  ASSERT_TRUE(r.has_value());
  const std::string xml = mm7_delivery_report_response(*r);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  auto env = doc.document_element();
  EXPECT_STREQ(env.name(), "env:Envelope");
  EXPECT_STREQ(env.child("env:Header").child("mm7:TransactionID").child_value(), "dr-9");
  auto rsp = env.child("env:Body").child("DeliveryReportRsp");
  EXPECT_STREQ(rsp.attribute("xmlns").value(), kNs);
  EXPECT_STREQ(rsp.child("MM7Version").child_value(), "5.3.0");
  EXPECT_STREQ(rsp.child("Status").child("StatusCode").child_value(), "1000");
  EXPECT_STREQ(rsp.child("Status").child("StatusText").child_value(), "Success");
}

}  // namespace
}  // namespace impulse::protocol

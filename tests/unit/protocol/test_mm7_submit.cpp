// The MM7 SubmitReq: recipient addresses (SPEC §11), the envelope's
// namespaces, prefix, elements in schema order and escaping, and the
// multipart/related body parsed back with the MIME helpers.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "protocol/channel_part_mime.hpp"
#include "protocol/mm7_submit.hpp"

namespace impulse::protocol {
namespace {

TEST(Mm7Recipient, DigitsAreANumberWithThePrefix) {
  auto a = mm7_recipient_address("15551234567@mm7.example", "00");
  EXPECT_EQ(a.kind, Mm7AddressKind::kNumber);
  EXPECT_EQ(a.value, "0015551234567");
}

TEST(Mm7Recipient, LeadingPlusIsANumberWithoutThePrefix) {
  auto a = mm7_recipient_address("+15551234567@mm7.example", "00");
  EXPECT_EQ(a.kind, Mm7AddressKind::kNumber);
  EXPECT_EQ(a.value, "+15551234567");
}

TEST(Mm7Recipient, AnyOtherNonDigitMakesTheWholeRecipientAnRfc2822Address) {
  for (const char* r : {"alice@mm7.example", "1555-123@mm7.example", "15+55@mm7.example", "+@mm7.example",
                        "@mm7.example"}) {
    auto a = mm7_recipient_address(r, "00");
    EXPECT_EQ(a.kind, Mm7AddressKind::kRfc2822Address) << r;
    EXPECT_EQ(a.value, r);
  }
}

Mm7SubmitFields fields() {
  Mm7SubmitFields f;
  f.namespace_uri = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3";
  f.soap_env_prefix = "soapenv";
  f.transaction_id = "T-42";
  f.version = "5.6.0";
  f.vaspid = "vasp <1>";
  f.vasid = "MessageSystems-VASID";
  f.sender_address = "12345";
  f.recipient = {Mm7AddressKind::kNumber, "0015551234567"};
  f.service_code = "svc";
  f.message_class = "informational";
  f.delivery_report = true;
  f.subject = "Tom & Jerry \x01";
  f.content_id = "content-T-42";
  return f;
}

std::vector<std::string> child_names(const pugi::xml_node& n) {
  std::vector<std::string> out;
  for (auto c : n.children()) out.emplace_back(c.name());
  return out;
}

TEST(Mm7SubmitEnvelope, SchemaOrderNamespacesAndHeader) {
  const std::string xml = mm7_submit_envelope(fields());
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  auto env = doc.document_element();
  EXPECT_STREQ(env.name(), "soapenv:Envelope");
  EXPECT_STREQ(env.attribute("xmlns:soapenv").value(), "http://schemas.xmlsoap.org/soap/envelope/");
  auto tid = env.child("soapenv:Header").child("mm7:TransactionID");
  EXPECT_STREQ(tid.child_value(), "T-42");
  EXPECT_STREQ(tid.attribute("soapenv:mustUnderstand").value(), "1");
  EXPECT_STREQ(tid.attribute("xmlns:mm7").value(),
               "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3");
  auto req = env.child("soapenv:Body").child("SubmitReq");
  EXPECT_STREQ(req.attribute("xmlns").value(),
               "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3");
  EXPECT_EQ(child_names(req),
            (std::vector<std::string>{"MM7Version", "SenderIdentification", "Recipients", "ServiceCode",
                                      "MessageClass", "DeliveryReport", "ReadReply", "Subject", "Content"}));
  EXPECT_STREQ(req.child("MM7Version").child_value(), "5.6.0");
  auto sender = req.child("SenderIdentification");
  EXPECT_EQ(child_names(sender), (std::vector<std::string>{"VASPID", "VASID", "SenderAddress"}));
  EXPECT_STREQ(sender.child("VASPID").child_value(), "vasp <1>");
  EXPECT_STREQ(sender.child("SenderAddress").child("Number").child_value(), "12345");
  EXPECT_STREQ(req.child("Recipients").child("To").child("Number").child_value(), "0015551234567");
  EXPECT_STREQ(req.child("MessageClass").child_value(), "Informational");
  EXPECT_STREQ(req.child("DeliveryReport").child_value(), "true");
  EXPECT_STREQ(req.child("ReadReply").child_value(), "false");
  EXPECT_STREQ(req.child("Subject").child_value(), "Tom & Jerry  ");
  EXPECT_STREQ(req.child("Content").attribute("href").value(), "cid:content-T-42");
  EXPECT_NE(xml.find("vasp &lt;1&gt;"), std::string::npos);
  EXPECT_TRUE(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
}

TEST(Mm7SubmitEnvelope, OptionalElementsOmittedAndDefaults) {
  Mm7SubmitFields f;
  f.transaction_id = "1";
  f.recipient = {Mm7AddressKind::kRfc2822Address, "alice@mm7.example"};
  f.vasid = "MessageSystems-VASID";
  f.content_id = "c";
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(mm7_submit_envelope(f).c_str()));
  auto env = doc.document_element();
  EXPECT_STREQ(env.name(), "env:Envelope");
  auto req = env.child("env:Body").child("SubmitReq");
  EXPECT_STREQ(req.attribute("xmlns").value(),
               "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4");
  EXPECT_EQ(child_names(req), (std::vector<std::string>{"MM7Version", "SenderIdentification", "Recipients",
                                                        "DeliveryReport", "ReadReply", "Content"}));
  EXPECT_EQ(child_names(req.child("SenderIdentification")), (std::vector<std::string>{"VASID"}));
  EXPECT_STREQ(req.child("Recipients").child("To").child("RFC2822Address").child_value(), "alice@mm7.example");
}

TEST(Mm7SubmitRequest, MultipartRelatedParsesBack) {
  auto f = fields();
  const std::string payload = "--=_mm7_T-42\r\nnot a delimiter of ours\r\n";
  auto made = mm7_submit_request(f, {"image/gif", payload});
  ASSERT_TRUE(made.has_value()) << made.error();
  auto type = parse_content_type(made->content_type);
  ASSERT_TRUE(type.has_value());
  EXPECT_EQ(type->type, "multipart/related");
  EXPECT_EQ(type->param("type").value_or(""), "text/xml");
  EXPECT_EQ(type->param("start").value_or(""), "<soap-T-42>");
  const auto boundary = std::string(type->param("boundary").value_or(""));
  EXPECT_EQ(payload.find("--" + boundary), std::string::npos);
  auto parts = split_multipart(made->body, boundary);
  ASSERT_TRUE(parts.has_value()) << parts.error();
  ASSERT_EQ(parts->size(), 2u);
  auto soap = split_entity((*parts)[0]);
  ASSERT_TRUE(soap.has_value());
  EXPECT_EQ(find_header(soap->headers, "Content-ID").value_or(""), "<soap-T-42>");
  EXPECT_EQ(soap->body, mm7_submit_envelope(f));
  auto content = split_entity((*parts)[1]);
  ASSERT_TRUE(content.has_value());
  EXPECT_EQ(find_header(content->headers, "Content-Type").value_or(""), "image/gif");
  EXPECT_EQ(find_header(content->headers, "Content-ID").value_or(""), "<content-T-42>");
  EXPECT_EQ(content->body, payload);
}

TEST(Mm7SubmitRequest, BadContentTypeIsRefused) {
  auto made = mm7_submit_request(fields(), {"nonsense", "x"});
  ASSERT_FALSE(made.has_value());
  EXPECT_EQ(made.error(), "bad Content-Type nonsense");
}

}  // namespace
}  // namespace impulse::protocol

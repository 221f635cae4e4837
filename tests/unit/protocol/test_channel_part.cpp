// Tests for protocol/channel_part.hpp and channel_part_mime.hpp with MCMT
// messages written as Momentum's injection guide and SPEC §11 describe
// them: a multipart/vnd.msys.mcmt with a message/rfc822 rendering and
// channel parts carrying their own X-Device-Token / X-APNs-* headers, in
// each transfer encoding, folded headers, nested multiparts.
#include "protocol/channel_part.hpp"

#include <gtest/gtest.h>

#include <string>

#include "protocol/channel_part_mime.hpp"
#include "protocol/base64.hpp"

using namespace impulse::protocol;

namespace {

constexpr std::string_view kPartToken = "8fb0f9f4d3b1c2a1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7";
constexpr std::string_view kPayload = R"({"aps":{"alert":"Your order has shipped","badge":1,"sound":"default"}})";

std::string crlf(std::string_view lf_text) {
  std::string out;
  for (char c : lf_text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// An MCMT message as the Momentum mobile guide shows it (CRLF line ends).
std::string mcmt_message() {
  return crlf(std::string(R"(Received: from client.example.net (127.0.0.1) by mta.example.com
From: shop@example.com
To: 8fb0f9f4d3b1c2a1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7@apn.example.com
Subject: Your order
MIME-Version: 1.0
Content-Type: multipart/vnd.msys.mcmt;
	boundary="=_mcmt_b0undary"

This is a multi-channel message in MCMT format.

--=_mcmt_b0undary
Content-Type: message/rfc822

From: shop@example.com
To: customer@example.net
Subject: Your order

Your order has shipped.

--=_mcmt_b0undary
Content-Type: message/vnd.msys.apn
X-Device-Token: )") + std::string(kPartToken) + R"(
X-APNs-Topic: com.example.shop
X-APNs-Priority: 10
Content-Transfer-Encoding: 7bit

)" + std::string(kPayload) + R"(
--=_mcmt_b0undary
Content-Type: message/vnd.msys.gcm
X-Registration-ID: fcm-registration-token-1

{"message":{"notification":{"title":"Shipped"}}}
--=_mcmt_b0undary--
)");
}

std::string mcmt_with_apn_part(std::string_view part_headers, std::string_view part_body) {
  return crlf(std::string("Content-Type: multipart/vnd.msys.mcmt; boundary=XYZ\n\n--XYZ\n"
                          "Content-Type: message/rfc822\n\nSubject: hi\n\nhello\n--XYZ\n") +
              std::string(part_headers) + "\n\n" + std::string(part_body) + "\n--XYZ--\n");
}

}  // namespace

TEST(ChannelPart, FindsTheApnPartOfAnMcmtMessageWithItsOwnHeaders) {
  const std::string msg = mcmt_message();
  ASSERT_TRUE(is_mcmt(msg));
  auto part = find_channel_part(msg, Channel::kApn);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part->payload, kPayload);
  EXPECT_EQ(part->content_type, "message/vnd.msys.apn");
  EXPECT_EQ(part->header("x-device-token").value_or(""), kPartToken);
  EXPECT_EQ(part->header("X-APNS-TOPIC").value_or(""), "com.example.shop");
  EXPECT_FALSE(part->header("Subject"));  // top-level headers are not the part's
  auto token = apn_device_token(*part, "ignored");
  ASSERT_TRUE(token) << token.error();
  EXPECT_EQ(*token, kPartToken);
}

TEST(ChannelPart, FindsTheGcmPartBesideTheApnPart) {
  auto part = find_channel_part(mcmt_message(), Channel::kGcm);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part->payload, R"({"message":{"notification":{"title":"Shipped"}}})");
  EXPECT_EQ(part->header("X-Registration-ID").value_or(""), "fcm-registration-token-1");
}

TEST(ChannelPart, McmtWithoutTheChannelsPartIsAnError) {
  auto part = find_channel_part(mcmt_message(), Channel::kMm7);
  ASSERT_FALSE(part);
  EXPECT_EQ(part.error(), "no multipart/vnd.msys.mm7 part in the MCMT message");
}

TEST(ChannelPart, AMessageThatIsNotMcmtIsTheChannelPartWhole) {
  const std::string msg = crlf(std::string("From: a@example.com\nX-Device-Token: ") + std::string(kPartToken) +
                               "\nX-APNs-Topic: com.example.app\nContent-Type: application/json\n\n" +
                               std::string(kPayload) + "\n");
  EXPECT_FALSE(is_mcmt(msg));
  auto part = find_channel_part(msg, Channel::kApn);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part->payload, kPayload);  // the final line break is SMTP's, not the payload's
  EXPECT_EQ(part->content_type, "application/json");
  EXPECT_EQ(part->header("X-APNs-Topic").value_or(""), "com.example.app");
}

TEST(ChannelPart, WholeMessageBodyIsDecodedPerItsTransferEncoding) {
  const std::string msg = crlf("Subject: x\nContent-Transfer-Encoding: base64\n\n" + encode_base64(kPayload) + "\n");
  auto part = find_channel_part(msg, Channel::kApn);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part->payload, kPayload);
}

TEST(ChannelPart, Base64PartIsDecodedAcrossLines) {
  const std::string json = R"({"aps":{"alert":"Grüße aus Köln","sound":"default"}})";  // 8-bit: base64 per Momentum
  std::string b64 = encode_base64(json);
  b64.insert(20, "\n");
  b64.insert(45, "\n");
  auto part = find_channel_part(
      mcmt_with_apn_part("Content-Type: message/vnd.msys.apn\nContent-Transfer-Encoding: BASE64", b64), Channel::kApn);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part->payload, json);
}

TEST(ChannelPart, QuotedPrintablePartIsDecoded) {
  const std::string qp = "{\"aps\":{\"alert\":\"Caf=C3=A9 =3D open\",   \n\"sound\":\"def=\nault\"}}";
  auto part = find_channel_part(
      mcmt_with_apn_part("Content-Type: message/vnd.msys.apn\nContent-Transfer-Encoding: quoted-printable", qp),
      Channel::kApn);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part->payload, "{\"aps\":{\"alert\":\"Caf\xC3\xA9 = open\",\r\n\"sound\":\"default\"}}");
}

TEST(ChannelPart, EightBitPartIsTakenAsIs) {
  auto part = find_channel_part(
      mcmt_with_apn_part("Content-Type: message/vnd.msys.apn\nContent-Transfer-Encoding: 8bit",
                         "{\"aps\":{\"alert\":\"\xC3\xA9\"}}"),
      Channel::kApn);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part->payload, "{\"aps\":{\"alert\":\"\xC3\xA9\"}}");
}

TEST(ChannelPart, UndecodablePartsAreErrors) {
  auto bad64 = find_channel_part(
      mcmt_with_apn_part("Content-Type: message/vnd.msys.apn\nContent-Transfer-Encoding: base64", "eyJh*cHMiOnt9fQ=="),
      Channel::kApn);
  ASSERT_FALSE(bad64);
  EXPECT_EQ(bad64.error(),
            "undecodable message/vnd.msys.apn part: undecodable base64: invalid base64 character at offset 4");
  auto badqp = find_channel_part(
      mcmt_with_apn_part("Content-Type: message/vnd.msys.apn\nContent-Transfer-Encoding: quoted-printable", "{=ZZ}"),
      Channel::kApn);
  ASSERT_FALSE(badqp);
  EXPECT_NE(badqp.error().find("quoted-printable"), std::string::npos);
  auto unknown = find_channel_part(
      mcmt_with_apn_part("Content-Type: message/vnd.msys.apn\nContent-Transfer-Encoding: x-uuencode", "{}"),
      Channel::kApn);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("unknown Content-Transfer-Encoding 'x-uuencode'"), std::string::npos);
}

TEST(ChannelPart, FoldedPartHeadersAreUnfolded) {
  auto part = find_channel_part(
      mcmt_with_apn_part(std::string("Content-Type: message/vnd.msys.apn\nX-Device-Token:\n  ") + std::string(kPartToken) +
                             "\nX-APNs-Collapse-ID: order\n\t-42",
                         "{}"),
      Channel::kApn);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part->header("X-Device-Token").value_or(""), kPartToken);
  EXPECT_EQ(part->header("X-APNs-Collapse-ID").value_or(""), "order\t-42");
}

TEST(ChannelPart, PartNestedInAnInnerMultipartIsFoundAndRfc822PartsAreNotEntered) {
  const std::string msg = crlf(std::string(
      "Content-Type: multipart/vnd.msys.mcmt; boundary=\"outer\"\n\n"
      "preamble\n--outer\nContent-Type: message/rfc822\n\n"
      "Content-Type: multipart/mixed; boundary=inner\n\n--inner\nContent-Type: message/vnd.msys.apn\n\n{\"decoy\":1}\n"
      "--inner--\n"
      "--outer\nContent-Type: multipart/alternative; boundary=\"inner2\"\n\n"
      "--inner2\nContent-Type: text/plain\n\nnot this\n"
      "--inner2\nContent-Type: Message/VND.MSYS.APN; charset=utf-8\n\n{\"aps\":{}}\n"
      "--inner2--\nepilogue\n--outer--  \nepilogue\n"));
  auto part = find_channel_part(msg, Channel::kApn);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part->payload, "{\"aps\":{}}");
  EXPECT_EQ(part->content_type, "Message/VND.MSYS.APN; charset=utf-8");
}

TEST(ChannelPart, Mm7ChannelTakesEitherOfItsTwoTypesWholeWithItsInnerMultipart) {
  const std::string inner = "--mm7\nContent-Type: text/plain\n\nHello MMS\n--mm7--";
  const std::string msg = crlf("Content-Type: multipart/vnd.msys.mcmt; boundary=B\n\n--B\n"
                               "Content-Type: message/rfc822\n\nSubject: s\n\nb\n--B\n"
                               "Content-Type: multipart/vnd.msys.mm7; boundary=mm7\n\n" + inner + "\n--B--\n");
  auto part = find_channel_part(msg, Channel::kMm7);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part->payload, crlf(inner));
  EXPECT_EQ(parse_content_type(part->content_type)->param("boundary").value_or(""), "mm7");
}

TEST(ChannelPart, MalformedMcmtStructuresAreErrors) {
  auto no_close = find_channel_part(crlf("Content-Type: multipart/vnd.msys.mcmt; boundary=B\n\n--B\n"
                                         "Content-Type: message/vnd.msys.apn\n\n{}\n"),
                                    Channel::kApn);
  ASSERT_FALSE(no_close);
  EXPECT_EQ(no_close.error(), "malformed MCMT message: multipart body without its closing boundary");
  auto no_boundary = find_channel_part(crlf("Content-Type: multipart/vnd.msys.mcmt\n\n--B\n\n--B--\n"), Channel::kApn);
  ASSERT_FALSE(no_boundary);
  EXPECT_EQ(no_boundary.error(), "malformed MCMT message: multipart/vnd.msys.mcmt without a boundary parameter");
  auto not_found = find_channel_part(crlf("Content-Type: multipart/vnd.msys.mcmt; boundary=B\n\nno parts here\n"),
                                     Channel::kApn);
  ASSERT_FALSE(not_found);
  EXPECT_EQ(not_found.error(), "malformed MCMT message: multipart boundary not found");
  auto bad_header = find_channel_part(crlf("Content-Type: multipart/vnd.msys.mcmt; boundary=B\n\n--B\n"
                                           "this is no header\n\n{}\n--B--\n"),
                                      Channel::kApn);
  ASSERT_FALSE(bad_header);
  EXPECT_EQ(bad_header.error(), "malformed MCMT message: header line without a colon");
}

TEST(ChannelPart, DeepNestingIsRefused) {
  // Twelve multiparts, each the only part of the one around it, the APN part innermost.
  std::string inner = "Content-Type: message/vnd.msys.apn\n\n{}";
  for (int i = 12; i >= 1; --i) {
    const std::string b = "b" + std::to_string(i);
    inner = "Content-Type: multipart/mixed; boundary=" + b + "\n\n--" + b + "\n" + inner + "\n--" + b + "--";
  }
  const std::string msg = "Content-Type: multipart/vnd.msys.mcmt; boundary=b0\n\n--b0\n" + inner + "\n--b0--\n";
  auto part = find_channel_part(crlf(msg), Channel::kApn);
  ASSERT_FALSE(part);
  EXPECT_NE(part.error().find("nested too deeply"), std::string::npos);
}

TEST(ChannelPart, LineEndsMayBeBareLf) {
  auto part = find_channel_part("Content-Type: multipart/vnd.msys.mcmt; boundary=B\n\n--B\n"
                                "Content-Type: message/vnd.msys.apn\nX-Device-Token: 0011223344556677\n\n{\"a\":1}\n"
                                "--B--\n",
                                Channel::kApn);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part->payload, "{\"a\":1}");
}

TEST(McmtEmailPart, IsTheRfc822PartEndingInCrlf) {
  auto email = mcmt_email_part(mcmt_message());
  ASSERT_TRUE(email) << email.error();
  EXPECT_EQ(*email, crlf("From: shop@example.com\nTo: customer@example.net\nSubject: Your order\n\n"
                         "Your order has shipped.\n"));
}

TEST(McmtEmailPart, Base64Rfc822PartIsDecoded) {
  const std::string inner = "Subject: hi\r\n\r\nhello";
  auto email = mcmt_email_part(crlf("Content-Type: multipart/vnd.msys.mcmt; boundary=B\n\n--B\n"
                                    "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" +
                                    encode_base64(inner) + "\n--B--\n"));
  ASSERT_TRUE(email) << email.error();
  EXPECT_EQ(*email, inner + "\r\n");
}

TEST(McmtEmailPart, ErrorsWithoutAnRfc822PartOrForPlainMessages) {
  auto none = mcmt_email_part(crlf("Content-Type: multipart/vnd.msys.mcmt; boundary=B\n\n--B\n"
                                   "Content-Type: message/vnd.msys.apn\n\n{}\n--B--\n"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(), "no message/rfc822 part in the MCMT message");
  auto plain = mcmt_email_part(crlf("Subject: x\n\nbody\n"));
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error(), "not an MCMT message");
}

TEST(CheckMcmtStructure, AcceptsAGoodMessageAndRejectsUndecodableOrIncompleteOnes) {
  EXPECT_TRUE(check_mcmt_structure(mcmt_message()));
  auto undecodable = check_mcmt_structure(mcmt_with_apn_part(
      "Content-Type: message/vnd.msys.apn\nContent-Transfer-Encoding: base64", "!!!"));
  ASSERT_FALSE(undecodable);
  EXPECT_NE(undecodable.error().find("undecodable message/vnd.msys.apn part"), std::string::npos);
  auto no_email = check_mcmt_structure(crlf("Content-Type: multipart/vnd.msys.mcmt; boundary=B\n\n--B\n"
                                            "Content-Type: message/vnd.msys.apn\n\n{}\n--B--\n"));
  ASSERT_FALSE(no_email);
  EXPECT_EQ(no_email.error(), "no message/rfc822 part in the MCMT message");
}

TEST(ApnDeviceToken, HeaderFirstElseLocalPartAndOnlyEvenHex16To200) {
  ChannelPart none;
  EXPECT_EQ(apn_device_token(none, "00112233445566778899aabbccddeeff").value_or(""),
            "00112233445566778899aabbccddeeff");
  ChannelPart with;
  with.headers.emplace_back("X-Device-Token", " ABCDEF0123456789 ");
  EXPECT_EQ(apn_device_token(with, "not-hex").value_or(""), "ABCDEF0123456789");
  EXPECT_TRUE(apn_device_token(none, "0011223344556677aa"));             // 18 digits
  EXPECT_FALSE(apn_device_token(none, "001122334455667"));             // 15 digits
  EXPECT_FALSE(apn_device_token(none, "00112233445566778"));           // odd
  EXPECT_FALSE(apn_device_token(none, "0011223344556677zz"));          // not hex
  EXPECT_FALSE(apn_device_token(none, ""));                            // none at all
  EXPECT_TRUE(apn_device_token(none, std::string(200, 'a')));
  EXPECT_FALSE(apn_device_token(none, std::string(202, 'a')));
  ChannelPart bad;
  bad.headers.emplace_back("X-Device-Token", "xyz");
  auto err = apn_device_token(bad, "00112233445566778899");  // the header wins even when the local part is good
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error(), "invalid device token in X-Device-Token: expected 16-200 hexadecimal digits, an even number");
}

TEST(ContentTypeParsing, ParametersQuotedCommentedAndCaseFolded) {
  auto ct = parse_content_type("Multipart/VND.MSYS.MCMT (a comment); Boundary=\"a \\\"q\\\" b\"; charset=utf-8;");
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->type, "multipart/vnd.msys.mcmt");
  EXPECT_EQ(ct->param("boundary").value_or(""), "a \"q\" b");
  EXPECT_EQ(ct->param("CHARSET").value_or(""), "utf-8");
  EXPECT_FALSE(parse_content_type("text"));
  EXPECT_FALSE(parse_content_type(""));
}

TEST(QuotedPrintable, SoftBreaksTrailingSpaceAndHardBreaks) {
  EXPECT_EQ(decode_quoted_printable("a=3Db  \r\nc=\r\nd").value_or("?"), "a=b\r\ncd");
  EXPECT_EQ(decode_quoted_printable("x=e9=E9").value_or("?"), "x\xE9\xE9");
  EXPECT_FALSE(decode_quoted_printable("bad=4"));
  EXPECT_FALSE(decode_quoted_printable("bad=G0"));
}

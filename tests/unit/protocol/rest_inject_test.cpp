// The HTTP injection request bodies: Momentum's /v1.0/inject/ and
// Impulse's /api/v1/messages, and their error texts.
#include "protocol/rest_inject.hpp"

#include <gtest/gtest.h>

#include "protocol/base64.hpp"

namespace impulse::protocol {
namespace {

TEST(RestInject, ParsesTemplateRecipientsAndKeys) {
  auto r = parse_rest_inject(R"({"template": "T", "recipients": [
      {"to": "a@example.com", "from": "s@example.org", "keys": {"n": "x", "i": 42, "b": true}, "vctx": {}},
      {"to": "b@example.net", "from": ""}], "extra": 1})");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->template_text, "T");
  ASSERT_EQ(r->recipients.size(), 2u);
  EXPECT_EQ(r->recipients[0].to, "a@example.com");
  EXPECT_EQ(r->recipients[0].from, "s@example.org");
  EXPECT_EQ(r->recipients[0].keys, (TemplateKeys{{"n", "x"}, {"i", "42"}, {"b", "true"}}));
  EXPECT_EQ(r->recipients[1].from, "");
}

TEST(RestInject, PreparesOneMessagePerRecipientWithToFromDefaultsAndOverrides) {
  auto r = parse_rest_inject(R"({"template": "From: <%= :from %>\nTo: [%= :to %]\nSubject: hi <%= :name %>\n\nbody\n",
      "recipients": [{"to": "a@example.com", "from": "s@example.org", "keys": {"name": "Ann"}},
                     {"to": "b@example.com", "from": "s@example.org", "keys": {"name": "Bob", "to": "Bob <b@example.com>"}}]})");
  ASSERT_TRUE(r.has_value()) << r.error();
  auto msgs = prepare_rest_inject(*r);
  ASSERT_TRUE(msgs.has_value()) << msgs.error();
  ASSERT_EQ(msgs->size(), 2u);
  EXPECT_EQ((*msgs)[0].sender, "s@example.org");
  EXPECT_EQ((*msgs)[0].recipients, std::vector<std::string>{"a@example.com"});
  EXPECT_EQ((*msgs)[0].data, "From: s@example.org\r\nTo: a@example.com\r\nSubject: hi Ann\r\n\r\nbody\r\n");
  EXPECT_EQ((*msgs)[1].data, "From: s@example.org\r\nTo: Bob <b@example.com>\r\nSubject: hi Bob\r\n\r\nbody\r\n");
  EXPECT_FALSE((*msgs)[0].eight_bit);
}

TEST(RestInject, AMissingKeyInAnyRecipientFailsTheWholeRequest) {
  auto r = parse_rest_inject(R"({"template": "Hi <%= :name %>", "recipients": [
      {"to": "a@example.com", "from": "s@example.org", "keys": {"name": "Ann"}},
      {"to": "b@example.com", "from": "s@example.org"}]})");
  ASSERT_TRUE(r.has_value());
  auto msgs = prepare_rest_inject(*r);
  ASSERT_FALSE(msgs.has_value());
  EXPECT_EQ(msgs.error(), "recipients[1]: no value for template key 'name'");
}

TEST(RestInject, RejectsBadInputWithItsReason) {
  auto err = [](std::string_view body) {
    auto r = parse_rest_inject(body);
    return r ? std::string("ok") : r.error();
  };
  EXPECT_EQ(err("{"), err("{"));
  EXPECT_TRUE(err("{").starts_with("malformed JSON"));
  EXPECT_EQ(err("[]"), "the request body must be a JSON object");
  EXPECT_EQ(err(R"({"recipients": []})"), "template: missing");
  EXPECT_EQ(err(R"({"template": 5, "recipients": []})"), "template: must be a string");
  EXPECT_EQ(err(R"({"template": "T"})"), "recipients: missing");
  EXPECT_EQ(err(R"({"template": "T", "recipients": {}})"), "recipients: must be an array");
  EXPECT_EQ(err(R"({"template": "T", "recipients": []})"), "recipients: empty");
  EXPECT_EQ(err(R"({"template": "T", "recipients": ["a@b.c"]})"), "recipients[0]: must be an object");
  EXPECT_EQ(err(R"({"template": "T", "recipients": [{"from": ""}]})"), "recipients[0].to: missing");
  EXPECT_TRUE(err(R"({"template": "T", "recipients": [{"to": "no-at-sign", "from": ""}]})")
                  .starts_with("recipients[0].to: not a valid address"));
  EXPECT_TRUE(err(R"({"template": "T", "recipients": [{"to": "a@b.c", "from": "x y@z"}]})")
                  .starts_with("recipients[0].from: not a valid address"));
  EXPECT_EQ(err(R"({"template": "T", "recipients": [{"to": "a@b.c", "from": "", "keys": []}]})"),
            "recipients[0].keys: must be an object");
  EXPECT_EQ(err(R"({"template": "T", "recipients": [{"to": "a@b.c", "from": "", "keys": {"k": null}}]})"),
            "recipients[0].keys.k: must be a string, number or boolean");
}

TEST(MessageRequest, ParsesContentAndBinding) {
  auto r = parse_message_request(R"({"envelope_sender": "s@example.org", "recipients": ["a@example.com", "b@example.net"],
      "content": "Subject: x\n\nh\u00e9\n", "binding": "b1", "binding_group": "g1"})");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->message.sender, "s@example.org");
  EXPECT_EQ(r->message.recipients, (std::vector<std::string>{"a@example.com", "b@example.net"}));
  EXPECT_EQ(r->message.data, "Subject: x\r\n\r\nh\xc3\xa9\r\n");
  EXPECT_TRUE(r->message.eight_bit);
  EXPECT_EQ(r->binding, "b1");
  EXPECT_EQ(r->binding_group, "g1");
}

TEST(MessageRequest, DecodesBase64ContentAndAllowsTheNullSender) {
  auto r = parse_message_request(
      R"({"envelope_sender": "", "recipients": ["a@example.com"], "content_base64": "U3ViamVjdDogeA0KDQpoaQ0K"})");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->message.sender, "");
  EXPECT_EQ(r->message.data, "Subject: x\r\n\r\nhi\r\n");
  EXPECT_FALSE(r->binding.has_value());
}

TEST(MessageRequest, RejectsBadInputWithItsReason) {
  auto err = [](std::string_view body) {
    auto r = parse_message_request(body);
    return r ? std::string("ok") : r.error();
  };
  const std::string tail = R"(, "content": "x"})";
  EXPECT_TRUE(err("not json").starts_with("malformed JSON"));
  EXPECT_EQ(err(R"({"recipients": ["a@b.c"])" + tail), "envelope_sender: missing");
  EXPECT_EQ(err(R"({"envelope_sender": 1, "recipients": ["a@b.c"])" + tail), "envelope_sender: must be a string");
  EXPECT_EQ(err(R"({"envelope_sender": "", "recipients": [])" + tail), "recipients: empty");
  EXPECT_EQ(err(R"({"envelope_sender": "", "recipients": "a@b.c")" + tail), "recipients: must be an array of strings");
  EXPECT_EQ(err(R"({"envelope_sender": "", "recipients": [7])" + tail), "recipients[0]: must be a string");
  EXPECT_TRUE(err(R"({"envelope_sender": "", "recipients": ["a@b.c", "<x@y>"])" + tail)
                  .starts_with("recipients[1]: not a valid address"));
  EXPECT_EQ(err(R"({"envelope_sender": "", "recipients": ["a@b.c"]})"), "content: missing (or content_base64)");
  EXPECT_EQ(err(R"({"envelope_sender": "", "recipients": ["a@b.c"], "content": "x", "content_base64": "eA=="})"),
            "give either content or content_base64, not both");
  EXPECT_TRUE(err(R"({"envelope_sender": "", "recipients": ["a@b.c"], "content_base64": "!!!"})")
                  .starts_with("content_base64: invalid base64"));
  EXPECT_EQ(err(R"({"envelope_sender": "", "recipients": ["a@b.c"], "content": ""})"), "content: empty");
  EXPECT_EQ(err(R"({"envelope_sender": "", "recipients": ["a@b.c"], "content": "x", "binding": "a b"})"),
            "binding: not a valid name");
}

TEST(CheckAddress, AcceptsSmtpPathsAndRejectsTheRest) {
  EXPECT_EQ(check_address("user@example.com", false).value_or("bad"), "user@example.com");
  EXPECT_EQ(check_address("\"a b\"@example.com", false).value_or("bad"), "\"a b\"@example.com");
  EXPECT_EQ(check_address("", true).value_or("bad"), "");
  EXPECT_FALSE(check_address("", false).has_value());
  EXPECT_FALSE(check_address("postmaster", false).has_value());
  EXPECT_FALSE(check_address("a@b.c\r\nRCPT TO:<x@y>", false).has_value());
  EXPECT_FALSE(check_address("a@b.c> SIZE=1", true).has_value());
  EXPECT_FALSE(check_address(std::string(65, 'x') + "@example.com", false).has_value());
}

TEST(Base64, DecodesPaddedUnpaddedAndWrappedInput) {
  EXPECT_EQ(decode_base64("aGVsbG8=").value_or("bad"), "hello");
  EXPECT_EQ(decode_base64("aGVsbG8").value_or("bad"), "hello");
  EXPECT_EQ(decode_base64("aGVs\r\nbG8h").value_or("bad"), "hello!");
  EXPECT_EQ(decode_base64("").value_or("bad"), "");
  EXPECT_FALSE(decode_base64("a").has_value());
  EXPECT_FALSE(decode_base64("aGVsbG8=x").has_value());
  EXPECT_FALSE(decode_base64("=aGV").has_value());
  EXPECT_FALSE(decode_base64("aG=Vs").has_value());
  EXPECT_FALSE(decode_base64("aGVsbG8===").has_value());
}

}  // namespace
}  // namespace impulse::protocol

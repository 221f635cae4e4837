// The JSON bodies of the HTTP injection endpoints (SPEC §16;
// reference/momentum.md §11.2), parsed and checked into plain values:
//
//   POST /v1.0/inject/  (Momentum's REST injector)
//     {"template": "<RFC 5322 text with <%= :key %> / [%= :key %]>",
//      "recipients": [{"to": "a@b", "from": "c@d", "keys": {...}, "vctx": {...}}]}
//   prepare_rest_inject() turns it into one message per recipient: keys
//   "to" and "from" default to the recipient's to and from (Momentum's
//   rule), string and number values are substituted, line ends become
//   CRLF. Any problem in any recipient fails the whole request (all or
//   none). `vctx` (Momentum's context variables) must be an object and is
//   otherwise ignored.
//
//   POST /api/v1/messages  (Impulse's API)
//     {"envelope_sender": "a@b" | "", "recipients": ["x@y", ...],
//      "content": "<RFC 5322 text>" | "content_base64": "...",
//      "binding": "name", "binding_group": "name"}   (the last two optional)
//   exactly one of content / content_base64; the content's line ends
//   become CRLF.
//
// Addresses are checked as SMTP paths (protocol/smtp_command.hpp: RFC 5321
// syntax and lengths): a recipient needs a domain; the sender may be ""
// (null sender). Unknown members are ignored (forward compatibility).
//
// Leaves to others: HTTP (inbound/http/), injecting and the reply shapes,
// what a binding name means (the injector's binding policy; the HTTP code
// passes it as an X-Impulse-Binding header).
// Pure: bytes in, values out; any thread; fuzzed (tests/fuzz/
// fuzz_protocol_rest_inject.cpp). Failures are one line for the client's
// {"error": ...} ("recipients[2].to: not a valid address: ...").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "protocol/inject_template.hpp"

namespace impulse::protocol {

struct RestRecipient {
  std::string to;
  std::string from;
  TemplateKeys keys;  // as given, values as text
};

struct RestInjectRequest {
  std::string template_text;
  std::vector<RestRecipient> recipients;  // at least one
};

// One message ready for the injector.
struct PreparedMessage {
  std::string sender;                   // "" = null sender
  std::vector<std::string> recipients;  // at least one, each checked
  std::string data;                     // CRLF line ends, ending in CRLF
  bool eight_bit = false;               // data has octets over 127
};

struct MessageRequest {
  PreparedMessage message;
  std::optional<std::string> binding;        // a name: printable ASCII, no spaces
  std::optional<std::string> binding_group;
};

impulse::expected<RestInjectRequest, std::string> parse_rest_inject(std::string_view body);
// One message per recipient, in order; all or none.
impulse::expected<std::vector<PreparedMessage>, std::string> prepare_rest_inject(const RestInjectRequest& request);

impulse::expected<MessageRequest, std::string> parse_message_request(std::string_view body);

// An address as the envelope carries it (no angle brackets), checked as an
// SMTP forward-path (recipient: needs local part and domain) or
// reverse-path (sender: "" allowed). The text of the problem otherwise.
impulse::expected<std::string, std::string> check_address(std::string_view address, bool sender);

}  // namespace impulse::protocol

// Command lines the SMTP client sends, as wire bytes with their CRLF
// (RFC 5321 §4.1.1, §4.5.3.1; RFC 1870 SIZE=; RFC 6152 BODY=8BITMIME;
// Postfix XCLIENT_README; xtext from RFC 3461 §4).
//
// Paths: "MAIL FROM:<>" for the null sender; a path (with its <>) longer
// than 256 octets, or holding a control octet (CR and LF included, which
// could smuggle a command), is refused as a value: the session reports
// Momentum's "MAIL FROM arguments too long" / "RCPT TO arguments too long".
// XCLIENT: only attributes the server listed are sent, ADDR and NAME last
// (once ADDR is set a server may refuse further XCLIENTs); values xtext
// encoded; an unknown address or name is "[UNAVAILABLE]", an IPv6 address
// gets the "IPV6:" prefix. Attributes are dropped (HELO, then NAME) until
// the line fits in 512 octets.
//
// Leaves to others: when each command is sent (transaction_plan, the
// connection). Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace impulse::delivery::smtp {

inline constexpr std::size_t kMaxPathLength = 256;     // with <> (RFC 5321 §4.5.3.1.3)
inline constexpr std::size_t kMaxCommandLine = 512;    // with CRLF (RFC 5321 §4.5.3.1.4)

enum class HelloVerb { kEhlo, kHelo, kLhlo };

// "EHLO name\r\n" etc.
std::string format_hello(HelloVerb verb, std::string_view name);

struct MailParameters {
  std::optional<std::uint64_t> size;  // SIZE=n when the server advertised SIZE
  bool body_8bitmime = false;         // BODY=8BITMIME
  bool smtputf8 = false;              // SMTPUTF8 (RFC 6531)
  std::string_view dsn_ret = {};      // RET=FULL|HDRS (RFC 3461), "" = none
  std::string dsn_envid = {};         // ENVID=, decoded (sent as xtext); "" = none
};

// RCPT parameters (RFC 3461), sent when the server advertised DSN.
struct RcptParameters {
  std::string notify;  // "SUCCESS,FAILURE" etc.; "" = none
  std::string orcpt;   // "type;decoded address"; "" = none
};

// "MAIL FROM:<sender> [SIZE=n] [BODY=8BITMIME]\r\n", or nullopt for a path
// that cannot be sent.
std::optional<std::string> format_mail_from(std::string_view sender, const MailParameters& parameters);
// "RCPT TO:<recipient>\r\n", or nullopt.
std::optional<std::string> format_rcpt_to(std::string_view recipient, const RcptParameters& parameters = {});

// RFC 3461 xtext: octets outside '!'..'~', and '+' and '=', become "+XX"
// (protocol::xtext_encode; kept here for XCLIENT's callers).
std::string xtext_encode(std::string_view value);

// What the server is told about the client that gave us the message.
struct OriginalClient {
  std::string addr;             // "192.0.2.1", "2001:db8::1"; "" or "unknown" = not known
  std::string name;             // reverse name; "" = not known
  std::string helo;             // HELO/EHLO argument; "" = not known (not sent)
  std::string proto = "ESMTP";  // "SMTP" or "ESMTP"; "" = not sent
};

// "XCLIENT PROTO=ESMTP HELO=x ADDR=192.0.2.1 NAME=[UNAVAILABLE]\r\n";
// nullopt when the server listed none of the attributes Impulse sends.
std::optional<std::string> format_xclient(const OriginalClient& client,
                                          const std::vector<std::string>& server_attributes);

}  // namespace impulse::delivery::smtp

// SMTP AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms: the
// server's side of the exchange as a pure state machine, and the client's
// lines. Bytes in, values out; base64 through protocol/base64.hpp.
//
// Server: AuthServerExchange::start() takes the text after "AUTH " (the
// mechanism and an optional initial response, "=" meaning an empty one);
// respond() takes each further client line. A step is a challenge (send
// "334 <challenge>"), credentials (check them: the exchange is over), or an
// error (the exchange is over; the session picks the reply: Syntax and
// BadBase64 501 5.5.2, UnsupportedMechanism 504 5.5.4, Cancelled ("*")
// 501 5.0.0). PLAIN's authorization identity must be empty or equal to the
// authentication identity (no proxy authorization): otherwise the
// credentials come back with `authzid_refused` set and must fail.
//
// Client: the AUTH command lines a client sends for PLAIN (one line with
// the initial response) and LOGIN (user, then password, each answering a
// 334).
//
// Leaves to others: checking the password (inbound/esmtp_auth_passwords),
// when AUTH is offered, failure delays, relaying (the ESMTP session), the
// outbound sequence (delivery/smtp/smtp_auth).
// Pure: no I/O, any thread; fuzzed (tests/fuzz/fuzz_protocol_smtp_auth.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol {

enum class AuthMechanism { kPlain, kLogin };

// "PLAIN" / "LOGIN" (case-insensitive); nullopt for anything else.
std::optional<AuthMechanism> parse_auth_mechanism(std::string_view name);
std::string_view auth_mechanism_name(AuthMechanism mechanism);

enum class AuthErrorKind {
  kSyntax,                // no mechanism, stray arguments
  kUnsupportedMechanism,  // not PLAIN or LOGIN
  kBadBase64,             // a response that is not base64, or a malformed PLAIN message
  kCancelled,             // the client answered "*"
};

struct AuthError {
  AuthErrorKind kind = AuthErrorKind::kSyntax;
  std::string detail;
};

struct AuthCredentials {
  std::string user;
  std::string password;
  bool authzid_refused = false;  // PLAIN asked to act as someone else
};

// RFC 4616 message "[authzid] NUL authcid NUL passwd" (already decoded).
impulse::expected<AuthCredentials, AuthError> parse_plain_message(std::string_view message);

// A client's response line: "*" cancels, "=" (or nothing) is empty,
// otherwise strict base64.
impulse::expected<std::string, AuthError> decode_auth_response(std::string_view line);

class AuthServerExchange {
 public:
  enum class Kind { kChallenge, kCredentials, kError };
  struct Step {
    Kind kind = Kind::kError;
    std::string challenge;  // kChallenge: the base64 text after "334 "
    AuthCredentials credentials;
    AuthError error;
  };

  Step start(std::string_view arguments);
  Step respond(std::string_view line);
  // A challenge is out: the next client line is a response, not a command.
  bool awaiting_response() const { return state_ != State::kIdle; }
  std::optional<AuthMechanism> mechanism() const { return mechanism_; }

 private:
  enum class State { kIdle, kPlainResponse, kLoginUser, kLoginPassword };
  Step fail(AuthErrorKind kind, std::string detail);
  Step plain(std::string_view decoded);

  State state_ = State::kIdle;
  std::optional<AuthMechanism> mechanism_;
  std::string user_;
};

// Client side. "AUTH PLAIN <base64(NUL user NUL password)>\r\n".
std::string format_auth_plain(std::string_view user, std::string_view password);
// "AUTH LOGIN\r\n", then each answer to a 334: "<base64(text)>\r\n".
std::string format_auth_login();
std::string format_auth_response(std::string_view text);

}  // namespace impulse::protocol

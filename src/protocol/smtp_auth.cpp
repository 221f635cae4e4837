// Implementation of protocol/smtp_auth.hpp.
#include "protocol/smtp_auth.hpp"

#include "base/strings.hpp"
#include "protocol/base64.hpp"

namespace impulse::protocol {
namespace {

constexpr std::string_view kUsernameChallenge = "VXNlcm5hbWU6";  // "Username:"
constexpr std::string_view kPasswordChallenge = "UGFzc3dvcmQ6";  // "Password:"

impulse::unexpected<AuthError> error(AuthErrorKind kind, std::string detail) {
  return impulse::unexpected<AuthError>(AuthError{kind, std::move(detail)});
}

}  // namespace

std::optional<AuthMechanism> parse_auth_mechanism(std::string_view name) {
  if (iequals(name, "PLAIN")) return AuthMechanism::kPlain;
  if (iequals(name, "LOGIN")) return AuthMechanism::kLogin;
  return std::nullopt;
}

std::string_view auth_mechanism_name(AuthMechanism mechanism) {
  return mechanism == AuthMechanism::kPlain ? "PLAIN" : "LOGIN";
}

impulse::expected<AuthCredentials, AuthError> parse_plain_message(std::string_view message) {
  const std::size_t first = message.find('\0');
  if (first == std::string_view::npos) return error(AuthErrorKind::kBadBase64, "PLAIN message without NUL");
  const std::size_t second = message.find('\0', first + 1);
  if (second == std::string_view::npos) return error(AuthErrorKind::kBadBase64, "PLAIN message without password");
  AuthCredentials c;
  const std::string_view authzid = message.substr(0, first);
  c.user = std::string(message.substr(first + 1, second - first - 1));
  c.password = std::string(message.substr(second + 1));
  if (c.user.empty()) return error(AuthErrorKind::kBadBase64, "PLAIN message without user");
  if (c.password.find('\0') != std::string::npos) return error(AuthErrorKind::kBadBase64, "NUL in password");
  c.authzid_refused = !authzid.empty() && authzid != c.user;
  return c;
}

impulse::expected<std::string, AuthError> decode_auth_response(std::string_view line) {
  line = trim(line);
  if (line == "*") return error(AuthErrorKind::kCancelled, "authentication cancelled");
  if (line.empty() || line == "=") return std::string();
  for (char c : line) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return error(AuthErrorKind::kBadBase64, "space in response");
  }
  auto decoded = decode_base64(line);
  if (!decoded) return error(AuthErrorKind::kBadBase64, decoded.error());
  return std::move(*decoded);
}

AuthServerExchange::Step AuthServerExchange::fail(AuthErrorKind kind, std::string detail) {
  state_ = State::kIdle;
  user_.clear();
  Step s;
  s.kind = Kind::kError;
  s.error = AuthError{kind, std::move(detail)};
  return s;
}

AuthServerExchange::Step AuthServerExchange::plain(std::string_view decoded) {
  state_ = State::kIdle;
  auto creds = parse_plain_message(decoded);
  if (!creds) return fail(creds.error().kind, creds.error().detail);
  Step s;
  s.kind = Kind::kCredentials;
  s.credentials = std::move(*creds);
  return s;
}

AuthServerExchange::Step AuthServerExchange::start(std::string_view arguments) {
  state_ = State::kIdle;
  user_.clear();
  mechanism_.reset();
  arguments = trim(arguments);
  const std::size_t sp = arguments.find(' ');
  const std::string_view name = arguments.substr(0, sp);
  const std::string_view rest = sp == std::string_view::npos ? std::string_view{} : trim(arguments.substr(sp + 1));
  if (name.empty()) return fail(AuthErrorKind::kSyntax, "AUTH needs a mechanism");
  if (rest.find(' ') != std::string_view::npos) return fail(AuthErrorKind::kSyntax, "too many arguments");
  mechanism_ = parse_auth_mechanism(name);
  if (!mechanism_) return fail(AuthErrorKind::kUnsupportedMechanism, "mechanism not supported");
  const bool initial = sp != std::string_view::npos && !rest.empty();
  if (*mechanism_ == AuthMechanism::kPlain) {
    if (!initial) {
      state_ = State::kPlainResponse;
      return Step{Kind::kChallenge, "", {}, {}};
    }
    auto decoded = decode_auth_response(rest);
    if (!decoded) return fail(decoded.error().kind, decoded.error().detail);
    return plain(*decoded);
  }
  if (initial) {  // LOGIN with the user name as initial response
    auto decoded = decode_auth_response(rest);
    if (!decoded) return fail(decoded.error().kind, decoded.error().detail);
    user_ = std::move(*decoded);
    state_ = State::kLoginPassword;
    return Step{Kind::kChallenge, std::string(kPasswordChallenge), {}, {}};
  }
  state_ = State::kLoginUser;
  return Step{Kind::kChallenge, std::string(kUsernameChallenge), {}, {}};
}

AuthServerExchange::Step AuthServerExchange::respond(std::string_view line) {
  if (state_ == State::kIdle) return fail(AuthErrorKind::kSyntax, "no exchange in progress");
  auto decoded = decode_auth_response(line);
  if (!decoded) return fail(decoded.error().kind, decoded.error().detail);
  switch (state_) {
    case State::kPlainResponse:
      return plain(*decoded);
    case State::kLoginUser:
      user_ = std::move(*decoded);
      state_ = State::kLoginPassword;
      return Step{Kind::kChallenge, std::string(kPasswordChallenge), {}, {}};
    case State::kLoginPassword: {
      state_ = State::kIdle;
      Step s;
      s.kind = Kind::kCredentials;
      s.credentials.user = std::exchange(user_, {});
      s.credentials.password = std::move(*decoded);
      if (s.credentials.user.empty()) return fail(AuthErrorKind::kBadBase64, "empty user name");
      return s;
    }
    case State::kIdle:
      break;
  }
  return fail(AuthErrorKind::kSyntax, "no exchange in progress");
}

std::string format_auth_plain(std::string_view user, std::string_view password) {
  std::string message;
  message.push_back('\0');
  message.append(user);
  message.push_back('\0');
  message.append(password);
  return "AUTH PLAIN " + encode_base64(message) + "\r\n";
}

std::string format_auth_login() { return "AUTH LOGIN\r\n"; }

std::string format_auth_response(std::string_view text) { return encode_base64(text) + "\r\n"; }

}  // namespace impulse::protocol

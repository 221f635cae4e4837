// The console login (SPEC §7 "Who may use the console"; reference/
// momentum.md §8.1 Enable_Authentication): its line on the console wire
// (console/wire.hpp) and the per-connection rules, kept pure so both ends
// and the tests share them.
//
//   client -> server: "login USER BASE64(PASSWORD)\n"   (RFC 4648 base64,
//                     so a password may hold spaces, quotes or any byte but
//                     NUL; the word "login" is case-insensitive)
//   server -> client: an IMPULSE-REPLY, status 0 "Logged in as USER.\n" or
//                     status 1 "Login failed: unknown user or wrong
//                     password.\n". From the fourth failure on a connection
//                     each failed reply is held back a second; the tenth
//                     also says "Too many failed logins; closing." and the
//                     server closes the connection.
//   Before a login succeeds every other line is answered status 1 "Login
//   required: ..." and runs nothing. A listener without
//   Enable_Authentication answers a login with status 0 "This console does
//   not require a login.\n", so `impulsectl -u` works everywhere and old
//   clients that never log in keep working there.
//
// Leaves to others: checking the password (the ControlEndpoint's
// PasswordCheck, off the event loop), the delay's timer and closing the
// socket (console/control_listener.cpp). The same numbers as SMTP AUTH
// (inbound/esmtp_session_auth.cpp). Pure: no I/O, any thread; a LoginGate
// belongs to one connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "console/wire.hpp"

namespace impulse::console {

inline constexpr std::size_t kLoginFailuresBeforeDelay = 3;  // the 4th failure is the first delayed
inline constexpr std::size_t kLoginFailuresBeforeClose = 10;
inline constexpr std::chrono::milliseconds kLoginFailureDelay{1000};

struct LoginRequest {
  std::string user;
  std::string password;
};

// True when the line's first word is "login" (then it is never dispatched as a command).
bool is_login_line(std::string_view line);
// The line without its '\n'. The user must be 1..255 bytes without spaces or control characters.
std::string format_login_line(std::string_view user, std::string_view password);
// A login line's user and password, or the text of a status-1 reply.
impulse::expected<LoginRequest, std::string> parse_login_line(std::string_view line);

// One connection's login state.
class LoginGate {
 public:
  explicit LoginGate(bool required) : required_(required) {}

  // Whether a command may run now.
  bool admitted() const { return !required_ || !user_.empty(); }
  bool required() const { return required_; }
  const std::string& user() const { return user_; }
  // Whether a login line's password must be checked before answer() (else
  // answer() does not look at `valid`: no login needed, or already logged in).
  bool checks_password() const { return required_ && user_.empty(); }

  // The answer to a command line sent before logging in.
  static Reply refusal();

  struct Verdict {
    Reply reply;
    std::chrono::milliseconds delay{0};  // hold the reply back this long
    bool close = false;                  // close the connection after the reply
  };
  // The answer to a login line, once its password has been checked (`valid`).
  // On a listener without login: the "does not require" reply, whatever `valid`.
  Verdict answer(const LoginRequest& request, bool valid);

 private:
  bool required_ = false;
  std::string user_;
  std::size_t failures_ = 0;
};

}  // namespace impulse::console

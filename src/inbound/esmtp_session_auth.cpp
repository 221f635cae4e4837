// EsmtpSession, SMTP AUTH (RFC 4954; SPEC §19): PLAIN and LOGIN, offered
// only with an Auth_Password_File and, unless Auth_Allow_Plaintext, only
// over TLS. Success: 235 2.7.0 and the session may relay. Failure:
// 535 5.7.8; from the fourth failure on a connection each such reply is
// held back for a second (Next::Delay: the connection waits on a timer),
// and the tenth also says 421 4.7.0 and closes. The exchange's parsing is
// protocol::AuthServerExchange (pure, fuzzed); passwords are checked by
// AuthPasswords (libcrypt): inline, or, after defer_password_checks(true),
// handed to the connection (Next::Verify) to run off the event loop.
#include "inbound/esmtp_auth_passwords.hpp"
#include "inbound/esmtp_session.hpp"
#include "protocol/smtp_reply.hpp"

namespace impulse::inbound {

namespace {

constexpr std::size_t kAuthFailuresBeforeDelay = 3;  // the 4th failure is the first delayed
constexpr std::size_t kAuthFailuresBeforeClose = 10;
constexpr std::chrono::milliseconds kAuthFailureDelay{1000};

}  // namespace

bool EsmtpSession::auth_offered() const {
  if (!settings_.auth_passwords || (!tls_ && !settings_.auth_allow_plaintext)) return false;
  return settings_.auth_passwords() != nullptr;
}

void EsmtpSession::on_auth(std::string_view arguments) {
  if (!settings_.auth_passwords || !settings_.auth_passwords())
    return reply(502, "5.5.1", "AUTH not available");
  if (!tls_ && !settings_.auth_allow_plaintext)
    return reply(538, "5.7.11", "Encryption required for requested authentication mechanism");
  if (phase_ == Phase::Fresh || !esmtp_) return reply(503, "5.5.1", "Bad sequence of commands: send EHLO first");
  if (authenticated_) return reply(503, "5.5.1", "Bad sequence of commands: already authenticated");
  if (phase_ == Phase::Mail) return reply(503, "5.5.1", "Bad sequence of commands: AUTH during a mail transaction");
  auth_step(auth_.start(arguments));
}

void EsmtpSession::on_auth_response(std::string_view line) { auth_step(auth_.respond(line)); }

void EsmtpSession::auth_step(protocol::AuthServerExchange::Step step) {
  using Kind = protocol::AuthServerExchange::Kind;
  switch (step.kind) {
    case Kind::kChallenge:
      output_ += "334 " + step.challenge + "\r\n";
      return;
    case Kind::kError:
      switch (step.error.kind) {
        case protocol::AuthErrorKind::kCancelled:
          return reply(501, "5.0.0", "Authentication cancelled");
        case protocol::AuthErrorKind::kUnsupportedMechanism:
          return reply(504, "5.5.4", "Unrecognized authentication type");
        case protocol::AuthErrorKind::kSyntax:
        case protocol::AuthErrorKind::kBadBase64:
          return reply(501, "5.5.2", "Syntax error: " + step.error.detail);
      }
      return;
    case Kind::kCredentials: {
      auto passwords = settings_.auth_passwords ? settings_.auth_passwords() : nullptr;
      const auto& c = step.credentials;
      if (!passwords || c.authzid_refused) return auth_failed();
      PasswordCheck check{std::move(passwords), c.user, c.password};
      checking_user_ = c.user;
      phase_ = Phase::Verifying;  // process() stops; pipelined input waits for check_done()
      if (defer_checks_) {
        pending_check_ = std::move(check);
        return;
      }
      return check_done(check.run());
    }
  }
}

bool EsmtpSession::PasswordCheck::run() const { return passwords && passwords->verify(user, password); }

void EsmtpSession::check_done(bool valid) {
  if (phase_ != Phase::Verifying) return;
  const std::string user = std::exchange(checking_user_, {});
  pending_check_.reset();
  phase_ = Phase::Ready;
  if (valid && !user.empty()) {
    authenticated_ = true;
    auth_user_ = user;
    auth_failures_ = 0;
    answer(235, "2.7.0", "Authentication successful");
  } else {
    auth_failed();
  }
  if (phase_ == Phase::Ready) process();  // what the client pipelined meanwhile
}

void EsmtpSession::auth_failed() {
  ++auth_failures_;
  std::string out = protocol::format_reply(535, "5.7.8", "Authentication credentials invalid");
  if (auth_failures_ <= kAuthFailuresBeforeDelay) {
    output_ += out;
    return;
  }
  if (auth_failures_ >= kAuthFailuresBeforeClose) {
    out += protocol::format_reply(421, "4.7.0", settings_.hostname + " Too many authentication failures");
    close_after_delay_ = true;
  }
  held_output_ = std::move(out);
  auth_delay_ = kAuthFailureDelay;
  phase_ = Phase::Delaying;
}

void EsmtpSession::delay_done() {
  if (phase_ != Phase::Delaying) return;
  output_ += std::exchange(held_output_, {});
  auth_delay_ = std::chrono::milliseconds{0};
  if (close_after_delay_) {
    phase_ = Phase::Closed;
    reset_transaction();
    input_.clear();
    input_pos_ = 0;
    return;
  }
  phase_ = Phase::Ready;
  process();  // what the client pipelined meanwhile
}

}  // namespace impulse::inbound

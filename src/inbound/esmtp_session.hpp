// EsmtpSession: the server side of one SMTP conversation (RFC 5321, with
// PIPELINING RFC 2920, SIZE RFC 1870, 8BITMIME RFC 6152, ENHANCEDSTATUSCODES
// RFC 2034, STARTTLS RFC 3207) as a pure state machine: bytes in, reply
// bytes out, the received message handed to an Injector. SPEC §6.
//
// Leaves to the network part (esmtp_listener.cpp): sockets, TLS handshakes,
// deadlines, and when to call idle_timeout()/shutdown(). The caller loops:
//   receive(bytes) -> write take_output() -> act on next():
//     Read            read more (after flushing: "flush before blocking")
//     StartTls        flush the 220, handshake, then tls_established()
//     AwaitInjection  wait; the Injector's completion resumes the session
//     Delay           wait delay() (a timer, never blocking the loop), then
//                     delay_done(): an AUTH failure's reply held back
//     Verify          run take_check() off the loop (a crypt(3) hash costs
//                     ~10 ms of CPU), then check_done(valid); only after
//                     defer_password_checks(true), else AUTH checks inline
//     Close           flush, then close the connection
// All complete pipelined commands in the input are answered, in order, in
// one output batch. Input after STARTTLS in the same read is discarded (the
// plaintext injection of CVE-2011-0411). Input after DATA goes to the data
// reader; input after the final dot is kept and answered once the
// Injector's completion arrives.
//
// Threads: one owner (the connection's event loop). The Injector's
// completion must run on that owner too (the listener posts it there); it
// may also run synchronously inside inject() (test doubles).
//
// SMTP AUTH (RFC 4954, SPEC §19; esmtp_session_auth.cpp) and CHUNKING
// (RFC 3030 BDAT; esmtp_session_bdat.cpp) are in files of their own.
//
// Failure modes: bad input always gets a reply and the session goes on
// (500 5.5.0 line too long, 500 5.5.1 unknown command, 501 5.5.2/5.1.7/5.1.3
// syntax, 503 5.5.1 sequence, 555 5.5.4 unknown parameter); after
// `max_errors` 5xx replies to commands it says `421 4.7.0` and closes.
// Memory: at most one partial command line (1000 octets) plus the unread
// part of the last receive() is held; message data is capped by
// Max_Message_Size when set.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "queue/injection.hpp"
#include "inbound/listener_settings.hpp"
#include "protocol/data_reader.hpp"
#include "protocol/smtp_auth.hpp"
#include "protocol/smtp_command.hpp"

namespace impulse::inbound {

struct SessionPeer {
  std::string ip;                // textual peer address
  std::uint16_t port = 0;
  std::string listener_address;  // ListenerSettings::display_address()
  bool relay_allowed = false;    // relay_allowed(settings, peer ip)
  bool tls_offered = false;      // a TLS context exists for this listener
  std::string connection_id;     // unique per accepted connection (mainlog connid)
};

class EsmtpSession {
 public:
  enum class Next { Read, StartTls, AwaitInjection, Delay, Verify, Close };

  // `settings` and `injector` must outlive the session.
  EsmtpSession(const ListenerSettings& settings, SessionPeer peer, queue::Injector& injector);
  ~EsmtpSession();
  EsmtpSession(const EsmtpSession&) = delete;
  EsmtpSession& operator=(const EsmtpSession&) = delete;

  void start();                          // queues the 220 banner
  void receive(std::string_view bytes);  // processes every complete command
  std::string take_output();
  bool has_output() const { return !output_.empty(); }
  Next next() const;

  void tls_established();  // handshake done: back to the initial state, in TLS
  void idle_timeout();     // queues 421 4.4.2; next() becomes Close
  void shutdown();         // queues 421 4.3.2 (after a pending injection's reply)

  bool in_tls() const { return tls_; }

  // Next::Delay: how long to wait before delay_done() releases the held reply.
  std::chrono::milliseconds delay() const { return auth_delay_; }
  void delay_done();
  bool authenticated() const { return authenticated_; }

  // SMTP AUTH credentials to check: with defer_password_checks(true) the
  // session hands them out (Next::Verify) instead of hashing on its thread.
  struct PasswordCheck {
    std::shared_ptr<const AuthPasswords> passwords;
    std::string user;
    std::string password;
    bool run() const;  // the crypt(3) check itself: any thread
  };
  void defer_password_checks(bool defer) { defer_checks_ = defer; }
  // Next::Verify: the credentials (once), then check_done() with the verdict.
  std::optional<PasswordCheck> take_check() { return std::exchange(pending_check_, std::nullopt); }
  void check_done(bool valid);

 private:
  enum class Phase { Fresh, Ready, Mail, Data, Injecting, TlsPending, Delaying, Verifying, Closed };

  void process();
  void handle_line(std::string_view line);
  void handle_command(const protocol::Command& cmd);
  void on_ehlo(const protocol::Command& cmd, bool esmtp);
  void on_mail(const protocol::Command& cmd);
  void on_rcpt(const protocol::Command& cmd);
  void on_data();
  void on_starttls();
  void finish_data();
  // Hands the received message (CRLF lines, unstuffed) to the Injector.
  void inject_data(std::string data);
  // SMTP AUTH (esmtp_session_auth.cpp).
  bool auth_offered() const;
  void on_auth(std::string_view arguments);
  void on_auth_response(std::string_view line);
  void auth_step(protocol::AuthServerExchange::Step step);
  void auth_failed();
  // CHUNKING (esmtp_session_bdat.cpp).
  void on_bdat(std::string_view arguments);
  void feed_chunk();
  void finish_chunk();
  std::optional<std::string> mcmt_verdict(std::string& data) const;
  void injected(Result<std::string> id);
  void reset_transaction();
  // A reply to a command: 5xx ones count towards max_errors.
  void reply(int code, std::string_view enhanced, std::string_view text);
  // A policy refusal (not a syntax or sequence error): reply() plus the
  // injector's rejected() hook (the event stream's `rejection`, SPEC §17).
  void refuse(int code, std::string_view enhanced, std::string_view text, std::string_view sender,
              std::string_view recipient);
  void report_refusal(int code, std::string_view enhanced, std::string_view text, std::string_view sender,
                      std::string_view recipient);
  // A reply that never counts (the verdict on a message's data).
  void answer(int code, std::string_view enhanced, std::string_view text);
  void close_with(int code, std::string_view enhanced, std::string_view text);

  const ListenerSettings& settings_;
  SessionPeer peer_;
  queue::Injector& injector_;
  // Shared with the injection completion so a late completion after this
  // session is gone does nothing.
  std::shared_ptr<EsmtpSession*> self_;

  Phase phase_ = Phase::Fresh;
  bool tls_ = false;
  bool esmtp_ = false;
  bool processing_ = false;
  bool discarding_line_ = false;  // inside a command line already over the limit
  bool shutdown_pending_ = false;
  std::size_t errors_ = 0;
  std::string helo_;
  std::string input_;
  std::size_t input_pos_ = 0;
  std::string output_;

  // Current transaction.
  std::string mail_from_;
  std::string injecting_sender_;  // the sender of the message being injected (for a refusal)
  bool body_8bitmime_ = false;
  std::vector<std::string> recipients_;
  // SMTPUTF8 and DSN parameters of this transaction (recipients_ stays the
  // address list); moved into the Injection with it.
  queue::InjectionEnvelope extensions_;
  std::size_t rcpt_attempts_ = 0;
  std::optional<protocol::DataReader> data_;

  // SMTP AUTH.
  protocol::AuthServerExchange auth_;
  bool authenticated_ = false;
  std::string auth_user_;
  std::size_t auth_failures_ = 0;
  std::chrono::milliseconds auth_delay_{0};
  std::string held_output_;  // a delayed reply, released by delay_done()
  bool close_after_delay_ = false;
  bool defer_checks_ = false;
  std::optional<PasswordCheck> pending_check_;  // Phase::Verifying, until take_check()
  std::string checking_user_;                   // Phase::Verifying, until check_done()

  // CHUNKING: the current BDAT chunk and the message built from chunks.
  std::uint64_t chunk_left_ = 0;
  bool in_chunk_ = false;
  bool chunk_last_ = false;
  bool chunk_keep_ = false;          // false: the chunk's octets are read and dropped
  std::uint64_t chunk_size_ = 0;
  int chunk_refusal_code_ = 0;       // the reply to a dropped chunk
  std::string chunk_refusal_enhanced_;
  std::string chunk_refusal_text_;
  bool bdat_used_ = false;           // this transaction has had a BDAT (no DATA now)
  bool bdat_too_big_ = false;
  std::string bdat_data_;
};

}  // namespace impulse::inbound

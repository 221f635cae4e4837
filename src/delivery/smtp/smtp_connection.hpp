// SmtpConnection: one outbound SMTP/ESMTP/LMTP client session to one
// address, able to carry several messages (SPEC §4; RFC 5321, RFC 2920
// PIPELINING, RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 3207 STARTTLS, RFC 2033
// LMTP, Postfix XCLIENT; reference/protocols.md §1-3, §9;
// reference/momentum.md §3, §5, §6, §7.6).
//
// For the connection manager:
//
//   auto opened = co_await SmtpConnection::open(executor, target, settings);
//   if (!opened) { opened.error().outcome: transient, Scope::kHost -> quarantine
//                  the address (Host_Failure_Retry), try the next MX/address;
//                  apply it to the message if none is left }
//   auto& conn = *opened;                        // std::unique_ptr<SmtpConnection>
//   queue::AttemptResult r = co_await conn->deliver(job);   // one Outcome per recipient, job order
//   while (conn->reusable()) {
//     take the next job and deliver(), or park it:
//     IdleEnd e = co_await conn->idle();         // wake() from the same executor ends it early
//     if (e != IdleEnd::kWoken) break;
//   }
//   co_await conn->close();                      // QUIT (if still alive), then the socket is closed
//
// open(): connect (bind_address as source, connect_timeout; or to the Unix
// socket target.address when target.unix_socket, without bind_address), banner (220;
// anything else: QUIT, host failure with the reply, stage 12), EHLO (HELO
// after a 5xx; SMTP method: HELO only; LMTP: LHLO), STARTTLS per `tls`
// (capabilities forgotten and EHLO again after the handshake; tls_verify
// checks; a failed handshake under `ifavailable` with
// tls_ifavailable_fallback reconnects in plain text within the same open(),
// without it the failure is "451 4.7.5 [internal] TLS negotiation failed").
// With target.dane (DANE applies, host_tls.hpp) SNI is the TLSA base
// domain, the records are handed to OpenSSL before the handshake
// (dane_tls.hpp) and a chain that matches none of them fails the open
// ("451 4.7.5 [internal] DANE: certificate of <host> does not match TLSA
// <name>"); tls_verify is not applied then.
//
// deliver(): XCLIENT per `xclient` when the original client differs from
// the last one told on this connection (then EHLO again); recipients in
// transactions of max_recipients_per_batch; per transaction RSET (only
// after a failed one), MAIL FROM (SIZE= when advertised, BODY=8BITMIME when
// send_8bitmime and advertised and the body is 8-bit), RCPT TO each, DATA,
// the body (CRLF normalised, dot-stuffed), then the reply after the dot
// (LMTP: one per accepted recipient). With PIPELINING (and always for LMTP)
// MAIL, the RCPTs and DATA go in one write and every reply is read in
// order; without it, lock-step. A 452 (or 552) to RCPT after another
// recipient was accepted puts that recipient into a further transaction
// on the same connection. SIZE= is sent even when the message is larger
// than the server's advertised SIZE: its 552 to MAIL FROM then fails the
// message with the server's own words. Outcomes come from
// session_outcome.hpp only.
// A connection-level failure (deadline, peer closing, 421, malformed
// reply) fails every recipient not yet decided transiently with the
// [internal] text of the phase, and the connection is then dead
// (reusable() false). max_deliveries_per_connection counts messages with at
// least one delivered recipient; once reached, reusable() is false.
//
// Leaves to others: choosing targets and quarantining addresses, retry
// timing, connection limits (connection manager, queue); loading bodies.
// Executor: every member runs on the executor given to open() (the queue's
// loop); calls must not overlap, except wake() while idle() waits. Never
// throws except std::bad_alloc; the caller co_spawns and supervises.
// Internal to src/delivery (includes Asio).
#pragma once

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "delivery/smtp/capabilities.hpp"
#include "delivery/smtp/reply_reader.hpp"
#include "delivery/smtp/session_outcome.hpp"
#include "delivery/smtp/smtp_job.hpp"
#include "delivery/smtp/smtp_settings.hpp"
#include "delivery/smtp/smtp_stream.hpp"
#include "delivery/smtp/transaction_plan.hpp"
#include "queue/outcome.hpp"

namespace impulse::delivery::smtp {

// Why open() gave up on this address. `outcome` is transient with
// Scope::kHost: the reply or [internal] text, and the stage.
struct OpenFailure {
  queue::Outcome outcome;
  std::string detail;  // for logs: errno text, OpenSSL reason, the reply
};

enum class IdleEnd {
  kWoken,     // wake() was called: deliver the new work
  kTimedOut,  // idle_timeout passed: close() it
  kClosed,    // the peer closed or sent something (e.g. 421): it is dead
};

class SmtpConnection {
 public:
  using OpenResult = impulse::expected<std::unique_ptr<SmtpConnection>, OpenFailure>;

  // `sender_domain` is the EHLO name when settings->ehlo_from_sender
  // (ehlo_hostname = __message__).
  static boost::asio::awaitable<OpenResult> open(boost::asio::any_io_executor executor, SmtpTarget target,
                                                 std::shared_ptr<const SmtpSettings> settings,
                                                 std::string sender_domain = {});

  ~SmtpConnection();
  SmtpConnection(const SmtpConnection&) = delete;
  SmtpConnection& operator=(const SmtpConnection&) = delete;

  // One attempt for `job`: outcomes[i] belongs to job.recipients[i].
  boost::asio::awaitable<queue::AttemptResult> deliver(const SmtpJob& job);

  // Waits up to idle_timeout for wake(), watching the socket meanwhile.
  boost::asio::awaitable<IdleEnd> idle();
  // Ends a pending idle() with kWoken (or makes the next one return at once).
  void wake();

  // QUIT and its 221 (rset_timeout) if the connection is alive; then closes.
  boost::asio::awaitable<void> close();

  bool alive() const { return alive_; }
  // Alive and below max_deliveries_per_connection.
  bool reusable() const;
  std::uint32_t deliveries() const { return deliveries_; }
  const Capabilities& capabilities() const { return caps_; }
  bool tls_active() const { return stream_.tls_active(); }
  // Why the server's certificate failed the tls_verify checks ("" when it
  // passed, was not checked, or without TLS); with tls_verify = optional the
  // session goes on regardless (MTA-STS testing mode logs it).
  const std::string& certificate_problem() const { return certificate_problem_; }
  const SmtpTarget& target() const { return target_; }
  std::string local_address() const { return stream_.local_address(); }

 private:
  using ReplyResult = impulse::expected<Reply, SessionFailure>;
  struct Transaction;

  SmtpConnection(boost::asio::any_io_executor executor, SmtpTarget target,
                 std::shared_ptr<const SmtpSettings> settings, std::string ehlo_name);

  // Set-up (smtp_connection.cpp).
  enum class Establish { kDone, kFailed, kRetryPlain };
  boost::asio::awaitable<Establish> establish(bool allow_tls, std::optional<SessionFailure>& failure);
  // After the connect: banner, EHLO/HELO/LHLO, STARTTLS.
  boost::asio::awaitable<Establish> greet(bool allow_tls, std::optional<SessionFailure>& failure);
  boost::asio::awaitable<std::optional<SessionFailure>> hello();
  boost::asio::awaitable<Establish> start_tls(std::optional<SessionFailure>& failure);
  // Outbound SMTP AUTH (smtp_auth.cpp); nullopt when done or not configured.
  boost::asio::awaitable<std::optional<SessionFailure>> authenticate();

  // Delivery (smtp_delivery.cpp).
  boost::asio::awaitable<std::optional<SessionFailure>> send_xclient(const SmtpJob& job);
  boost::asio::awaitable<std::optional<SessionFailure>> run_transaction(Transaction& tx);
  // The steps of run_transaction, in order.
  void prepare_recipients(Transaction& tx) const;
  boost::asio::awaitable<std::optional<SessionFailure>> send_group(Transaction& tx, const CommandGroup& group);
  boost::asio::awaitable<std::optional<SessionFailure>> take_reply(Transaction& tx, const PlannedCommand& command,
                                                                  Reply reply);
  void defer_too_many_recipients(Transaction& tx) const;
  boost::asio::awaitable<std::optional<SessionFailure>> abandon_data(Transaction& tx);
  boost::asio::awaitable<std::optional<SessionFailure>> read_lmtp_confirmations(Transaction& tx);
  boost::asio::awaitable<std::optional<SessionFailure>> read_confirmation(Transaction& tx);
  boost::asio::awaitable<std::optional<SessionFailure>> send_body(const std::string& body);
  // CHUNKING (smtp_bdat.cpp): the body as one "BDAT n LAST" (its reply is read by the caller).
  boost::asio::awaitable<std::optional<SessionFailure>> send_bdat(const std::string& body);
  bool use_bdat() const;

  // I/O helpers.
  boost::asio::awaitable<ReplyResult> read_reply(Phase phase, std::chrono::milliseconds timeout);
  boost::asio::awaitable<std::optional<SessionFailure>> send(Phase phase, std::string_view bytes,
                                                             std::chrono::milliseconds timeout);
  SessionFailure io_failure(Phase phase, const IoResult& io, bool writing);
  void drop();
  OutcomeContext context(std::uint64_t bytes_sent) const;

  boost::asio::any_io_executor executor_;
  SmtpTarget target_;
  std::shared_ptr<const SmtpSettings> settings_;
  std::shared_ptr<const TlsClientContext> tls_context_;
  std::string ehlo_name_;
  SmtpStream stream_;
  ReplyReader reader_;
  std::array<char, 16384> buffer_{};
  Capabilities caps_;
  bool extensions_ = false;    // EHLO/LHLO accepted (HELO: no extensions)
  bool alive_ = false;         // connected and in step with the server
  bool need_rset_ = false;     // the last transaction failed
  bool idle_ = false;          // idle() is waiting
  bool wake_pending_ = false;  // wake() came while not idle
  std::optional<std::string> last_xclient_;  // the XCLIENT line the server last accepted
  bool xclient_refused_ = false;             // ifavailable and refused: not tried again here
  std::uint32_t deliveries_ = 0;
  std::string certificate_problem_;  // certificate_problem()
};

}  // namespace impulse::delivery::smtp

// Implementation of inbound/esmtp_session.hpp. Every reply text of the
// ESMTP listener is in this file.
#include "inbound/esmtp_session.hpp"

#include <cerrno>

#include "protocol/channel_part.hpp"
#include "protocol/channel_part_reception.hpp"
#include "base/strings.hpp"
#include "protocol/smtp_reply.hpp"

namespace impulse::inbound {

using protocol::CommandErrorKind;
using protocol::Verb;

EsmtpSession::EsmtpSession(const ListenerSettings& settings, SessionPeer peer, queue::Injector& injector)
    : settings_(settings), peer_(std::move(peer)), injector_(injector), self_(std::make_shared<EsmtpSession*>(this)) {}

EsmtpSession::~EsmtpSession() { *self_ = nullptr; }

void EsmtpSession::start() { reply(220, "", settings_.hostname + " ESMTP Impulse"); }

std::string EsmtpSession::take_output() { return std::exchange(output_, {}); }

EsmtpSession::Next EsmtpSession::next() const {
  switch (phase_) {
    case Phase::Closed:
      return Next::Close;
    case Phase::TlsPending:
      return Next::StartTls;
    case Phase::Injecting:
      return Next::AwaitInjection;
    case Phase::Delaying:
      return Next::Delay;
    case Phase::Verifying:
      return Next::Verify;
    default:
      return Next::Read;
  }
}

void EsmtpSession::receive(std::string_view bytes) {
  if (phase_ == Phase::Closed || phase_ == Phase::TlsPending) return;  // nothing more is read as SMTP
  input_.append(bytes);
  process();
}

void EsmtpSession::process() {
  if (processing_) return;  // re-entered from a synchronous injection completion
  processing_ = true;
  for (;;) {
    std::string_view pending = std::string_view(input_).substr(input_pos_);
    if (in_chunk_) {  // a BDAT chunk's octets (esmtp_session_bdat.cpp)
      feed_chunk();
      if (in_chunk_) break;
      continue;
    }
    if (phase_ == Phase::Data) {
      input_pos_ += data_->feed(pending);
      if (!data_->done()) break;
      finish_data();
      continue;
    }
    if (phase_ == Phase::Injecting || phase_ == Phase::TlsPending || phase_ == Phase::Delaying ||
        phase_ == Phase::Verifying || phase_ == Phase::Closed)
      break;

    const std::size_t lf = pending.find('\n');
    if (lf == std::string_view::npos) {
      // A partial line longer than any legal one: drop what we have and
      // remember to answer "line too long" when its end arrives.
      if (pending.size() > protocol::kMaxTextLine) {
        discarding_line_ = true;
        input_pos_ = input_.size();
      }
      break;
    }
    std::string_view line = pending.substr(0, lf);
    input_pos_ += lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const bool too_long = discarding_line_ || line.size() + 2 > protocol::kMaxTextLine;
    discarding_line_ = false;
    if (too_long) {
      reply(500, "5.5.0", "Line too long");
      continue;
    }
    handle_line(line);
  }
  // Keep only the unread tail.
  if (input_pos_ >= input_.size()) {
    input_.clear();
  } else if (input_pos_ > 0) {
    input_.erase(0, input_pos_);
  }
  input_pos_ = 0;
  processing_ = false;
}

void EsmtpSession::handle_line(std::string_view line) {
  if (auth_.awaiting_response()) return on_auth_response(line);
  const std::string_view verb = line.substr(0, line.find(' '));
  const std::string_view arguments = verb.size() < line.size() ? line.substr(verb.size() + 1) : std::string_view{};
  if (iequals(verb, "AUTH")) return on_auth(arguments);
  if (iequals(verb, "BDAT")) return on_bdat(arguments);
  auto cmd = protocol::parse_command(line, extensions_.smtputf8);
  if (cmd) {
    handle_command(*cmd);
    return;
  }
  const std::string& detail = cmd.error().detail;
  switch (cmd.error().kind) {
    case CommandErrorKind::Unrecognized:
      reply(500, "5.5.1", "Command unrecognized");
      break;
    case CommandErrorKind::Syntax:
      reply(501, "5.5.2", "Syntax error: " + detail);
      break;
    case CommandErrorKind::BadSender:
      reply(501, "5.1.7", "Bad sender address syntax: " + detail);
      break;
    case CommandErrorKind::BadRecipient:
      reply(501, "5.1.3", "Bad recipient address syntax: " + detail);
      break;
    case CommandErrorKind::BadParameter:
      reply(501, "5.5.4", "Invalid parameter: " + detail);
      break;
    case CommandErrorKind::UnsupportedParameter:
      reply(555, "5.5.4", "Parameter not recognized: " + detail);
      break;
  }
}

void EsmtpSession::handle_command(const protocol::Command& cmd) {
  switch (cmd.verb) {
    case Verb::Ehlo:
      on_ehlo(cmd, true);
      break;
    case Verb::Helo:
      on_ehlo(cmd, false);
      break;
    case Verb::Mail:
      on_mail(cmd);
      break;
    case Verb::Rcpt:
      on_rcpt(cmd);
      break;
    case Verb::Data:
      on_data();
      break;
    case Verb::Rset:
      reset_transaction();
      if (phase_ == Phase::Mail) phase_ = Phase::Ready;
      reply(250, "2.0.0", "Ok");
      break;
    case Verb::Noop:
      reply(250, "2.0.0", "Ok");
      break;
    case Verb::Quit:
      close_with(221, "2.0.0", settings_.hostname + " closing connection");
      break;
    case Verb::Starttls:
      on_starttls();
      break;
    case Verb::Vrfy:
      reply(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");
      break;
    case Verb::Help:
      reply(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT STARTTLS VRFY HELP");
      break;
  }
}

void EsmtpSession::on_ehlo(const protocol::Command& cmd, bool esmtp) {
  // EHLO/HELO may come at any time and abort any open transaction (RFC 5321 §4.1.4).
  reset_transaction();
  helo_ = cmd.argument;
  esmtp_ = esmtp;
  phase_ = Phase::Ready;
  if (!esmtp) {
    reply(250, "", settings_.hostname);
    return;
  }
  std::vector<std::string> lines{settings_.hostname, "PIPELINING"};
  lines.push_back(settings_.max_message_size > 0 ? "SIZE " + std::to_string(settings_.max_message_size) : "SIZE");
  lines.push_back("8BITMIME");
  lines.push_back("ENHANCEDSTATUSCODES");
  if (peer_.tls_offered && !tls_) lines.push_back("STARTTLS");
  if (auth_offered()) lines.push_back("AUTH PLAIN LOGIN");
  lines.push_back("SMTPUTF8");  // RFC 6531
  lines.push_back("DSN");       // RFC 3461
  lines.push_back("CHUNKING");
  output_ += protocol::format_reply(250, "", lines);
}

void EsmtpSession::on_mail(const protocol::Command& cmd) {
  if (phase_ == Phase::Fresh) return reply(503, "5.5.1", "Bad sequence of commands: send EHLO or HELO first");
  if (phase_ == Phase::Mail) return reply(503, "5.5.1", "Bad sequence of commands: nested MAIL command");
  if (cmd.size && settings_.max_message_size > 0 && *cmd.size > settings_.max_message_size)
    return refuse(552, "5.3.4", "Message size exceeds fixed maximum message size", cmd.path.address(), {});
  reset_transaction();
  mail_from_ = cmd.path.address();
  body_8bitmime_ = cmd.body == protocol::BodyType::EightBitMime;
  extensions_.smtputf8 = cmd.smtputf8;
  extensions_.dsn_ret = cmd.dsn_ret;
  extensions_.dsn_envid = cmd.dsn_envid;
  phase_ = Phase::Mail;
  reply(250, "2.1.0", "Ok");
}

void EsmtpSession::on_rcpt(const protocol::Command& cmd) {
  if (phase_ != Phase::Mail) return reply(503, "5.5.1", "Bad sequence of commands: send MAIL first");
  ++rcpt_attempts_;
  if (!peer_.relay_allowed && !authenticated_)  // an authenticated client relays (SPEC §19)
    return refuse(550, "5.7.1", "relaying denied", mail_from_, cmd.path.address());
  if (settings_.max_recipients_per_message > 0 && recipients_.size() >= settings_.max_recipients_per_message)
    return refuse(452, "4.5.3", "Too many recipients", mail_from_, cmd.path.address());
  recipients_.push_back(cmd.path.address());
  extensions_.dsn_notify.push_back(cmd.dsn_notify);
  extensions_.dsn_orcpt.push_back(cmd.dsn_orcpt);
  reply(250, "2.1.5", "Ok");
}

void EsmtpSession::on_data() {
  if (phase_ != Phase::Mail) return reply(503, "5.5.1", "Bad sequence of commands: send MAIL first");
  if (bdat_used_) return reply(503, "5.5.1", "Bad sequence of commands: DATA after BDAT");
  if (recipients_.empty()) {
    if (rcpt_attempts_ == 0) return reply(503, "5.5.1", "Bad sequence of commands: send RCPT first");
    return refuse(554, "5.5.1", "No valid recipients", mail_from_, {});
  }
  data_.emplace(settings_.max_message_size);
  phase_ = Phase::Data;
  reply(354, "", "End data with <CR><LF>.<CR><LF>");
}

void EsmtpSession::on_starttls() {
  if (tls_) return reply(503, "5.5.1", "TLS already active");
  if (!peer_.tls_offered) return reply(502, "5.5.1", "STARTTLS not available");
  reset_transaction();
  phase_ = Phase::TlsPending;
  // Anything the client sent after STARTTLS in plaintext is dropped, never
  // read as if it came over TLS (RFC 3207 §4.2; CVE-2011-0411).
  input_pos_ = input_.size();
  discarding_line_ = false;
  reply(220, "2.0.0", "Ready to start TLS");
}

void EsmtpSession::finish_data() {
  protocol::DataReader reader = std::move(*data_);
  data_.reset();
  if (reader.too_big()) {
    report_refusal(552, "5.3.4", "Message size exceeds fixed maximum message size", mail_from_, {});
    reset_transaction();
    phase_ = Phase::Ready;
    return answer(552, "5.3.4", "Message size exceeds fixed maximum message size");
  }
  if (reader.line_too_long()) {
    report_refusal(500, "5.5.0", "Line too long", mail_from_, {});
    reset_transaction();
    phase_ = Phase::Ready;
    return answer(500, "5.5.0", "Line too long");
  }
  std::string data = reader.take_data();
  if (auto refused = mcmt_verdict(data)) {
    report_refusal(554, "5.6.0", *refused, mail_from_, {});
    reset_transaction();
    phase_ = Phase::Ready;
    return answer(554, "5.6.0", *refused);
  }
  inject_data(std::move(data));
}

void EsmtpSession::inject_data(std::string data) {
  queue::Injection msg;
  injecting_sender_ = mail_from_;
  msg.envelope.sender = std::move(mail_from_);
  msg.envelope.recipients = std::move(recipients_);
  msg.envelope.body_8bitmime = body_8bitmime_;
  msg.envelope.smtputf8 = extensions_.smtputf8;
  msg.envelope.dsn_ret = extensions_.dsn_ret;
  msg.envelope.dsn_envid = std::move(extensions_.dsn_envid);
  msg.envelope.dsn_notify = std::move(extensions_.dsn_notify);
  msg.envelope.dsn_orcpt = std::move(extensions_.dsn_orcpt);
  msg.data = std::move(data);
  msg.origin.protocol = spool::Protocol::kEsmtp;
  msg.origin.esmtp = esmtp_;
  msg.origin.helo = helo_;
  msg.origin.peer_ip = peer_.ip;
  msg.origin.peer_port = peer_.port;
  msg.origin.listener_address = peer_.listener_address;
  msg.origin.tls = tls_;
  msg.origin.connection_id = peer_.connection_id;
  reset_transaction();
  phase_ = Phase::Injecting;
  std::weak_ptr<EsmtpSession*> weak = self_;
  injector_.inject(std::move(msg), [weak](Result<std::string> id) {
    if (auto self = weak.lock(); self && *self) (*self)->injected(std::move(id));
  });
}

// MCMT_Reception (SPEC §11) at the end of DATA: the refusal text, or
// nullopt with `data` marked (allow) or cleared of a forged mark.
std::optional<std::string> EsmtpSession::mcmt_verdict(std::string& data) const {
  const McmtReception mode = settings_.mcmt_reception ? settings_.mcmt_reception(peer_.ip) : McmtReception::kPassthru;
  const bool mcmt = mode != McmtReception::kPassthru && protocol::is_mcmt(data);
  if (mcmt && mode == McmtReception::kReject) return "MCMT messages are not accepted here";
  if (mcmt) {
    if (auto ok = protocol::check_mcmt_structure(data); !ok) return ok.error();
  }
  if (auto marked = protocol::mark_mcmt_reception(data, mcmt)) data = std::move(*marked);
  return std::nullopt;
}

void EsmtpSession::injected(Result<std::string> id) {
  if (phase_ != Phase::Injecting) return;
  phase_ = Phase::Ready;
  if (id) {
    answer(250, "2.0.0", "Ok: queued as " + *id);
  } else {
    const std::string text = id.error().message.empty() ? "Temporary failure, try again later" : id.error().message;
    // A full spool disk is 452 4.3.1, insufficient system storage (RFC 5321
    // 4.2.3, RFC 3463 X.3.1); any other spool failure 451 4.3.0. Nothing of
    // the message was acknowledged: the client tries again later.
    const bool full = id.error().code == ENOSPC;
    report_refusal(full ? 452 : 451, full ? "4.3.1" : "4.3.0", text, injecting_sender_, {});
    answer(full ? 452 : 451, full ? "4.3.1" : "4.3.0", text);
  }
  if (shutdown_pending_) {
    shutdown_pending_ = false;
    shutdown();
    return;
  }
  process();  // answer what was pipelined behind the message
}

void EsmtpSession::reset_transaction() {
  mail_from_.clear();
  body_8bitmime_ = false;
  recipients_.clear();
  extensions_ = {};
  rcpt_attempts_ = 0;
  bdat_used_ = false;
  bdat_too_big_ = false;
  bdat_data_.clear();
}

void EsmtpSession::tls_established() {
  if (phase_ != Phase::TlsPending) return;
  // RFC 3207 §4.2: forget everything learned before TLS; expect EHLO again.
  tls_ = true;
  authenticated_ = false;
  auth_user_.clear();
  auth_ = protocol::AuthServerExchange{};
  helo_.clear();
  esmtp_ = false;
  reset_transaction();
  input_.clear();
  input_pos_ = 0;
  phase_ = Phase::Fresh;
}

void EsmtpSession::idle_timeout() {
  if (phase_ == Phase::Closed) return;
  close_with(421, "4.4.2", settings_.hostname + " Idle timeout, closing connection");
}

void EsmtpSession::shutdown() {
  if (phase_ == Phase::Closed) return;
  if (phase_ == Phase::Injecting) {
    shutdown_pending_ = true;
    return;
  }
  close_with(421, "4.3.2", settings_.hostname + " Service shutting down, closing connection");
}

void EsmtpSession::refuse(int code, std::string_view enhanced, std::string_view text, std::string_view sender,
                          std::string_view recipient) {
  report_refusal(code, enhanced, text, sender, recipient);
  reply(code, enhanced, text);
}

void EsmtpSession::report_refusal(int code, std::string_view enhanced, std::string_view text,
                                  std::string_view sender, std::string_view recipient) {
  queue::Origin origin;
  origin.protocol = spool::Protocol::kEsmtp;
  origin.peer_ip = peer_.ip;
  origin.peer_port = peer_.port;
  origin.connection_id = peer_.connection_id;
  std::string response = std::to_string(code);
  if (!enhanced.empty()) (response += ' ') += enhanced;
  (response += ' ') += text;
  injector_.rejected(sender, recipient, origin, response);
}

void EsmtpSession::answer(int code, std::string_view enhanced, std::string_view text) {
  output_ += protocol::format_reply(code, enhanced, text);
}

void EsmtpSession::reply(int code, std::string_view enhanced, std::string_view text) {
  answer(code, enhanced, text);
  if (code < 500 || phase_ == Phase::Closed) return;
  ++errors_;
  if (settings_.max_errors > 0 && errors_ >= settings_.max_errors)
    close_with(421, "4.7.0", settings_.hostname + " Too many errors, closing connection");
}

void EsmtpSession::close_with(int code, std::string_view enhanced, std::string_view text) {
  output_ += protocol::format_reply(code, enhanced, text);
  phase_ = Phase::Closed;
  reset_transaction();
  data_.reset();
  in_chunk_ = false;
  chunk_left_ = 0;
  held_output_.clear();
  input_.clear();
  input_pos_ = 0;
}

}  // namespace impulse::inbound

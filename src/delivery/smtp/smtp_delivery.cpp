// SmtpConnection, part 2: delivering one job on an open session (XCLIENT,
// transactions of MAIL/RCPT/DATA, the body, the replies after the dot).
// Every outcome comes from session_outcome.hpp (map_reply / map_failure).
#include <boost/asio.hpp>
#include <deque>

#include "delivery/smtp/body_encoder.hpp"
#include "delivery/smtp/command_format.hpp"
#include "delivery/smtp/dsn_handoff.hpp"
#include "delivery/smtp/smtp_connection.hpp"
#include "delivery/smtp/transaction_plan.hpp"
#include "protocol/dsn_params.hpp"

namespace impulse::delivery::smtp {

namespace asio = boost::asio;
using asio::awaitable;

struct SmtpConnection::Transaction {
  Transaction(const SmtpJob& j, const std::string& b, const std::string& mail, const Batch& recipients,
              std::vector<std::optional<queue::Outcome>>& out)
      : job(j), body(b), mail_command(mail), batch(recipients), outcomes(out) {}

  const SmtpJob& job;
  const std::string& body;
  const std::string& mail_command;
  const Batch& batch;                               // recipient indexes into job.recipients
  std::vector<std::optional<queue::Outcome>>& outcomes;  // per job recipient
  Batch deferred;                                   // 452/552: to a further transaction
  bool delivered_any = false;

  // Set and filled while the transaction runs.
  OutcomeContext ctx;                               // bytes_sent 0: deliver() sets the total
  bool pipelining = false;
  Batch rcpts;                                      // the sendable recipients of `batch`
  std::vector<std::string> rcpt_lines;              // their RCPT TO lines, same order
  bool mail_ok = false;
  std::optional<Reply> mail_reply;
  std::optional<Reply> data_reply;
  std::vector<std::size_t> accepted;                      // positions in rcpts
  std::vector<std::pair<std::size_t, Reply>> too_many;    // positions in rcpts, with their reply
};

namespace {

constexpr std::size_t kBodyChunk = 64 * 1024;

Phase phase_of(CommandKind kind) {
  switch (kind) {
    case CommandKind::kRset: return Phase::kRset;
    case CommandKind::kMailFrom: return Phase::kMailFrom;
    case CommandKind::kRcptTo: return Phase::kRcptTo;
    case CommandKind::kData: return Phase::kData;
  }
  return Phase::kData;
}

std::chrono::milliseconds timeout_of(Phase phase, const SmtpTimeouts& t) {
  switch (phase) {
    case Phase::kRset: return t.rset;
    case Phase::kMailFrom: return t.mailfrom;
    case Phase::kRcptTo: return t.rcptto;
    case Phase::kData:
    case Phase::kBody:
    case Phase::kConfirmation: return t.body;
    default: return t.ehlo;
  }
}

// "Too many recipients" (RFC 5321 §4.5.3.1.10): send them again later.
bool too_many_recipients(const Reply& reply) { return reply.too_many_recipients(); }

}  // namespace

awaitable<queue::AttemptResult> SmtpConnection::deliver(const SmtpJob& job) {
  const std::size_t n = job.recipients.size();
  const std::uint64_t bytes_before = stream_.bytes_written();
  std::vector<std::optional<queue::Outcome>> outcomes(n);
  std::optional<SessionFailure> fatal;
  bool delivered_any = false;

  const std::string no_body;
  const std::string& body = job.body ? *job.body : no_body;

  if (!alive_) fatal = SessionFailure{Phase::kIdle, FailureKind::kClosed, {}, "connection is closed"};

  if (!fatal && n > 0 && settings_->xclient != XclientMode::kNo && !xclient_refused_) {
    fatal = co_await send_xclient(job);
  }

  std::optional<std::string> mail;
  if (!fatal && n > 0) {
    MailParameters parameters;
    if (extensions_ && caps_.size) parameters.size = normalized_size(body);
    parameters.body_8bitmime = settings_->send_8bitmime && extensions_ && caps_.eightbitmime && has_8bit(body);
    parameters.smtputf8 = job.smtputf8 && extensions_ && caps_.smtputf8;
    if (extensions_ && caps_.dsn) {
      parameters.dsn_ret = protocol::format_ret(job.dsn_ret);
      parameters.dsn_envid = job.dsn_envid;
    }
    mail = format_mail_from(job.sender, parameters);
    if (!mail) fatal = SessionFailure{Phase::kMailFrom, FailureKind::kArgumentsTooLong, {}, {}};
  }

  if (!fatal && n > 0 && job.smtputf8 && !(extensions_ && caps_.smtputf8)) {
    // SMTPUTF8 without the server's support: no downgrade (RFC 6531 §3.2).
    Reply refused{553, {"5.6.7 SMTPUTF8 not supported by the next hop"}, "553 5.6.7 SMTPUTF8 not supported by the next hop"};
    const OutcomeContext ctx = context(0);
    for (auto& o : outcomes) o = map_reply(Phase::kMailFrom, refused, queue::Scope::kRecipient, ctx);
  }

  if (!fatal && n > 0 && !outcomes.front()) {
    auto planned = plan_batches(n, std::max<std::uint32_t>(settings_->max_recipients_per_batch, 1));
    std::deque<Batch> batches(planned.begin(), planned.end());
    while (!batches.empty() && !fatal) {
      const Batch batch = std::move(batches.front());
      batches.pop_front();
      Transaction tx{job, body, *mail, batch, outcomes};
      fatal = co_await run_transaction(tx);
      delivered_any = delivered_any || tx.delivered_any;
      if (!fatal && !tx.deferred.empty()) batches.push_front(std::move(tx.deferred));
    }
  }

  if (delivered_any) ++deliveries_;
  const OutcomeContext ctx = context(stream_.bytes_written() - bytes_before);
  const queue::DsnHandoff handoff =
      dsn_handoff(settings_->protocol == SessionProtocol::kLmtp, extensions_ && caps_.dsn);
  queue::AttemptResult result;
  result.outcomes.reserve(n);
  for (auto& o : outcomes) {
    if (!o) {
      // Undecided when the session failed (or never got that far).
      o = map_failure(fatal ? *fatal : SessionFailure{Phase::kIdle, FailureKind::kClosed, {}, {}}, ctx);
    }
    o->bytes_sent = ctx.bytes_sent;
    if (o->delivered()) o->dsn_handoff = handoff;  // NOTIFY=SUCCESS reports (RFC 3461 §6.2.2)
    result.outcomes.push_back(std::move(*o));
  }
  co_return result;
}

awaitable<std::optional<SessionFailure>> SmtpConnection::send_xclient(const SmtpJob& job) {
  const bool required = settings_->xclient == XclientMode::kRequired;
  const auto timeout = settings_->timeouts.ehlo;
  std::optional<std::string> line;
  if (caps_.xclient) line = format_xclient(job.client, caps_.xclient_attributes);
  if (!line) {
    if (required) co_return SessionFailure{Phase::kXclient, FailureKind::kXclientNotAdvertised, {}, {}};
    co_return std::nullopt;
  }
  if (last_xclient_ && *last_xclient_ == *line) co_return std::nullopt;  // the server already knows

  if (need_rset_) {
    // XCLIENT is refused inside a transaction; a failed one may be open.
    if (auto f = co_await send(Phase::kRset, "RSET\r\n", settings_->timeouts.rset)) co_return f;
    auto r = co_await read_reply(Phase::kRset, settings_->timeouts.rset);
    if (!r) co_return r.error();
    if (!r->positive()) {
      co_await close();
      co_return SessionFailure{Phase::kRset, FailureKind::kRejected, r->text, {}};
    }
    need_rset_ = false;
  }

  if (auto f = co_await send(Phase::kXclient, *line, timeout)) co_return f;
  auto reply = co_await read_reply(Phase::kXclient, timeout);
  if (!reply) co_return reply.error();
  if (reply->code == 220 || reply->code == 250) {
    // A new greeting (pre-2.3 Postfix said 250): EHLO again.
    last_xclient_ = std::move(*line);
    if (auto f = co_await hello()) {
      co_await close();
      co_return f;
    }
    co_return std::nullopt;
  }
  if (reply->code == 421) {
    drop();
    co_return SessionFailure{Phase::kXclient, FailureKind::kRejected, reply->text, {}};
  }
  if (required) co_return SessionFailure{Phase::kXclient, FailureKind::kRejected, reply->text, {}};
  xclient_refused_ = true;  // ifavailable: deliver without it, and do not ask again here
  co_return std::nullopt;
}

// One transaction: MAIL, RCPT each, DATA, the body and the replies after
// the dot. A returned failure ends the connection's use for this job.
awaitable<std::optional<SessionFailure>> SmtpConnection::run_transaction(Transaction& tx) {
  tx.ctx = context(0);
  // LMTP servers must support PIPELINING (RFC 2033 §5).
  tx.pipelining = settings_->protocol == SessionProtocol::kLmtp || (extensions_ && caps_.pipelining);
  prepare_recipients(tx);
  if (tx.rcpts.empty()) co_return std::nullopt;

  for (const auto& group : plan_transaction(tx.rcpts.size(), PlanOptions{tx.pipelining, need_rset_, kMaxGroupCommands})) {
    if (!tx.pipelining) {
      // Lock-step: no RCPT after a refused MAIL, no DATA without a recipient.
      const CommandKind kind = group.front().kind;
      if (kind == CommandKind::kRcptTo && !tx.mail_ok) {
        tx.outcomes[tx.rcpts[group.front().recipient]] =
            map_reply(Phase::kMailFrom, *tx.mail_reply, queue::Scope::kMessage, tx.ctx);
        continue;
      }
      if (kind == CommandKind::kData && tx.accepted.empty()) break;
    }
    if (auto f = co_await send_group(tx, group)) co_return f;
  }

  defer_too_many_recipients(tx);

  if (!tx.mail_ok || tx.accepted.empty()) co_return co_await abandon_data(tx);
  if (use_bdat()) {  // CHUNKING: one BDAT LAST instead of DATA (smtp_bdat.cpp)
    if (auto f = co_await send_bdat(tx.body)) co_return f;
    co_return co_await read_confirmation(tx);
  }
  const std::optional<Reply>& data = tx.data_reply;
  if (data && (data->positive() || (data->intermediate() && data->code != 354))) {
    // A 2xx or another 3xx to DATA: the server is out of step with us.
    drop();
    co_return SessionFailure{Phase::kData, FailureKind::kBadReply, {}, "unexpected reply to DATA: " + data->text};
  }
  if (!data || data->code != 354) {
    for (std::size_t pos : tx.accepted) {
      tx.outcomes[tx.rcpts[pos]] = map_reply(Phase::kData, *data, queue::Scope::kMessage, tx.ctx);
    }
    need_rset_ = true;
    co_return std::nullopt;
  }

  if (auto f = co_await send_body(tx.body)) co_return f;
  if (settings_->protocol == SessionProtocol::kLmtp) co_return co_await read_lmtp_confirmations(tx);
  co_return co_await read_confirmation(tx);
}

// Recipients whose path cannot be sent are decided here and left out; the
// others get their RCPT line (tx.rcpts, tx.rcpt_lines).
void SmtpConnection::prepare_recipients(Transaction& tx) const {
  for (std::size_t idx : tx.batch) {
    RcptParameters parameters;
    if (extensions_ && caps_.dsn) {
      if (idx < tx.job.dsn_notify.size()) parameters.notify = protocol::format_notify(tx.job.dsn_notify[idx]);
      if (idx < tx.job.dsn_orcpt.size()) parameters.orcpt = tx.job.dsn_orcpt[idx];
    }
    auto line = format_rcpt_to(tx.job.recipients[idx], parameters);
    if (!line) {
      tx.outcomes[idx] = map_failure(SessionFailure{Phase::kRcptTo, FailureKind::kArgumentsTooLong, {}, {}}, tx.ctx);
      continue;
    }
    tx.rcpts.push_back(idx);
    tx.rcpt_lines.push_back(std::move(*line));
  }
}

// Writes one planned group in one write, then reads its replies in order.
awaitable<std::optional<SessionFailure>> SmtpConnection::send_group(Transaction& tx, const CommandGroup& group) {
  const SmtpTimeouts& t = settings_->timeouts;
  std::string out;
  for (const auto& c : group) {
    switch (c.kind) {
      case CommandKind::kRset: out += "RSET\r\n"; break;
      case CommandKind::kMailFrom: out += tx.mail_command; break;
      case CommandKind::kRcptTo: out += tx.rcpt_lines[c.recipient]; break;
      case CommandKind::kData:
        if (!use_bdat()) out += "DATA\r\n";
        break;
    }
  }
  if (out.empty()) co_return std::nullopt;  // only the DATA that BDAT replaces
  const Phase first = phase_of(group.front().kind);
  if (auto f = co_await send(first, out, timeout_of(first, t))) co_return f;

  for (const auto& c : group) {
    if (c.kind == CommandKind::kData && use_bdat()) continue;
    const Phase phase = phase_of(c.kind);
    auto reply = co_await read_reply(phase, timeout_of(phase, t));
    if (!reply) co_return reply.error();
    if (reply->code == 421) {  // the server is closing: everything pending fails transiently
      drop();
      co_return SessionFailure{phase, FailureKind::kRejected, reply->text, {}};
    }
    if (auto f = co_await take_reply(tx, c, std::move(*reply))) co_return f;
  }
  co_return std::nullopt;
}

// What the reply to one command of a group decides (421 handled before).
awaitable<std::optional<SessionFailure>> SmtpConnection::take_reply(Transaction& tx, const PlannedCommand& c,
                                                                    Reply reply) {
  switch (c.kind) {
    case CommandKind::kRset:
      if (!reply.positive()) {
        co_await close();
        co_return SessionFailure{Phase::kRset, FailureKind::kRejected, reply.text, {}};
      }
      need_rset_ = false;
      break;
    case CommandKind::kMailFrom:
      tx.mail_ok = reply.positive();
      tx.mail_reply = std::move(reply);
      break;
    case CommandKind::kRcptTo: {
      const std::size_t idx = tx.rcpts[c.recipient];
      if (!tx.mail_ok) {
        tx.outcomes[idx] = map_reply(Phase::kMailFrom, *tx.mail_reply, queue::Scope::kMessage, tx.ctx);
      } else if (reply.positive()) {
        tx.accepted.push_back(c.recipient);
      } else if (too_many_recipients(reply)) {
        tx.too_many.emplace_back(c.recipient, std::move(reply));
      } else {
        tx.outcomes[idx] = map_reply(Phase::kRcptTo, reply, queue::Scope::kRecipient, tx.ctx);
      }
      break;
    }
    case CommandKind::kData:
      tx.data_reply = std::move(reply);
      break;
  }
  co_return std::nullopt;
}

// "Too many recipients": again in a further transaction, as long as this
// one made progress; otherwise they fail transiently with that reply.
void SmtpConnection::defer_too_many_recipients(Transaction& tx) const {
  for (auto& [pos, reply] : tx.too_many) {
    if (!tx.accepted.empty()) {
      tx.deferred.push_back(tx.rcpts[pos]);
    } else {
      tx.outcomes[tx.rcpts[pos]] = map_reply(Phase::kRcptTo, reply, queue::Scope::kRecipient, tx.ctx);
    }
  }
}

// Nothing to send (MAIL refused or no recipient accepted). A server that
// still said 354 to a pipelined DATA gets an empty message, which it must
// refuse (RFC 2920 §3.1).
awaitable<std::optional<SessionFailure>> SmtpConnection::abandon_data(Transaction& tx) {
  const auto timeout = settings_->timeouts.body;
  if (tx.data_reply && tx.data_reply->code == 354) {
    if (auto f = co_await send(Phase::kBody, ".\r\n", timeout)) co_return f;
    auto r = co_await read_reply(Phase::kConfirmation, timeout);
    if (!r) co_return r.error();
  }
  need_rset_ = true;
  co_return std::nullopt;
}

// LMTP (RFC 2033 §4.2): one reply per accepted recipient, in RCPT order.
awaitable<std::optional<SessionFailure>> SmtpConnection::read_lmtp_confirmations(Transaction& tx) {
  for (std::size_t pos : tx.accepted) {
    auto reply = co_await read_reply(Phase::kConfirmation, settings_->timeouts.body);
    if (!reply) co_return reply.error();
    if (reply->code == 421) {
      drop();
      co_return SessionFailure{Phase::kConfirmation, FailureKind::kRejected, reply->text, {}};
    }
    tx.outcomes[tx.rcpts[pos]] = map_reply(Phase::kConfirmation, *reply, queue::Scope::kRecipient, tx.ctx);
    if (reply->positive()) tx.delivered_any = true;
  }
  need_rset_ = false;
  co_return std::nullopt;
}

// SMTP: one reply after the dot, for every accepted recipient.
awaitable<std::optional<SessionFailure>> SmtpConnection::read_confirmation(Transaction& tx) {
  auto reply = co_await read_reply(Phase::kConfirmation, settings_->timeouts.body);
  if (!reply) co_return reply.error();
  if (reply->code == 421) {
    drop();
    co_return SessionFailure{Phase::kConfirmation, FailureKind::kRejected, reply->text, {}};
  }
  for (std::size_t pos : tx.accepted) {
    tx.outcomes[tx.rcpts[pos]] = map_reply(Phase::kConfirmation, *reply, queue::Scope::kMessage, tx.ctx);
  }
  tx.delivered_any = reply->positive();
  need_rset_ = !reply->positive();
  co_return std::nullopt;
}

awaitable<std::optional<SessionFailure>> SmtpConnection::send_body(const std::string& body) {
  // The terminator goes out with the last chunk: a separate small write
  // would wait for the previous one's ACK (Nagle) and the peer's delayed ACK.
  const auto timeout = settings_->timeouts.body;
  BodyEncoder encoder;
  std::string out;
  const std::string_view content(body);
  std::size_t offset = 0;
  do {
    out.clear();
    encoder.encode(content.substr(offset, kBodyChunk), out);
    offset += kBodyChunk;
    if (offset >= content.size()) encoder.finish(out);
    if (auto f = co_await send(Phase::kBody, out, timeout)) co_return f;
  } while (offset < content.size());
  co_return std::nullopt;
}

}  // namespace impulse::delivery::smtp

// SmtpConnection, part 2: delivering one job on an open session (XCLIENT,
// transactions of MAIL/RCPT/DATA, the body, the replies after the dot).
// Every outcome comes from session_outcome.hpp (map_reply / map_failure).
#include <boost/asio.hpp>
#include <deque>

#include "delivery/smtp/body_encoder.hpp"
#include "delivery/smtp/command_format.hpp"
#include "delivery/smtp/smtp_connection.hpp"
#include "delivery/smtp/transaction_plan.hpp"

namespace impulse::delivery::smtp {

namespace asio = boost::asio;
using asio::awaitable;

struct SmtpConnection::Transaction {
  const SmtpJob& job;
  const std::string& body;
  const std::string& mail_command;
  const Batch& batch;                               // recipient indexes into job.recipients
  std::vector<std::optional<queue::Outcome>>& outcomes;  // per job recipient
  Batch deferred;                                   // 452/552: to a further transaction
  bool delivered_any = false;
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
    mail = format_mail_from(job.sender, parameters);
    if (!mail) fatal = SessionFailure{Phase::kMailFrom, FailureKind::kArgumentsTooLong, {}, {}};
  }

  if (!fatal && n > 0) {
    auto planned = plan_batches(n, std::max<std::uint32_t>(settings_->max_recipients_per_batch, 1));
    std::deque<Batch> batches(planned.begin(), planned.end());
    while (!batches.empty() && !fatal) {
      const Batch batch = std::move(batches.front());
      batches.pop_front();
      Transaction tx{job, body, *mail, batch, outcomes, {}, false};
      fatal = co_await run_transaction(tx);
      delivered_any = delivered_any || tx.delivered_any;
      if (!fatal && !tx.deferred.empty()) batches.push_front(std::move(tx.deferred));
    }
  }

  if (delivered_any) ++deliveries_;
  const OutcomeContext ctx = context(stream_.bytes_written() - bytes_before);
  queue::AttemptResult result;
  result.outcomes.reserve(n);
  for (auto& o : outcomes) {
    if (!o) {
      // Undecided when the session failed (or never got that far).
      o = map_failure(fatal ? *fatal : SessionFailure{Phase::kIdle, FailureKind::kClosed, {}, {}}, ctx);
    }
    o->bytes_sent = ctx.bytes_sent;
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

awaitable<std::optional<SessionFailure>> SmtpConnection::run_transaction(Transaction& tx) {
  const SmtpTimeouts& t = settings_->timeouts;
  const bool lmtp = settings_->protocol == SessionProtocol::kLmtp;
  const OutcomeContext ctx = context(0);

  // Recipients whose path cannot be sent are decided here and left out.
  Batch rcpts;
  std::vector<std::string> rcpt_lines;
  for (std::size_t idx : tx.batch) {
    auto line = format_rcpt_to(tx.job.recipients[idx]);
    if (!line) {
      tx.outcomes[idx] = map_failure(SessionFailure{Phase::kRcptTo, FailureKind::kArgumentsTooLong, {}, {}}, ctx);
      continue;
    }
    rcpts.push_back(idx);
    rcpt_lines.push_back(std::move(*line));
  }
  if (rcpts.empty()) co_return std::nullopt;

  // LMTP servers must support PIPELINING (RFC 2033 §5).
  const bool pipelining = lmtp || (extensions_ && caps_.pipelining);
  const auto groups = plan_transaction(rcpts.size(), PlanOptions{pipelining, need_rset_, kMaxGroupCommands});

  bool mail_ok = false;
  std::optional<Reply> mail_reply;
  std::optional<Reply> data_reply;
  std::vector<std::size_t> accepted;                      // positions in rcpts
  std::vector<std::pair<std::size_t, Reply>> too_many;    // positions in rcpts, with their reply

  for (const auto& group : groups) {
    if (!pipelining) {
      const CommandKind kind = group.front().kind;
      if (kind == CommandKind::kRcptTo && !mail_ok) {
        tx.outcomes[rcpts[group.front().recipient]] = map_reply(Phase::kMailFrom, *mail_reply, queue::Scope::kMessage, ctx);
        continue;
      }
      if (kind == CommandKind::kData && accepted.empty()) break;
    }
    std::string out;
    for (const auto& c : group) {
      switch (c.kind) {
        case CommandKind::kRset: out += "RSET\r\n"; break;
        case CommandKind::kMailFrom: out += tx.mail_command; break;
        case CommandKind::kRcptTo: out += rcpt_lines[c.recipient]; break;
        case CommandKind::kData: out += "DATA\r\n"; break;
      }
    }
    const Phase first = phase_of(group.front().kind);
    if (auto f = co_await send(first, out, timeout_of(first, t))) co_return f;

    for (const auto& c : group) {
      const Phase phase = phase_of(c.kind);
      auto reply = co_await read_reply(phase, timeout_of(phase, t));
      if (!reply) co_return reply.error();
      if (reply->code == 421) {  // the server is closing: everything pending fails transiently
        drop();
        co_return SessionFailure{phase, FailureKind::kRejected, reply->text, {}};
      }
      switch (c.kind) {
        case CommandKind::kRset:
          if (!reply->positive()) {
            co_await close();
            co_return SessionFailure{Phase::kRset, FailureKind::kRejected, reply->text, {}};
          }
          need_rset_ = false;
          break;
        case CommandKind::kMailFrom:
          mail_ok = reply->positive();
          mail_reply = std::move(*reply);
          break;
        case CommandKind::kRcptTo: {
          const std::size_t idx = rcpts[c.recipient];
          if (!mail_ok) {
            tx.outcomes[idx] = map_reply(Phase::kMailFrom, *mail_reply, queue::Scope::kMessage, ctx);
          } else if (reply->positive()) {
            accepted.push_back(c.recipient);
          } else if (too_many_recipients(*reply)) {
            too_many.emplace_back(c.recipient, std::move(*reply));
          } else {
            tx.outcomes[idx] = map_reply(Phase::kRcptTo, *reply, queue::Scope::kRecipient, ctx);
          }
          break;
        }
        case CommandKind::kData:
          data_reply = std::move(*reply);
          break;
      }
    }
  }

  // "Too many recipients": again in a further transaction, as long as this
  // one made progress; otherwise they fail transiently with that reply.
  for (auto& [pos, reply] : too_many) {
    if (!accepted.empty()) {
      tx.deferred.push_back(rcpts[pos]);
    } else {
      tx.outcomes[rcpts[pos]] = map_reply(Phase::kRcptTo, reply, queue::Scope::kRecipient, ctx);
    }
  }

  if (!mail_ok || accepted.empty()) {
    // Nothing to send. A server that still said 354 to a pipelined DATA
    // gets an empty message, which it must refuse (RFC 2920 §3.1).
    if (data_reply && data_reply->code == 354) {
      if (auto f = co_await send(Phase::kBody, ".\r\n", t.body)) co_return f;
      auto r = co_await read_reply(Phase::kConfirmation, t.body);
      if (!r) co_return r.error();
    }
    need_rset_ = true;
    co_return std::nullopt;
  }
  if (data_reply && (data_reply->positive() || (data_reply->intermediate() && data_reply->code != 354))) {
    // A 2xx or another 3xx to DATA: the server is out of step with us.
    drop();
    co_return SessionFailure{Phase::kData, FailureKind::kBadReply, {}, "unexpected reply to DATA: " + data_reply->text};
  }
  if (!data_reply || data_reply->code != 354) {
    for (std::size_t pos : accepted) {
      tx.outcomes[rcpts[pos]] = map_reply(Phase::kData, *data_reply, queue::Scope::kMessage, ctx);
    }
    need_rset_ = true;
    co_return std::nullopt;
  }

  if (auto f = co_await send_body(tx.body)) co_return f;

  if (lmtp) {
    // RFC 2033 §4.2: one reply per accepted recipient, in RCPT order.
    for (std::size_t pos : accepted) {
      auto reply = co_await read_reply(Phase::kConfirmation, t.body);
      if (!reply) co_return reply.error();
      if (reply->code == 421) {
        drop();
        co_return SessionFailure{Phase::kConfirmation, FailureKind::kRejected, reply->text, {}};
      }
      tx.outcomes[rcpts[pos]] = map_reply(Phase::kConfirmation, *reply, queue::Scope::kRecipient, ctx);
      if (reply->positive()) tx.delivered_any = true;
    }
    need_rset_ = false;
    co_return std::nullopt;
  }

  auto reply = co_await read_reply(Phase::kConfirmation, t.body);
  if (!reply) co_return reply.error();
  if (reply->code == 421) {
    drop();
    co_return SessionFailure{Phase::kConfirmation, FailureKind::kRejected, reply->text, {}};
  }
  for (std::size_t pos : accepted) {
    tx.outcomes[rcpts[pos]] = map_reply(Phase::kConfirmation, *reply, queue::Scope::kMessage, ctx);
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

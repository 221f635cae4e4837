// Implementation of queue/outcome_handler.hpp.
#include "queue/outcome_handler.hpp"

#include <cerrno>
#include <memory>
#include <optional>
#include <string>

#include "log/log_fields.hpp"
#include "protocol/bounce_classify.hpp"
#include "queue/dsn_reports.hpp"
#include "queue/event_log.hpp"
#include "queue/id_source.hpp"
#include "queue/retry_policy.hpp"

namespace impulse::queue {
namespace {

spool::DoneCallback report_store_errors(EventLog& log, std::string id, const char* what) {
  return [&log, id = std::move(id), what](Result<void> r) {
    if (!r && r.error().code != ENOENT) log.problem(id + ": spool " + what + " failed: " + r.error().message);
  };
}

}  // namespace

struct OutcomeHandler::Pass {
  struct Failed {
    std::size_t i;  // recipient position in the facts
    Outcome outcome;
  };

  Pass(const AttemptFacts& facts, const QueueOptions& opts, WallTime at)
      : f(facts),
        options(opts),
        now(at),
        received(std::chrono::time_point_cast<WallTime::duration>(facts.message->received)),
        id(facts.message->id.to_string()),
        sender_parts(log::split_address(facts.message->sender)) {
    v.retries = f.retries;
  }

  spool::RecipientStatus status(spool::RecipientState state, std::uint32_t retries, spool::SpoolTime next,
                                const std::string& reply) const {
    return spool::RecipientStatus{state, retries, next, f.first_attempt, reply};
  }
  log::FailureRecord failure_record(const Outcome& o) const {
    return log::FailureRecord{now,           id,           f.batch_id,      f.connection_id,
                              f.key->domain, o.bytes_sent, f.binding_group, f.key->binding,
                              stage_code(o.stage), f.retries, received,     o.remote_ip,
                              o.reply,       options.delivery_method, o.remote_id, f.message->size};
  }
  log::BounceRecord bounce_record(const Outcome& o, log::BounceKind kind, std::string_view address) const {
    const auto [rcpt_local, rcpt_domain] = log::split_address(address);
    return log::BounceRecord{now,
                             id,
                             f.batch_id,
                             f.connection_id,
                             kind,
                             rcpt_local,
                             rcpt_domain,
                             sender_parts.first,
                             sender_parts.second,
                             f.binding_group,
                             f.key->binding,
                             stage_code(o.stage),
                             protocol::bounce_class_code(o.bounce_class.value_or(protocol::classify_reply(o.reply))),
                             f.message->size,
                             o.remote_ip,
                             o.reply};
  }

  const AttemptFacts& f;
  const QueueOptions& options;
  const WallTime now;
  const WallTime received;
  const std::string id;
  const std::pair<std::string_view, std::string_view> sender_parts;

  AttemptVerdict v;
  std::vector<spool::RecipientUpdate> updates;
  std::vector<std::size_t> transients;  // positions, decided together (one retry decision)
  std::vector<Failed> failures;         // permanent outcomes, and transients out of retries
  std::vector<FailedRecipient> successes;  // delivered, asked NOTIFY=SUCCESS, next hop will not report
};

AttemptVerdict OutcomeHandler::apply(const AttemptFacts& f) const {
  std::optional<QueueOptions> read;
  if (!f.options) read = read_queue_options(ctx_.snapshot().get(), *f.key);
  Pass p(f, f.options ? *f.options : *read, ctx_.clock.wall_now());
  for (std::size_t i = 0; i < f.recipients.size(); ++i) {
    const Outcome& o = f.outcomes[i];
    switch (o.disposition) {
      case Disposition::kDelivered: record_delivered(p, i); break;
      case Disposition::kTransient: p.transients.push_back(i); break;
      case Disposition::kPermanent: p.failures.push_back({i, o}); break;
    }
  }
  if (!p.transients.empty()) defer_transients(p);
  if (!p.failures.empty()) fail_permanently(p);
  if (!p.successes.empty()) report(f, p.options, p.successes, p.now);
  return summarise(p);
}

// Delivered: mainlog D, recipient state delivered.
void OutcomeHandler::record_delivered(Pass& p, std::size_t i) const {
  const AttemptFacts& f = p.f;
  const Outcome& o = f.outcomes[i];
  ctx_.log.delivery(log::DeliveryRecord{p.now, p.id, f.batch_id, f.connection_id, f.key->domain, f.message->size,
                                        f.binding_group, f.key->binding, f.retries, p.received, o.remote_ip, false,
                                        f.recipients[i].address, f.message->sender, p.options.delivery_method,
                                        o.remote_id, o.reply});
  p.updates.push_back({f.recipients[i].index, p.status(spool::RecipientState::kDelivered, f.retries, {}, o.reply)});
  ++p.v.delivered;
  const std::uint32_t index = f.recipients[i].index;
  if (auto action = success_action(f.message->notify_of(index), o.dsn_handoff))
    p.successes.push_back(FailedRecipient{f.recipients[i].address, &o, index, *action});
}

// Transient: one retry decision for all of them; either mainlog T and the
// delayed queue, or permanent with the policy's [internal] text.
void OutcomeHandler::defer_transients(Pass& p) const {
  const AttemptFacts& f = p.f;
  const RetryDecision d = decide_after_transient(p.options.retry, f.retries, p.received, p.now);
  if (!d.retry) {
    for (std::size_t i : p.transients) {
      Outcome o = f.outcomes[i];
      o.disposition = Disposition::kPermanent;
      o.reply = std::string(d.failure);
      p.failures.push_back({i, std::move(o)});
    }
    return;
  }
  p.v.retries = static_cast<std::uint32_t>(d.retry_number);
  p.v.next_attempt = spool::to_spool_time(d.next_attempt);
  for (std::size_t i : p.transients) {
    const Outcome& o = f.outcomes[i];
    ctx_.log.transient(p.failure_record(o), p.bounce_record(o, log::BounceKind::kTransient, f.recipients[i].address));
    p.updates.push_back(
        {f.recipients[i].index, p.status(spool::RecipientState::kPending, p.v.retries, p.v.next_attempt, o.reply)});
    p.v.retry.push_back(f.recipients[i]);
    ++p.v.deferred;
  }
  warn_of_delay(p);
}

// One DSN delay warning per message (queue/dsn_reports.hpp) for the
// deferred recipients that want it.
void OutcomeHandler::warn_of_delay(Pass& p) const {
  const AttemptFacts& f = p.f;
  if (f.quiet || f.message->sender.empty() || f.message->delay_warned.load(std::memory_order_relaxed)) return;
  if (!delay_warning_due(p.options.delay_dsn_after, p.received, p.now)) return;
  std::vector<FailedRecipient> delayed;
  for (std::size_t i : p.transients) {
    const std::uint32_t index = f.recipients[i].index;
    if (!wants_delay_warning(f.message->notify_of(index), p.options.generate_delay_dsn)) continue;
    delayed.push_back(FailedRecipient{f.recipients[i].address, &f.outcomes[i], index, protocol::DsnAction::kDelayed,
                                      retry_until(p.options.retry, p.received)});
  }
  if (delayed.empty() || f.message->delay_warned.exchange(true, std::memory_order_acq_rel)) return;
  report(f, p.options, delayed, p.now);
}

// Permanent: mainlog P + bouncelog B each, one bounce for them all.
void OutcomeHandler::fail_permanently(Pass& p) const {
  const AttemptFacts& f = p.f;
  std::vector<FailedRecipient> bounced;
  for (const auto& fail : p.failures) {
    const Outcome& o = fail.outcome;
    const std::string& address = f.recipients[fail.i].address;
    ctx_.log.permanent(p.failure_record(o), p.bounce_record(o, log::BounceKind::kBounce, address));
    p.updates.push_back({f.recipients[fail.i].index, p.status(spool::RecipientState::kFailed, f.retries, {}, o.reply)});
    bounced.push_back(FailedRecipient{address, &o, f.recipients[fail.i].index});
    ++p.v.failed;
  }
  bounce(f, p.options, bounced, p.now);
}

// The verdict: counters, then the spool (removal when the message's last
// pending recipient became final, else the recipients' new states).
AttemptVerdict OutcomeHandler::summarise(Pass& p) const {
  const AttemptFacts& f = p.f;
  AttemptVerdict& v = p.v;
  ctx_.counters.delivered.fetch_add(v.delivered, std::memory_order_relaxed);
  ctx_.counters.failed.fetch_add(v.failed, std::memory_order_relaxed);
  ctx_.counters.transient_failures.fetch_add(v.deferred, std::memory_order_relaxed);

  const auto finals = static_cast<std::uint32_t>(v.delivered + v.failed);
  if (finals > 0 && f.message->pending.fetch_sub(finals, std::memory_order_acq_rel) == finals) {
    v.message_removed = true;
    ctx_.store.remove(f.message->id, report_store_errors(ctx_.log, p.id, "remove"));
  } else if (!p.updates.empty()) {
    ctx_.store.update_recipients(f.message->id, std::move(p.updates), report_store_errors(ctx_.log, p.id, "update"));
  }
  return std::move(v);
}

void OutcomeHandler::bounce(const AttemptFacts& f, const QueueOptions& options, std::span<const FailedRecipient> failed,
                            WallTime now) const {
  if (f.quiet || f.message->sender.empty() || !options.generate_bounces) return;
  const std::vector<FailedRecipient> notified = recipients_to_notify(*f.message, failed);  // DSN NOTIFY
  if (notified.empty()) return;
  report(f, options, notified, now);
}

// Builds one report (bounce, delay warning or success report) for these
// recipients, and submits it; never for a null sender.
void OutcomeHandler::report(const AttemptFacts& f, const QueueOptions& options,
                            std::span<const FailedRecipient> recipients, WallTime now) const {
  if (f.quiet || f.message->sender.empty() || recipients.empty()) return;
  const bool failure = recipients.front().action == protocol::DsnAction::kFailed;
  const std::string id = f.message->id.to_string();
  BounceRequest request;
  request.original = f.message;
  request.recipients = recipients;
  if (options.inline_original != protocol::InlineOriginal::kNone) {
    if (auto body = ctx_.store.load_body(f.message->id))
      request.original_body = std::move(*body);
    else
      ctx_.log.problem(id + ": bounce without the original: " + body.error().message);
  }
  request.inline_original = options.inline_original;
  request.from = bounce_from(options, ctx_.hostname);
  request.hostname = ctx_.hostname;
  request.bounce_id = ctx_.ids.next();
  request.now = now;
  auto made = make_bounce(request, ctx_.router);
  if (!made) {
    ctx_.log.problem(id + (failure ? ": bounce not generated: " : ": DSN report not generated: ") +
                     made.error().message);
    return;
  }
  if (failure)
    ctx_.log.bounce_generated(
        BounceEvent{now, made->message.id.to_string(), id, f.message->sender, f.connection_id});
  ctx_.generated.submit_generated(std::move(made->message), std::move(made->body));
}

}  // namespace impulse::queue

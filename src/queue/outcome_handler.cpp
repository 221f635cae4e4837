// Implementation of queue/outcome_handler.hpp.
#include "queue/outcome_handler.hpp"

#include <cerrno>
#include <memory>
#include <string>

#include "log/log_fields.hpp"
#include "protocol/bounce_classify.hpp"
#include "queue/event_log.hpp"
#include "queue/id_source.hpp"
#include "queue/retry_policy.hpp"

namespace impulse::queue {
namespace {

struct Failed {
  std::size_t i;  // recipient position in the facts
  Outcome outcome;
};

spool::DoneCallback report_store_errors(EventLog& log, std::string id, const char* what) {
  return [&log, id = std::move(id), what](Result<void> r) {
    if (!r && r.error().code != ENOENT) log.problem(id + ": spool " + what + " failed: " + r.error().message);
  };
}

}  // namespace

AttemptVerdict OutcomeHandler::apply(const AttemptFacts& f) const {
  const auto config = ctx_.snapshot();
  const QueueOptions options = read_queue_options(config.get(), *f.key);
  const WallTime now = ctx_.clock.wall_now();
  const WallTime received = std::chrono::time_point_cast<WallTime::duration>(f.message->received);
  const std::string id = f.message->id.to_string();
  const std::pair<std::string_view, std::string_view> sender_parts = log::split_address(f.message->sender);

  AttemptVerdict v;
  v.retries = f.retries;
  std::vector<spool::RecipientUpdate> updates;
  std::vector<std::size_t> transients;
  std::vector<Failed> failures;

  auto status = [&](spool::RecipientState state, std::uint32_t retries, spool::SpoolTime next,
                    const std::string& reply) {
    return spool::RecipientStatus{state, retries, next, f.first_attempt, reply};
  };
  auto failure_record = [&](const Outcome& o) {
    return log::FailureRecord{now,           id,         f.batch_id,  f.connection_id,
                              f.key->domain, o.bytes_sent, f.binding_group, f.key->binding,
                              stage_code(o.stage), f.retries, received,    o.remote_ip,
                              o.reply};
  };
  auto bounce_record = [&](const Outcome& o, log::BounceKind kind, std::string_view address) {
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
                             protocol::bounce_class_code(protocol::classify_reply(o.reply)),
                             f.message->size,
                             o.remote_ip,
                             o.reply};
  };

  const std::size_t n = f.recipients.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Outcome& o = f.outcomes[i];
    switch (o.disposition) {
      case Disposition::kDelivered: {
        ctx_.log.delivery(log::DeliveryRecord{now, id, f.batch_id, f.connection_id, f.key->domain, f.message->size,
                                              f.binding_group, f.key->binding, f.retries, received, o.remote_ip,
                                              false});
        updates.push_back({f.recipients[i].index, status(spool::RecipientState::kDelivered, f.retries, {}, o.reply)});
        ++v.delivered;
        break;
      }
      case Disposition::kTransient: transients.push_back(i); break;
      case Disposition::kPermanent: failures.push_back({i, o}); break;
    }
  }

  if (!transients.empty()) {
    const RetryDecision d = decide_after_transient(options.retry, f.retries, received, now);
    if (d.retry) {
      v.retries = static_cast<std::uint32_t>(d.retry_number);
      v.next_attempt = spool::to_spool_time(d.next_attempt);
      for (std::size_t i : transients) {
        const Outcome& o = f.outcomes[i];
        ctx_.log.transient(failure_record(o), bounce_record(o, log::BounceKind::kTransient, f.recipients[i].address));
        updates.push_back(
            {f.recipients[i].index, status(spool::RecipientState::kPending, v.retries, v.next_attempt, o.reply)});
        v.retry.push_back(f.recipients[i]);
        ++v.deferred;
      }
    } else {
      for (std::size_t i : transients) {
        Outcome o = f.outcomes[i];
        o.disposition = Disposition::kPermanent;
        o.reply = std::string(d.failure);
        failures.push_back({i, std::move(o)});
      }
    }
  }

  std::vector<FailedRecipient> bounced;
  for (const auto& fail : failures) {
    const Outcome& o = fail.outcome;
    const std::string& address = f.recipients[fail.i].address;
    ctx_.log.permanent(failure_record(o), bounce_record(o, log::BounceKind::kBounce, address));
    updates.push_back({f.recipients[fail.i].index, status(spool::RecipientState::kFailed, f.retries, {}, o.reply)});
    bounced.push_back(FailedRecipient{address, &o});
    ++v.failed;
  }
  if (!bounced.empty()) bounce(f, options, bounced, now);

  ctx_.counters.delivered.fetch_add(v.delivered, std::memory_order_relaxed);
  ctx_.counters.failed.fetch_add(v.failed, std::memory_order_relaxed);
  ctx_.counters.transient_failures.fetch_add(v.deferred, std::memory_order_relaxed);

  const auto finals = static_cast<std::uint32_t>(v.delivered + v.failed);
  if (finals > 0 && f.message->pending.fetch_sub(finals, std::memory_order_acq_rel) == finals) {
    v.message_removed = true;
    ctx_.store.remove(f.message->id, report_store_errors(ctx_.log, id, "remove"));
  } else if (!updates.empty()) {
    ctx_.store.update_recipients(f.message->id, std::move(updates), report_store_errors(ctx_.log, id, "update"));
  }
  return v;
}

void OutcomeHandler::bounce(const AttemptFacts& f, const QueueOptions& options, std::span<const FailedRecipient> failed,
                            WallTime now) const {
  if (f.quiet || f.message->sender.empty() || !options.generate_bounces) return;
  const std::string id = f.message->id.to_string();
  BounceRequest request;
  request.original = f.message;
  request.recipients = failed;
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
    ctx_.log.problem(id + ": bounce not generated: " + made.error().message);
    return;
  }
  ctx_.generated.submit_generated(std::move(made->message), std::move(made->body));
}

}  // namespace impulse::queue

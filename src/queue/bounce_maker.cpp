// Implementation of queue/bounce_maker.hpp.
#include "queue/bounce_maker.hpp"

#include <memory>

#include "protocol/dsn_params.hpp"

namespace impulse::queue {

std::vector<FailedRecipient> recipients_to_notify(const MessageHead& original,
                                                  std::span<const FailedRecipient> failed) {
  std::vector<FailedRecipient> out;
  for (const auto& r : failed) {
    const std::uint8_t notify = original.notify_of(r.index);
    if (notify == 0 || (notify & protocol::kNotifyFailure) != 0) out.push_back(r);
  }
  return out;
}

Result<Bounce> make_bounce(const BounceRequest& request, const routing::Router& router) {
  const MessageHead& original = *request.original;
  const std::string bounce_id = request.bounce_id.to_string();

  protocol::DsnRequest dsn;
  dsn.reporting_mta = request.hostname;
  dsn.from = request.from;
  dsn.to = original.sender;
  dsn.message_id = bounce_id + "@" + request.hostname;
  dsn.boundary_seed = bounce_id;
  dsn.date = request.now;
  dsn.arrival_date = std::chrono::time_point_cast<WallTime::duration>(original.received);
  dsn.original_id = original.id.to_string();
  dsn.envelope_id = original.dsn_envid();
  dsn.global = original.smtputf8();
  for (const auto& r : request.recipients) {
    protocol::DsnRecipient d;
    d.final_recipient = std::string(r.address);
    d.original_recipient = std::string(original.orcpt_of(r.index));
    d.action = r.action;
    d.will_retry_until = r.will_retry_until;
    d.diagnostic = r.outcome->reply;
    d.status = r.outcome->dsn_status;  // channel transports; nullopt = from the reply
    if (!r.outcome->remote_host.empty())
      d.remote_mta = r.outcome->remote_host;
    else if (!r.outcome->remote_ip.empty())
      d.remote_mta = "[" + r.outcome->remote_ip + "]";
    if (r.outcome->bytes_sent > 0 || !r.outcome->remote_ip.empty()) d.last_attempt = request.now;
    dsn.recipients.push_back(std::move(d));
  }
  dsn.inline_original = request.original_body ? request.inline_original : protocol::InlineOriginal::kNone;
  bool failure = false;
  for (const auto& r : request.recipients) failure |= r.action == protocol::DsnAction::kFailed;
  if ((original.dsn_ret() == protocol::kRetHdrs || !failure) && dsn.inline_original == protocol::InlineOriginal::kAll)
    dsn.inline_original = protocol::InlineOriginal::kHeaders;  // RET=HDRS wins (SPEC §19); content only on failure
  if (request.original_body) dsn.original = *request.original_body;

  auto built = protocol::build_dsn(dsn);
  if (!built) return unexpected(built.error());

  auto body = std::make_shared<const std::string>(std::move(built->bytes));
  routing::Envelope envelope;
  envelope.id = request.bounce_id;
  envelope.received = spool::to_spool_time(request.now);
  envelope.sender = "";  // null reverse path (RFC 3464 §2, RFC 5321 §4.5.5)
  envelope.recipients.push_back(original.sender);
  envelope.peer_ip = "127.0.0.1";
  envelope.protocol = spool::Protocol::kInternal;
  envelope.size = body->size();
  return Bounce{router.make_message(std::move(envelope)), std::move(body)};
}

}  // namespace impulse::queue

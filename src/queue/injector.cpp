// Implementation of queue/injector.hpp.
#include "queue/injector.hpp"

#include <memory>

#include "queue/event_log.hpp"
#include "queue/id_source.hpp"
#include "queue/received_header.hpp"
#include "queue/scheduler.hpp"
#include "routing/router.hpp"

namespace impulse::queue {
namespace {

constexpr std::string_view kUnknownPeer = "unknown";  // mainlog R peer of an HTTP injection (SPEC §16)

std::string trace_line(const Injection& in, const std::string& hostname, const std::string& id_text, WallTime now) {
  if (in.origin.trace) return *in.origin.trace;
  TraceFields trace;
  trace.helo = in.origin.helo;
  trace.peer_ip = in.origin.peer_ip;
  trace.hostname = hostname;
  trace.protocol = in.origin.protocol;
  trace.esmtp = in.origin.esmtp;
  trace.tls = in.origin.tls;
  trace.message_id = id_text;
  if (in.envelope.recipients.size() == 1) trace.recipient = in.envelope.recipients.front();
  trace.date = now;
  return received_header(trace);
}

}  // namespace

void MessageInjector::rejected(std::string_view sender, std::string_view recipient, const Origin& origin,
                               std::string_view response) {
  deps_.log.rejection(RejectionEvent{deps_.clock.wall_now(), sender, recipient,
                                     origin.peer_ip.empty() ? std::string_view("unknown") : origin.peer_ip, response,
                                     origin.connection_id});
}

void MessageInjector::inject(Injection in, Completion done) {
  const spool::MessageId id = deps_.ids.next();
  const WallTime now = deps_.clock.wall_now();
  const std::string id_text = id.to_string();

  // Binding headers (X-Impulse-Binding...): read and stripped before the
  // message is stored. Every injected message comes from a client allowed
  // to relay (the listeners refuse anyone else).
  std::optional<routing::BindingChoice> chosen = deps_.router.policy().choose_from_data(in.data, id_text);
  std::string data = trace_line(in, deps_.hostname, id_text, now);
  data.reserve(data.size() + in.data.size());
  data += in.data;
  auto body = std::make_shared<const std::string>(std::move(data));

  routing::Envelope envelope;
  envelope.id = id;
  envelope.received = spool::to_spool_time(now);
  envelope.sender = std::move(in.envelope.sender);
  envelope.recipients = std::move(in.envelope.recipients);
  envelope.peer_ip = in.origin.peer_ip.empty() ? std::string(kUnknownPeer) : std::move(in.origin.peer_ip);
  envelope.helo = std::move(in.origin.helo);
  envelope.origin_id = std::move(in.origin.origin_id);
  envelope.protocol = in.origin.protocol;
  envelope.size = body->size();
  envelope.binding = std::move(chosen);
  spool::Message message = deps_.router.make_message(std::move(envelope));
  // SMTPUTF8 and DSN (SPEC §19) travel with the message and each recipient.
  message.smtputf8 = in.envelope.smtputf8;
  message.dsn_ret = in.envelope.dsn_ret;
  message.dsn_envid = std::move(in.envelope.dsn_envid);
  for (std::size_t i = 0; i < message.recipients.size(); ++i) {
    if (i < in.envelope.dsn_notify.size()) message.recipients[i].dsn_notify = in.envelope.dsn_notify[i];
    if (i < in.envelope.dsn_orcpt.size()) message.recipients[i].dsn_orcpt = std::move(in.envelope.dsn_orcpt[i]);
  }
  if (deps_.signer && message.protocol != spool::Protocol::kEcstream && message.protocol != spool::Protocol::kXfer) {
    MessageSignature signature = deps_.signer->sign(id_text, message.binding, *body);
    if (!signature.problem.empty()) deps_.log.problem(signature.problem);
    if (!signature.field.empty()) {
      auto signed_body = std::make_shared<std::string>();
      signed_body->reserve(signature.field.size() + body->size());
      *signed_body += signature.field;
      *signed_body += *body;
      message.size = signed_body->size();
      body = std::move(signed_body);
    }
  }

  spool::Message stored = message;
  spool::Body kept = body;
  deps_.store.commit_new(
      std::move(stored), std::move(body),
      [deps = &deps_, message = std::move(message), kept = std::move(kept), id_text,
       connid = std::move(in.origin.connection_id), done = std::move(done)](Result<void> r) mutable {
        if (!r) {
          done(unexpected(r.error()));
          return;
        }
        log_receptions(deps->log, message, deps->clock.wall_now(), connid);
        deps->scheduler.count_received();
        deps->scheduler.enqueue(message, std::move(kept));
        done(id_text);
      });
}

}  // namespace impulse::queue

// Implementation of queue/injector.hpp.
#include "queue/injector.hpp"

#include <memory>

#include "queue/event_log.hpp"
#include "queue/id_source.hpp"
#include "queue/received_header.hpp"
#include "queue/router.hpp"
#include "queue/scheduler.hpp"

namespace impulse::queue {

void MessageInjector::inject(inbound::ReceivedMessage received, Completion done) {
  const spool::MessageId id = deps_.ids.next();
  const WallTime now = deps_.clock.wall_now();
  const std::string id_text = id.to_string();

  TraceFields trace;
  trace.helo = received.helo;
  trace.peer_ip = received.peer_ip;
  trace.hostname = deps_.hostname;
  trace.esmtp = received.esmtp;
  trace.tls = received.tls;
  trace.message_id = id_text;
  if (received.recipients.size() == 1) trace.recipient = received.recipients.front();
  trace.date = now;
  // Binding headers (X-Impulse-Binding...): read and stripped before the
  // message is stored. Every injected message comes from a Relay_Hosts
  // client (the listener refuses RCPT to anyone else).
  std::optional<BindingChoice> chosen = deps_.router.policy().choose_from_data(received.data, id_text);
  std::string data = received_header(trace);
  data.reserve(data.size() + received.data.size());
  data += received.data;
  auto body = std::make_shared<const std::string>(std::move(data));

  Envelope envelope;
  envelope.id = id;
  envelope.received = spool::to_spool_time(now);
  envelope.sender = std::move(received.mail_from);
  envelope.recipients = std::move(received.recipients);
  envelope.peer_ip = std::move(received.peer_ip);
  envelope.protocol = spool::Protocol::kEsmtp;
  envelope.size = body->size();
  envelope.binding = std::move(chosen);
  spool::Message message = deps_.router.make_message(std::move(envelope));

  spool::Message stored = message;
  deps_.store.commit_new(
      std::move(stored), std::move(body),
      [deps = &deps_, message = std::move(message), id_text, connid = std::move(received.connection_id),
       done = std::move(done)](Result<void> r) {
        if (!r) {
          done(unexpected(r.error()));
          return;
        }
        log_receptions(deps->log, message, deps->clock.wall_now(), connid);
        deps->scheduler.count_received();
        deps->scheduler.enqueue(message);
        done(id_text);
      });
}

}  // namespace impulse::queue

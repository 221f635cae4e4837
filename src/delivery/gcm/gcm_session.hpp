// GcmSession: one connection to an FCM (or legacy GCM) host behind the
// Session interface (delivery/transport.hpp; SPEC §11, §13): HTTP/2 when the
// server offers it, else HTTP/1.1 keep-alive (gcm_link.hpp). Its capacity is
// the server's SETTINGS_MAX_CONCURRENT_STREAMS (HTTP/1.1: one).
//
// deliver(job, body): the channel part (protocol/channel_part.hpp, GCM),
// then per recipient: the registration token, the body
// (protocol/gcm_request.hpp; nothing is sent for an unusable message), the
// authorization (FCM v1: `Bearer <access token>` from the account's
// AccessToken, shared by the daemon's sessions; legacy: `key=<id>`), one POST
// (v1: /v1/projects/<id>/messages:send; legacy: HTTP_URI), the verdict
// (protocol/gcm_response.hpp) and its outcome (gcm_outcome.hpp). Inside the
// one attempt, without a T record: a v1 401 without an FCM error code (our
// access token refused) forgets the access token, gets
// a new one and sends again once; a request the server did not process
// (GOAWAY, REFUSED_STREAM) is sent again once on a new connection to the
// same address (push/push_link.hpp, shared with APN). A canonical
// registration_id in a legacy result is emitted as a token_replaced event
// (log/event_sink.hpp) when an event sink is given, and is kept in the D
// record's response text either way.
// With no credentials configured, the session opens no connection: every
// recipient fails transiently (451 4.7.0) and the queue is held.
//
// Leaves to others: choosing the address, limits, idling policy (the
// connection manager); what outcomes mean (the queue).
// Executor: the queue's loop; concurrent deliver() calls interleave there.
// Never throws except std::bad_alloc.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "delivery/gcm/access_token.hpp"
#include "delivery/gcm/gcm_outcome.hpp"
#include "delivery/gcm/gcm_settings.hpp"
#include "delivery/gcm/gcm_link.hpp"
#include "delivery/push/push_link.hpp"
#include "delivery/transport.hpp"
#include "protocol/channel_part.hpp"

namespace impulse::log {
class EventSink;
}

namespace impulse::delivery::gcm {

// What a session shares with its transport (owned by the loop's transport).
struct GcmSessionContext {
  boost::asio::any_io_executor executor;
  std::shared_ptr<const GcmSettings> settings;
  std::shared_ptr<AccessToken> token;       // FCM v1; null otherwise
  LinkOptions connect;                      // to reconnect to the same address
  std::function<std::int64_t()> now_unix;   // wall clock, seconds
  std::string domain;                       // the queue's domain (logs)
  log::EventSink* events = nullptr;         // token_replaced; may be null
};

class GcmSession final : public Session {
 public:
  // `connection` null = no credentials configured (see above).
  GcmSession(GcmSessionContext context, GcmLink::Ptr connection);

  std::size_t capacity() const override;
  bool reusable() const override;
  std::size_t deliveries_left() const override;
  boost::asio::awaitable<queue::AttemptResult> deliver(const queue::DeliveryJob& job, spool::Body body) override;
  boost::asio::awaitable<SessionIdleEnd> idle() override;
  void wake() override;
  boost::asio::awaitable<void> close() override;

 private:
  boost::asio::awaitable<PushRecipientResult> deliver_one(const protocol::ChannelPart& part,
                                                          const queue::DeliveryJob& job,
                                                          const std::string& recipient);
  void report_canonical(const queue::DeliveryJob& job, const std::string& recipient, const std::string& token);
  PushPeer peer() const;

  GcmSessionContext context_;
  push::PushLink<GcmLink, LinkOptions> link_;  // the connection and its replacement (GOAWAY moves)
  std::uint64_t started_ = 0;
  bool credentials_told_ = false;
};

}  // namespace impulse::delivery::gcm

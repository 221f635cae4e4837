// ApnSession: one HTTP/2 connection to an APNs host behind the Session
// interface (delivery/transport.hpp; SPEC §11, §12). Its capacity is the
// server's SETTINGS_MAX_CONCURRENT_STREAMS, so the connection manager runs
// that many deliver() at once on it.
//
// deliver(job, body): the channel part (protocol/channel_part.hpp), then
// per recipient: the device token, the request (protocol/apn_request.hpp;
// payload checks: nothing is sent for an unusable message), the bearer
// token under token authentication (provider_token.hpp, shared by the
// loop's sessions), one POST /3/device/<token>, the verdict
// (protocol/apn_response.hpp) and its outcome (apn_outcome.hpp). Inside the
// one attempt, without a T record: 403 ExpiredProviderToken renews the token
// (unless another stream already did) and sends again once; a request the
// server did not process (GOAWAY, REFUSED_STREAM) or 503 Shutdown is sent
// again once on a new connection to the same address, which then replaces
// the old one for every later delivery of the session (push/push_link.hpp,
// shared with GCM).
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
#include <random>

#include "delivery/apn/apn_outcome.hpp"
#include "delivery/apn/apn_settings.hpp"
#include "delivery/http2/http2_connection.hpp"
#include "delivery/push/push_link.hpp"
#include "delivery/transport.hpp"
#include "protocol/channel_part.hpp"

namespace impulse::delivery::apn {

class SharedToken;

// What a session shares with its transport (all owned by the loop's transport).
struct ApnSessionContext {
  boost::asio::any_io_executor executor;
  std::shared_ptr<const ApnSettings> settings;
  std::shared_ptr<SharedToken> token;           // token authentication (shared by every loop); null otherwise
  http2::Http2ConnectOptions connect;           // to reconnect to the same address
  std::function<std::uint64_t()> random64;      // apns-id source (the loop's generator)
  std::function<std::int64_t()> now_unix;       // wall clock, seconds
  std::string domain;                           // the queue's domain (logs)
};

class ApnSession final : public Session {
 public:
  // `connection` null = no credentials configured (see above).
  ApnSession(ApnSessionContext context, http2::Http2Connection::Ptr connection);

  std::size_t capacity() const override;
  bool reusable() const override;
  std::size_t deliveries_left() const override;
  boost::asio::awaitable<queue::AttemptResult> deliver(const queue::DeliveryJob& job, spool::Body body) override;
  boost::asio::awaitable<SessionIdleEnd> idle() override;
  void wake() override;
  boost::asio::awaitable<void> close() override;

 private:
  boost::asio::awaitable<ApnResult> deliver_one(const protocol::ChannelPart& part, std::string_view recipient);
  ApnPeer peer() const;

  ApnSessionContext context_;
  // The connection and its replacement (GOAWAY, 503 Shutdown moves).
  push::PushLink<http2::Http2Connection, http2::Http2ConnectOptions> link_;
  std::uint64_t started_ = 0;
  bool credentials_told_ = false;
};

}  // namespace impulse::delivery::apn

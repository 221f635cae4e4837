// Implementation of delivery/apn/apn_session.hpp.
#include "delivery/apn/apn_session.hpp"

#include <limits>

#include "delivery/apn/shared_token.hpp"
#include "protocol/apn_request.hpp"
#include "spool/message.hpp"

namespace impulse::delivery::apn {

namespace asio = boost::asio;
using asio::awaitable;
using http2::Http2Connection;

namespace {

constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

protocol::ApnOptions request_options(const ApnSettings& s) {
  protocol::ApnOptions o;
  o.topic = s.topic;
  o.push_type = s.push_type.empty() ? "alert" : s.push_type;
  o.priority = s.priority;
  o.expiry_seconds = s.expiry_seconds;
  o.token_auth = s.auth == ApnAuth::kToken;
  return o;
}

}  // namespace

ApnSession::ApnSession(ApnSessionContext context, Http2Connection::Ptr connection)
    : context_(std::move(context)),
      link_(context_.executor, context_.connect, context_.settings->connect_timeout, std::move(connection)) {}

std::size_t ApnSession::capacity() const {
  const Http2Connection::Ptr& connection = link_.current();
  return connection ? std::max<std::size_t>(connection->max_concurrent_streams(), 1) : 1;
}

bool ApnSession::reusable() const {
  if (!link_.current()) return !credentials_told_;
  return link_.usable();
}

std::size_t ApnSession::deliveries_left() const {
  const std::uint32_t max = context_.settings->max_deliveries_per_connection;
  if (max == 0) return kUnlimited;
  return max > started_ ? max - started_ : 0;
}

ApnPeer ApnSession::peer() const {
  ApnPeer p;
  p.address = context_.connect.address;
  p.host = context_.connect.host;
  p.bytes_sent = link_.current() ? std::max<std::uint64_t>(link_.current()->bytes_sent(), 1) : 0;
  p.domain = context_.domain;
  return p;
}

awaitable<queue::AttemptResult> ApnSession::deliver(const queue::DeliveryJob& job, spool::Body body) {
  ++started_;
  queue::AttemptResult result;
  result.outcomes.reserve(job.recipients.size());
  if (!link_.current()) {
    credentials_told_ = true;
    for (std::size_t i = 0; i < job.recipients.size(); ++i) {
      ApnResult r = credentials_not_configured(context_.settings->credentials_hold);
      result.outcomes.push_back(std::move(r.outcome));
      if (!result.hold) result.hold = std::move(r.hold);
    }
    co_return result;
  }
  auto part = protocol::find_channel_part(body ? std::string_view(*body) : std::string_view(), protocol::Channel::kApn);
  std::vector<ApnResult> results;
  results.reserve(job.recipients.size());
  for (const auto& recipient : job.recipients) {
    // No co_await inside ?: (g++ 12 miscompiles it).
    ApnResult r;
    if (part) {
      r = co_await deliver_one(*part, recipient.address);
    } else {
      r = unusable_message(part.error());
    }
    results.push_back(std::move(r));
  }
  co_return push::combine(std::move(results));
}

awaitable<ApnResult> ApnSession::deliver_one(const protocol::ChannelPart& part, std::string_view recipient) {
  const ApnSettings& settings = *context_.settings;
  std::string_view local = recipient;
  if (auto parts = spool::split_address(recipient)) local = parts->local_part;
  auto token = protocol::apn_device_token(part, local);
  if (!token) co_return unusable_message(token.error());
  std::string apns_id = protocol::new_apns_id(context_.random64);
  const protocol::ApnOptions options = request_options(settings);
  auto built = protocol::build_apn_request(part, *token, options, context_.now_unix(), apns_id);
  if (!built) co_return unusable_message(built.error());

  http2::Http2Request request;  // named: it lives in this frame while request() runs
  request.method = "POST";
  request.path = std::move(built->path);
  request.headers = std::move(built->headers);
  request.body = std::move(built->body);
  request.timeout = settings.response_timeout;
  const std::size_t auth_slot = request.headers.size();
  if (context_.token) request.headers.emplace_back("authorization", "");

  bool renewed = false;
  bool moved = false;
  Http2Connection::Ptr connection = link_.current();
  for (;;) {
    std::string bearer;
    if (context_.token) {
      bearer = context_.token->bearer(context_.now_unix());
      request.headers[auth_slot].second = "bearer " + bearer;
    }
    if (!connection || !connection->usable()) connection = co_await link_.fresh(connection);
    if (!connection) co_return failure_outcome(http2::Http2Error{http2::Http2ErrorKind::kConnectionLost,
                                                                 "cannot reconnect to " + context_.connect.address},
                                               peer());
    auto response = co_await connection->request(request);
    if (!response) {
      if (response.error().kind == http2::Http2ErrorKind::kNotProcessed && !moved) {
        moved = true;  // GOAWAY or refused: the same request on another connection, same attempt
        connection = co_await link_.fresh(connection);
        continue;
      }
      co_return failure_outcome(response.error(), peer());
    }
    std::optional<std::string_view> retry_after;
    if (auto value = response->header("retry-after"); !value.empty()) retry_after = value;
    const protocol::ApnVerdict verdict =
        protocol::classify_apn_response(response->status, response->body, retry_after, context_.now_unix());
    if (verdict.kind == protocol::ApnVerdictKind::kRenewToken && context_.token && !renewed) {
      renewed = true;  // renew once (unless a concurrent stream already did) and send again
      context_.token->renew_after(bearer);
      continue;
    }
    if (verdict.kind == protocol::ApnVerdictKind::kRetryOnNewConnection && !moved) {
      moved = true;
      connection = co_await link_.fresh(connection);
      continue;
    }
    co_return response_outcome(verdict, peer(), apns_id, settings.credentials_hold);
  }
}

awaitable<SessionIdleEnd> ApnSession::idle() { return link_.idle(context_.settings->idle_timeout); }

void ApnSession::wake() { link_.wake(); }

awaitable<void> ApnSession::close() { return link_.close(); }

}  // namespace impulse::delivery::apn

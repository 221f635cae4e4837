// Implementation of delivery/gcm/gcm_session.hpp.
#include "delivery/gcm/gcm_session.hpp"

#include <limits>

#include "log/event_sink.hpp"
#include "protocol/gcm_request.hpp"
#include "protocol/gcm_response.hpp"
#include "spool/message.hpp"

namespace impulse::delivery::gcm {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

}  // namespace

GcmSession::GcmSession(GcmSessionContext context, GcmLink::Ptr connection)
    : context_(std::move(context)),
      link_(context_.executor, context_.connect, context_.settings->connect_timeout, std::move(connection)) {}

std::size_t GcmSession::capacity() const {
  const GcmLink::Ptr& connection = link_.current();
  return connection ? connection->capacity() : 1;
}

bool GcmSession::reusable() const {
  if (!link_.current()) return !credentials_told_;
  return link_.usable();
}

std::size_t GcmSession::deliveries_left() const {
  const std::uint32_t max = context_.settings->max_deliveries_per_connection;
  if (max == 0) return kUnlimited;
  return max > started_ ? max - started_ : 0;
}

PushPeer GcmSession::peer() const {
  PushPeer p;
  p.service = "GCM";
  p.address = context_.connect.h2.address;
  p.host = context_.connect.h2.host;
  p.bytes_sent = link_.current() ? link_.current()->bytes_sent() : 0;
  return p;
}

awaitable<queue::AttemptResult> GcmSession::deliver(const queue::DeliveryJob& job, spool::Body body) {
  ++started_;
  std::vector<PushRecipientResult> results;
  results.reserve(job.recipients.size());
  if (!link_.current()) {
    credentials_told_ = true;
    for (std::size_t i = 0; i < job.recipients.size(); ++i)
      results.push_back(credentials_not_configured(context_.settings->credentials_hold));
    co_return push::combine(std::move(results));
  }
  auto part = protocol::find_channel_part(body ? std::string_view(*body) : std::string_view(), protocol::Channel::kGcm);
  for (const auto& recipient : job.recipients) {
    // No co_await inside ?: (g++ 12 miscompiles it).
    PushRecipientResult r;
    if (part) {
      r = co_await deliver_one(*part, job, recipient.address);
    } else {
      r = push::unusable_message(part.error());
    }
    results.push_back(std::move(r));
  }
  co_return push::combine(std::move(results));
}

awaitable<PushRecipientResult> GcmSession::deliver_one(const protocol::ChannelPart& part,
                                                       const queue::DeliveryJob& job, const std::string& recipient) {
  const GcmSettings& settings = *context_.settings;
  const bool v1 = settings.auth == GcmAuth::kServiceAccount;
  std::string_view local = recipient;
  if (auto parts = spool::split_address(recipient)) local = parts->local_part;
  auto token = protocol::gcm_registration_token(part, local);
  if (!token) co_return push::unusable_message(token.error());
  auto built = v1 ? protocol::build_fcm_v1_body(part, *token, settings.request)
                  : protocol::build_gcm_legacy_body(part, *token, settings.request);
  if (!built) co_return push::unusable_message(built.error());

  LinkRequest request;  // named: it lives in this frame while post() runs
  request.path = v1 ? protocol::fcm_v1_path(settings.project_id) : settings.http_uri;
  request.headers.emplace_back("content-type", "application/json; charset=UTF-8");
  request.headers.emplace_back("authorization", v1 ? std::string() : "key=" + settings.legacy_key);
  request.body = std::move(*built);
  request.timeout = settings.response_timeout;

  bool renewed = false;
  bool moved = false;
  GcmLink::Ptr connection = link_.current();
  for (;;) {
    std::string bearer;
    if (v1) {
      const TokenResult access = co_await context_.token->get();
      if (access.kind != TokenResult::Kind::kToken) co_return token_outcome(access, peer(), settings.credentials_hold);
      bearer = access.value;
      request.headers[1].second = "Bearer " + bearer;
    }
    if (!connection || !connection->usable()) connection = co_await link_.fresh(connection);
    if (!connection)
      co_return failure_outcome(
          http2::Http2Error{http2::Http2ErrorKind::kConnectionLost, "cannot reconnect to " + context_.connect.h2.address},
          peer());
    auto response = co_await connection->post(request);
    if (!response) {
      if (response.error().kind == http2::Http2ErrorKind::kNotProcessed && !moved) {
        moved = true;  // GOAWAY or refused: the same request on another connection, same attempt
        connection = co_await link_.fresh(connection);
        continue;
      }
      co_return failure_outcome(response.error(), peer());
    }
    std::optional<std::string_view> retry_after;
    if (!response->retry_after.empty()) retry_after = response->retry_after;
    const protocol::GcmVerdict verdict =
        v1 ? protocol::classify_fcm_v1_response(response->status, response->body, retry_after, context_.now_unix())
           : protocol::classify_gcm_legacy_response(response->status, response->body, retry_after,
                                                    context_.now_unix());
    if (v1 && response->status == 401 && verdict.error_code.empty() && !renewed) {
      // Our access token was refused (not THIRD_PARTY_AUTH_ERROR, the app's APNs or
      // web-push credentials): a new one, and the request again (same attempt).
      renewed = true;
      context_.token->invalidate(bearer);
      continue;
    }
    if (!verdict.canonical_token.empty()) report_canonical(job, recipient, verdict.canonical_token);
    co_return response_outcome(verdict, peer(), settings.credentials_hold);
  }
}

void GcmSession::report_canonical(const queue::DeliveryJob& job, const std::string& recipient,
                                  const std::string& token) {
  if (!context_.events || !context_.events->wants(log::EventType::kTokenReplaced)) return;
  log::emit_token_replaced(*context_.events, std::chrono::system_clock::now(), job.id().to_string(), recipient,
                           token);
}

awaitable<SessionIdleEnd> GcmSession::idle() { return link_.idle(context_.settings->idle_timeout); }

void GcmSession::wake() { link_.wake(); }

awaitable<void> GcmSession::close() { return link_.close(); }

}  // namespace impulse::delivery::gcm

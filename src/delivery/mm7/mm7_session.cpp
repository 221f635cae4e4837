// Implementation of delivery/mm7/mm7_session.hpp.
#include "delivery/mm7/mm7_session.hpp"

#include <openssl/evp.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <limits>

#include "base/strings.hpp"
#include "delivery/mm7/mm7_keep_id.hpp"
#include "protocol/channel_part_mime.hpp"
#include "protocol/mm7_submit.hpp"

namespace impulse::delivery::mm7 {

namespace asio = boost::asio;
using asio::awaitable;
using http1::Http1Connection;

namespace {

constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();
constexpr std::string_view kMcmtMm7Multipart = "multipart/vnd.msys.mm7";
constexpr std::string_view kMcmtMm7Message = "message/vnd.msys.mm7";

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool starts_with_type(std::string_view content_type, std::string_view type) {
  if (content_type.size() < type.size() || !iequals(content_type.substr(0, type.size()), type)) return false;
  return content_type.size() == type.size() || content_type[type.size()] == ';' || content_type[type.size()] == ' ' ||
         content_type[type.size()] == '\t';
}

struct Content {
  std::string type;
  std::string body;
};

// The MM content the MMSC receives (SPEC §14: the channel part's payload
// with its Content-Type).
impulse::expected<Content, std::string> content_of(const protocol::ChannelPart& part) {
  const std::string_view type = part.content_type;
  if (starts_with_type(type, kMcmtMm7Multipart))
    return Content{"multipart/mixed" + std::string(type.substr(kMcmtMm7Multipart.size())), part.payload};
  if (starts_with_type(type, kMcmtMm7Message)) {
    auto inner = protocol::split_entity(part.payload);
    if (!inner) return impulse::unexpected(inner.error());
    const auto encoding = protocol::find_header(inner->headers, "Content-Transfer-Encoding");
    auto body = protocol::decode_transfer_encoding(inner->body, encoding.value_or(""));
    if (!body) return impulse::unexpected(body.error());
    const auto inner_type = protocol::find_header(inner->headers, "Content-Type");
    return Content{std::string(inner_type.value_or("text/plain")), std::move(*body)};
  }
  return Content{type.empty() ? std::string("text/plain") : std::string(type), part.payload};
}

std::string subject_of(const protocol::ChannelPart& part, std::string_view message) {
  if (auto s = part.header("Subject")) return std::string(*s);
  auto top = protocol::split_entity(message);
  if (!top) return {};
  return std::string(protocol::find_header(top->headers, "Subject").value_or(""));
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Mm7Session::Mm7Session(Mm7SessionContext context, Http1Connection::Ptr connection)
    : context_(std::move(context)), connection_(std::move(connection)) {}

bool Mm7Session::reusable() const { return connection_ && connection_->usable(); }

std::size_t Mm7Session::deliveries_left() const {
  const std::uint32_t max = context_.settings->max_deliveries_per_connection;
  if (max == 0) return kUnlimited;
  return max > started_ ? max - started_ : 0;
}

Mm7Peer Mm7Session::peer() const {
  return Mm7Peer{context_.connect.address, context_.connect.host, std::max<std::uint64_t>(bytes_sent_, 1)};
}

awaitable<queue::AttemptResult> Mm7Session::deliver(const queue::DeliveryJob& job, spool::Body body) {
  ++started_;
  const std::string_view message = body ? std::string_view(*body) : std::string_view();
  auto part = protocol::find_channel_part(message, protocol::Channel::kMm7);
  impulse::expected<Content, std::string> content = impulse::unexpected(std::string());
  std::string subject;
  if (part) {
    content = content_of(*part);
    subject = subject_of(*part, message);
  } else {
    content = impulse::unexpected(part.error());
  }
  std::vector<Mm7Result> results;
  results.reserve(job.recipients.size());
  for (const auto& recipient : job.recipients) {
    // No co_await inside ?: (g++ 12 miscompiles it).
    Mm7Result r;
    if (content) {
      r = co_await deliver_one(job, content->type, content->body, subject, recipient.address);
    } else {
      r = unusable_message(content.error());
    }
    results.push_back(std::move(r));
  }
  co_return push::combine(std::move(results));
}

awaitable<Mm7Result> Mm7Session::deliver_one(const queue::DeliveryJob& job, const std::string& content_type,
                                             const std::string& content, const std::string& subject,
                                             const std::string& recipient) {
  const Mm7Settings& s = *context_.settings;
  protocol::Mm7SubmitFields fields;
  fields.namespace_uri = s.namespace_uri;
  fields.soap_env_prefix = s.soap_env;
  fields.transaction_id = job.id().to_string() + "-" + hex64(context_.random64());
  fields.version = s.version;
  fields.vaspid = s.vaspid;
  fields.vasid = s.vasid;
  fields.sender_address = s.sender_address;
  fields.recipient = protocol::mm7_recipient_address(recipient, s.number_prefix);
  fields.service_code = s.service_code;
  fields.message_class = s.message_class;
  fields.delivery_report = s.delivery_report;
  fields.read_reply = s.read_reply;
  fields.subject = subject;
  fields.content_id = "content-" + fields.transaction_id;
  const protocol::Mm7Content mm_content{content_type, content};
  auto built = protocol::mm7_submit_request(fields, mm_content);
  if (!built) co_return unusable_message(built.error());

  http1::Http1Request request;  // named: it lives in this frame while request() runs
  request.method = "POST";
  request.target = context_.path;
  request.host = context_.host_header;
  request.headers = {{"Content-Type", built->content_type}, {"SOAPAction", "\"\""}};
  if (!s.basic_auth.empty()) request.headers.emplace_back("Authorization", "Basic " + base64(s.basic_auth));
  request.body = std::move(built->body);
  request.timeout = s.response_timeout;

  bool replaced = false;
  for (;;) {
    if (!connection_ || !connection_->usable()) {
      auto opened = co_await Http1Connection::connect(context_.executor, context_.connect);
      if (!opened) co_return failure_outcome(opened.error(), peer());
      connection_ = std::move(*opened);
    }
    auto response = co_await connection_->request(request);
    if (!response) {
      if (response.error().kind == http1::Http1ErrorKind::kNotProcessed && !replaced) {
        replaced = true;  // the MMSC closed the kept-alive connection as we sent: once more on a new one
        continue;
      }
      co_return failure_outcome(response.error(), peer());
    }
    bytes_sent_ += request.body.size();
    Mm7Result r = response_outcome(*response, s.overrides, peer(), s.credentials_hold, context_.now_unix());
    if (r.outcome.delivered() && context_.message_ids && !r.outcome.remote_id.empty()) {
      // Named arguments: g++ 12 destroys temporaries of a co_await
      // full-expression twice.
      const WallTime expires = WallTime{std::chrono::seconds(context_.now_unix())} + s.message_expiration;
      std::string remote_id = r.outcome.remote_id;
      Mm7Submission submission{job.id().to_string(), recipient};
      co_await keep_message_id(*context_.message_ids, std::move(remote_id), std::move(submission), expires,
                               s.response_timeout);
    }
    co_return r;
  }
}

awaitable<SessionIdleEnd> Mm7Session::idle() {
  if (!connection_) co_return SessionIdleEnd::kClosed;
  const http1::Http1IdleEnd end = co_await connection_->idle(context_.settings->idle_timeout);
  SessionIdleEnd mapped = SessionIdleEnd::kClosed;
  if (end == http1::Http1IdleEnd::kWoken) mapped = SessionIdleEnd::kWoken;
  if (end == http1::Http1IdleEnd::kTimedOut) mapped = SessionIdleEnd::kTimedOut;
  co_return mapped;
}

void Mm7Session::wake() {
  if (connection_) connection_->wake();
}

awaitable<void> Mm7Session::close() {
  if (connection_) connection_->close();
  co_return;
}

}  // namespace impulse::delivery::mm7

// Mm7Session: one HTTP/1.1 keep-alive connection to an MMSC behind the
// Session interface (delivery/transport.hpp; SPEC §11, §14). Capacity 1:
// one SubmitReq at a time.
//
// deliver(job, body): the channel part (protocol/channel_part.hpp,
// Channel::kMm7) and its content (an MCMT multipart/vnd.msys.mm7 part is
// sent as multipart/mixed with its parameters; a message/vnd.msys.mm7
// part's own entity; a plain message's body with its Content-Type), the
// message's Subject, then one SubmitReq per recipient
// (protocol/mm7_submit.hpp: a fresh TransactionID each, the recipient's
// Number or RFC2822Address), POSTed with SOAPAction "" and Basic
// authentication when configured, answered within MM7_Response_Timer; the
// answer becomes an outcome in mm7_outcome.hpp. A delivered submission's
// MessageID goes to Mm7MessageIds for delivery reports, kept until the
// domain's message_expiration; the session waits until it is durable (the
// map's writer thread, not this loop, does the synced write) before it
// returns the outcome, so a delivery logged D survives a kill -9 with its
// MessageID (a failed write does not fail the delivery). A kept-alive
// connection the MMSC closed before answering is replaced once within the
// attempt (no T record); a dropped connection is reopened for the next
// recipient.
//
// Leaves to others: choosing the address, limits, idling policy (the
// connection manager); what outcomes mean (the queue).
// Executor: the queue's loop. Never throws except std::bad_alloc.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "delivery/http1/http1_connection.hpp"
#include "delivery/mm7/mm7_message_ids.hpp"
#include "delivery/mm7/mm7_outcome.hpp"
#include "delivery/mm7/mm7_settings.hpp"
#include "delivery/transport.hpp"
#include "protocol/channel_part.hpp"

namespace impulse::delivery::mm7 {

struct Mm7SessionContext {
  boost::asio::any_io_executor executor;
  std::shared_ptr<const Mm7Settings> settings;
  std::shared_ptr<Mm7MessageIds> message_ids;  // may be null (no delivery reports kept)
  http1::Http1ConnectOptions connect;          // to reconnect to the same address
  std::string path;                            // request target
  std::string host_header;                     // "" = the connection's host[:port]
  std::function<std::uint64_t()> random64;     // TransactionID source (the loop's generator)
  std::function<std::int64_t()> now_unix;      // wall clock, seconds
};

class Mm7Session final : public Session {
 public:
  Mm7Session(Mm7SessionContext context, http1::Http1Connection::Ptr connection);

  std::size_t capacity() const override { return 1; }
  bool reusable() const override;
  std::size_t deliveries_left() const override;
  boost::asio::awaitable<queue::AttemptResult> deliver(const queue::DeliveryJob& job, spool::Body body) override;
  boost::asio::awaitable<SessionIdleEnd> idle() override;
  void wake() override;
  boost::asio::awaitable<void> close() override;

 private:
  boost::asio::awaitable<Mm7Result> deliver_one(const queue::DeliveryJob& job, const std::string& content_type,
                                                const std::string& content, const std::string& subject,
                                                const std::string& recipient);
  Mm7Peer peer() const;

  Mm7SessionContext context_;
  http1::Http1Connection::Ptr connection_;
  std::uint64_t started_ = 0;
  std::uint64_t bytes_sent_ = 0;
};

}  // namespace impulse::delivery::mm7

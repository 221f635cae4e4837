// WebhookClient: POSTs one batch (a JSON array) to a webhook's URL over
// HTTP/1.1 or HTTPS (Boost.Beast over Asio; TLS with the peer's
// certificate verified against the system's trust store or the stanza's
// ca_file, and its name checked against the URL's host) and says what the
// receiver answered. One connection per POST (`Connection: close`), with
// `Authorization: Bearer <auth_token>` when a token is set.
//
// Deadline (docs/architecture.md rule 5): the whole exchange (resolve,
// connect, handshake, write, read) must end within `timeout` (SPEC §17:
// "no reply within 10 s"), kept by runtime::with_deadline.
// Leaves to others: what to do with the status (log/webhook.hpp retries a
// non-2xx), the body (log/event_record.hpp lines).
// Executor: post() runs on the executor given at construction; cancel()
// must be called there too.
// Failure modes: post() returns the HTTP status of any reply, or an Error
// for no reply (resolution, connection, TLS, timeout, a malformed reply);
// it does not throw.
// Internal to the log library (includes Asio headers).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "base/error.hpp"
#include "log/webhook_url.hpp"

namespace impulse::log {

class WebhookClient {
 public:
  // tls: the client context for https URLs (null for http).
  WebhookClient(const boost::asio::any_io_executor& executor, WebhookUrl url, std::string auth_token,
                std::chrono::seconds timeout, std::shared_ptr<boost::asio::ssl::context> tls);

  boost::asio::awaitable<Result<unsigned>> post(std::string body);
  // Interrupts a post() in progress (it returns an Error).
  void cancel();

  // A verifying TLS client context: the system's trust store, plus ca_file
  // when not empty.
  static Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& ca_file);

 private:
  boost::asio::any_io_executor executor_;
  WebhookUrl url_;
  std::string auth_token_;
  std::chrono::seconds timeout_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::steady_timer timer_;
};

}  // namespace impulse::log

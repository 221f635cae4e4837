// Helpers for the SmtpConnection tests: run a coroutine to completion on an
// io_context owned by the test thread, settings with test-sized deadlines,
// jobs, and the usual open / deliver / close sequence.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/smtp/smtp_connection.hpp"

namespace impulse::delivery::smtp::testing {

namespace asio = boost::asio;

// Runs `work` until it and everything it started are done.
template <class T>
T run(asio::io_context& io, asio::awaitable<T> work) {
  std::optional<T> result;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

inline std::shared_ptr<SmtpSettings> test_settings() {
  auto s = std::make_shared<SmtpSettings>();
  s->ehlo_hostname = "client.test";
  // Generous: only the timeout tests wait for a deadline, and they set
  // their own to 1 s.
  const std::chrono::milliseconds kLong{20'000};
  s->timeouts = SmtpTimeouts{kLong, kLong, kLong, kLong, kLong, kLong, kLong};
  return s;
}

inline SmtpTarget target_of(std::uint16_t port, std::string address = "127.0.0.1") {
  return SmtpTarget{"mx.test", std::move(address), port, "example.test"};
}

inline SmtpJob make_job(std::vector<std::string> recipients, std::string body = "Subject: t\r\n\r\nhello\r\n",
                        std::string sender = "sender@origin.test") {
  SmtpJob job;
  job.sender = std::move(sender);
  job.recipients = std::move(recipients);
  job.body = std::make_shared<const std::string>(std::move(body));
  job.client.addr = "192.0.2.7";
  job.client.helo = "client.origin.test";
  return job;
}

// What one open + deliver(s) + close produced.
struct Session {
  std::optional<OpenFailure> open_failure;
  std::vector<queue::AttemptResult> results;  // one per job
  bool reusable_after = false;                // before close()
  bool tls = false;
  Capabilities caps;
};

inline asio::awaitable<Session> open_deliver_close(asio::any_io_executor ex, SmtpTarget target,
                                                   std::shared_ptr<const SmtpSettings> settings,
                                                   std::vector<SmtpJob> jobs) {
  Session s;
  auto opened = co_await SmtpConnection::open(ex, std::move(target), std::move(settings));
  if (!opened) {
    s.open_failure = std::move(opened.error());
    co_return s;
  }
  auto& conn = *opened;
  s.tls = conn->tls_active();
  for (const auto& job : jobs) s.results.push_back(co_await conn->deliver(job));
  s.caps = conn->capabilities();
  s.reusable_after = conn->reusable();
  co_await conn->close();
  co_return s;
}

inline Session session(std::uint16_t port, std::shared_ptr<const SmtpSettings> settings, std::vector<SmtpJob> jobs,
                       std::string address = "127.0.0.1") {
  asio::io_context io;
  return run(io, open_deliver_close(io.get_executor(), target_of(port, std::move(address)), std::move(settings),
                                    std::move(jobs)));
}

// EHLO capabilities a scripted peer offers, with and without PIPELINING.
inline const std::vector<std::string> kPipelining = {"PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"};
inline const std::vector<std::string> kNoPipelining = {"8BITMIME", "ENHANCEDSTATUSCODES"};

// An outcome from the scripted peer at 127.0.0.1 named mx.test.
inline void expect_outcome(const queue::Outcome& o, queue::Disposition d, std::string_view reply, queue::Stage stage) {
  EXPECT_EQ(o.disposition, d) << o.reply;
  EXPECT_EQ(o.reply, reply);
  EXPECT_EQ(o.stage, stage) << o.reply;
  EXPECT_EQ(o.remote_ip, "127.0.0.1");
  EXPECT_EQ(o.remote_host, "mx.test");
}

}  // namespace impulse::delivery::smtp::testing

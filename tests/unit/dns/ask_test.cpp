// dns/ask: questions asked at once and awaited within one deadline: the
// answers come back in the order of the types asked; a question still
// unanswered at the deadline has no answer (ask_all) or a Timeout answer
// saying so (ask), and its late answer touches nothing that is gone.
// FakeResolver (tests/support) answers when the test pumps it, as the real
// resolver's posted callbacks would.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <optional>

#include "dns/ask.hpp"
#include "support/fake_resolver.hpp"

namespace impulse::dns {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(DnsAsk, AnswersComeInTheOrderAskedWhateverOrderTheyArrive) {
  asio::io_context io;
  test::FakeResolver dns;
  dns.a("both.example", {"192.0.2.1"});
  dns.status("both.example", RecordType::TXT, Status::NoData);
  std::optional<std::vector<std::optional<Answer>>> out;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    std::vector<RecordType> types{RecordType::TXT, RecordType::A};  // (GCC 12: no braced list in a co_await call)
    out = co_await ask_all(dns, "both.example", std::move(types), steady_clock::now() + milliseconds(5000));
  }, asio::detached);
  io.poll();
  EXPECT_EQ(dns.pump(), 2u);
  io.run();
  ASSERT_TRUE(out.has_value());
  ASSERT_EQ(out->size(), 2u);
  ASSERT_TRUE((*out)[0] && (*out)[1]);
  EXPECT_EQ((*out)[0]->status, Status::NoData);
  EXPECT_EQ((*out)[1]->status, Status::Ok);
  ASSERT_EQ((*out)[1]->addresses.size(), 1u);
  EXPECT_EQ((*out)[1]->addresses[0].str(), "192.0.2.1");
}

TEST(DnsAsk, AQuestionUnansweredAtTheDeadlineIsATimeoutAndItsLateAnswerIsDropped) {
  asio::io_context io;
  test::FakeResolver dns;
  dns.a("slow.example", {"192.0.2.9"});
  std::optional<Answer> one;
  std::optional<std::vector<std::optional<Answer>>> all;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    one = co_await ask(dns, "slow.example", RecordType::A, steady_clock::now() + milliseconds(30));
    std::vector<RecordType> types{RecordType::A};
    all = co_await ask_all(dns, "slow.example", std::move(types), steady_clock::now() + milliseconds(30));
  }, asio::detached);
  io.run();  // nobody pumps: both deadlines pass
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->status, Status::Timeout);
  EXPECT_EQ(one->canonical_name, "slow.example");
  EXPECT_EQ(one->error_text, "no answer before the deadline");
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_FALSE((*all)[0].has_value());
  EXPECT_EQ(dns.pump(), 2u);  // the late answers find only expired weak_ptrs
  io.restart();
  io.run();
}

}  // namespace
}  // namespace impulse::dns

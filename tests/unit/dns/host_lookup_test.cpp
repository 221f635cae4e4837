// dns/host_lookup: a host name resolved like a route host (SPEC §11): A,
// AAAA only with use_ipv6, ordered by the address policy, an IP literal
// unasked; NXDOMAIN, no record, SERVFAIL and the caller's deadline come
// back as error texts naming the host. FakeResolver (tests/support) answers
// when the test pumps it, as the real resolver's posted callbacks would.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <optional>

#include "dns/host_lookup.hpp"
#include "support/fake_resolver.hpp"

namespace impulse::dns {
namespace {

namespace asio = boost::asio;
using Found = impulse::expected<std::vector<config::IpAddress>, std::string>;

class HostLookupTest : public ::testing::Test {
 protected:
  // Starts the lookup, lets it ask, answers (unless `answer` is false), runs to the end.
  Found lookup(const std::string& name, AddressPolicy policy = {}, bool answer = true,
               std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    std::optional<Found> out;
    asio::co_spawn(io_, [&, name]() -> asio::awaitable<void> {
      out = co_await lookup_host(dns_, name, policy, deadline);
    }, asio::detached);
    io_.poll();
    if (answer) dns_.pump();
    io_.run();
    io_.restart();
    EXPECT_TRUE(out.has_value());
    return out ? *out : Found(impulse::unexpected(std::string("never finished")));
  }

  static std::vector<std::string> texts(const Found& found) {
    std::vector<std::string> out;
    if (found)
      for (const auto& ip : *found) out.push_back(ip.str());
    return out;
  }

  asio::io_context io_;
  test::FakeResolver dns_;
};

TEST_F(HostLookupTest, ARecordsOnlyWithoutUseIpv6) {
  dns_.a("oauth2.example", {"192.0.2.1", "192.0.2.2"});
  dns_.aaaa("oauth2.example", {"2001:db8::1"});
  const Found found = lookup("oauth2.example");
  ASSERT_TRUE(found) << found.error();
  EXPECT_EQ(texts(found), (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(dns_.asked("oauth2.example", RecordType::A), 1);
  EXPECT_EQ(dns_.asked("oauth2.example", RecordType::AAAA), 0);
  EXPECT_EQ(dns_.asked("oauth2.example", RecordType::MX), 0);
}

TEST_F(HostLookupTest, AaaaWithUseIpv6InThePolicysOrder) {
  dns_.a("oauth2.example", {"192.0.2.1"});
  dns_.aaaa("oauth2.example", {"2001:db8::1"});
  EXPECT_EQ(texts(lookup("oauth2.example", AddressPolicy{true, false})),
            (std::vector<std::string>{"192.0.2.1", "2001:db8::1"}));
  EXPECT_EQ(texts(lookup("oauth2.example", AddressPolicy{true, true})),
            (std::vector<std::string>{"2001:db8::1", "192.0.2.1"}));
  // Only AAAA: still found.
  dns_.status("v6only.example", RecordType::A, Status::NoData);
  dns_.aaaa("v6only.example", {"2001:db8::2"});
  EXPECT_EQ(texts(lookup("v6only.example", AddressPolicy{true, false})), (std::vector<std::string>{"2001:db8::2"}));
}

TEST_F(HostLookupTest, AnIpLiteralIsNotAsked) {
  EXPECT_EQ(texts(lookup("127.0.0.1")), (std::vector<std::string>{"127.0.0.1"}));
  EXPECT_EQ(texts(lookup("::1")), (std::vector<std::string>{"::1"}));
  EXPECT_EQ(dns_.total_asked(), 0);
}

TEST_F(HostLookupTest, FailuresNameTheHostAndWhy) {
  Found found = lookup("missing.example");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error(), "cannot resolve missing.example: no such domain (NXDOMAIN)");
  dns_.status("nodata.example", RecordType::A, Status::NoData);
  found = lookup("nodata.example");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error(), "cannot resolve nodata.example: no A record");
  Answer servfail;
  servfail.status = Status::ServFail;
  servfail.error_text = "upstream refused";
  dns_.set("broken.example", RecordType::A, servfail);
  found = lookup("broken.example");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error(), "cannot resolve broken.example: A servfail (upstream refused)");
}

TEST_F(HostLookupTest, TheDeadlineEndsTheWaitAndALateAnswerIsDropped) {
  dns_.a("slow.example", {"192.0.2.9"});
  const auto started = std::chrono::steady_clock::now();
  const Found found = lookup("slow.example", {}, false, std::chrono::milliseconds(50));
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(50));
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error(), "resolving slow.example timed out after 50 ms");
  EXPECT_EQ(dns_.pump(), 1u);  // the answer after the deadline touches nothing that is gone
  io_.run();
}

}  // namespace
}  // namespace impulse::dns

// ConnectionManager against in-process SMTP servers on 127.x addresses
// (routes to IP literals, so no DNS): delivery of a queue, balancing over
// equal preferences, preference order with Host limits, quarantine after a
// connect failure, the 421 when no host is usable, Max_Outbound_Connections,
// bind_address and ehlo_hostname per binding, idle connections.
// No sleeps: the loop runs until what the test waits for has happened.
#include <gtest/gtest.h>

#include "test_cm_support.hpp"

namespace impulse::delivery::testing {
namespace {


TEST(ConnectionManagerDelivery, DeliversEveryMessageOfAQueue) {
  // The server needs the harness's loop; the configuration needs the server's port.
  CmHarness h("");
  CmSmtpServer mx(h.io, "127.0.0.11");
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route(mx, 10) + " ) }");

  h.inject_many(20, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 20; }));
  EXPECT_EQ(mx.messages().size(), 20u);
  EXPECT_EQ(h.transients(), 0u);
  for (const auto& d : h.log.main_records("D")) EXPECT_FALSE(d[3].empty()) << "connid";
  EXPECT_TRUE(h.problems.empty());
}

TEST(ConnectionManagerDelivery, FivePref10HostsEachGetAFairShareOfConnections) {
  CmHarness h("");
  std::vector<std::unique_ptr<CmSmtpServer>> mx;
  std::string routes;
  for (int i = 1; i <= 5; ++i) {
    mx.push_back(std::make_unique<CmSmtpServer>(h.io, "127.0.0.2" + std::to_string(i)));
    routes += route(*mx.back(), 10) + " ";
  }
  // One message per connection, so 100 messages open 100 connections.
  h.config = queue::testing::config_from(
      "Domain \"example.com\" { Routes = ( " + routes +
      ") Max_Deliveries_Per_Connection = 1 Max_Outbound_Connections = 5 "
      "Connection_Allocation_Aggressiveness = high }");
  constexpr std::size_t kMessages = 100;
  h.inject_many(kMessages, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == kMessages; }));

  std::size_t total = 0;
  for (const auto& s : mx) {
    total += s->accepted();
    EXPECT_GE(s->accepted(), kMessages / 5 - 10) << s->address() << " got too few connections";
    EXPECT_LE(s->max_open(), 5u);
  }
  EXPECT_EQ(total, kMessages);
  ASSERT_TRUE(h.run_until([&] { return h.cm->open_connections() == 0; }));
}

TEST(ConnectionManagerDelivery, WorsePreferenceUnusedWhileTheBetterHostHasRoom) {
  CmHarness h("");
  CmSmtpServer best(h.io, "127.0.0.31");
  CmSmtpServer worse(h.io, "127.0.0.32");
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route(best, 10) + " " +
                                         route(worse, 20) +
                                         " ) Max_Outbound_Connections = 4 "
                                         "Connection_Allocation_Aggressiveness = high }");
  h.inject_many(100, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 100; }));
  EXPECT_EQ(worse.accepted(), 0u);
  EXPECT_EQ(best.messages().size(), 100u);
  EXPECT_GE(best.max_open(), 2u);
}

TEST(ConnectionManagerDelivery, WorsePreferenceUsedOnlyWhileTheBetterHostIsAtItsHostLimit) {
  CmHarness h("");
  CmSmtpServer best(h.io, "127.0.0.33");
  CmSmtpServer worse(h.io, "127.0.0.34");
  h.config = queue::testing::config_from("Host \"127.0.0.33\" { Max_Outbound_Connections = 1 }\n"
                                         "Domain \"example.com\" { Routes = ( " +
                                         route(best, 10) + " " + route(worse, 20) +
                                         " ) Max_Outbound_Connections = 3 "
                                         "Connection_Allocation_Aggressiveness = high }");
  best.hold(true);  // the one connection to the best host stays busy
  h.inject_many(100, "example.com");
  ASSERT_TRUE(h.run_until([&] { return best.held() == 1 && worse.accepted() >= 1; }));
  best.release();
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 100; }));
  EXPECT_EQ(best.max_open(), 1u);
  EXPECT_EQ(best.accepted(), 1u);
  EXPECT_GE(worse.messages().size(), 1u);
  EXPECT_EQ(best.messages().size() + worse.messages().size(), 100u);
}

TEST(ConnectionManagerDelivery, ConnectFailureQuarantinesTheAddressAndTheNextHostTakesTheSameMessages) {
  CmHarness h("");
  const std::uint16_t dead_port = closed_port(h.io, "127.0.0.41");
  CmSmtpServer backup(h.io, "127.0.0.42");
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route("127.0.0.41", dead_port, 10) +
                                         " " + route(backup, 20) + " ) }");
  h.inject_many(5, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 5; }));
  EXPECT_EQ(h.transients(), 0u) << "the failed host's messages went to the next host in the same attempt";
  EXPECT_EQ(backup.messages().size(), 5u);

  std::optional<DomainDescription> d;
  h.cm->describe_domain("example.com", [&](DomainDescription x) { d = std::move(x); });
  ASSERT_TRUE(h.run_until([&] { return d.has_value(); }));
  ASSERT_EQ(d->records.size(), 1u);
  ASSERT_EQ(d->records[0].hosts.size(), 2u);
  const HostView& dead = d->records[0].hosts[0];
  EXPECT_EQ(dead.preference, 10u);
  ASSERT_EQ(dead.addresses.size(), 1u);
  EXPECT_TRUE(dead.addresses[0].quarantined);
  EXPECT_FALSE(d->records[0].hosts[1].addresses[0].quarantined);
  EXPECT_EQ(dead.addresses[0].address, "127.0.0.41");  // shown "* [127.0.0.41]" (console/domain_format.hpp)

  // More mail while the address is quarantined goes straight to the backup.
  h.inject_many(3, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 8; }));
  EXPECT_EQ(h.transients(), 0u);

  // After Host_Failure_Retry (120 s) the address is usable again.
  h.clock.advance(std::chrono::seconds(121));
  d.reset();
  h.cm->describe_domain("example.com", [&](DomainDescription x) { d = std::move(x); });
  ASSERT_TRUE(h.run_until([&] { return d.has_value(); }));
  EXPECT_FALSE(d->records[0].hosts[0].addresses[0].quarantined);
}

TEST(ConnectionManagerDelivery, NoUsableHostFailsTheMessagesTransientlyWithThe421Text) {
  CmHarness h("");
  const std::uint16_t dead_port = closed_port(h.io, "127.0.0.43");
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route("127.0.0.43", dead_port, 10) +
                                         " ) }");
  h.inject_many(3, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.transients() == 3; }));
  for (const auto& line : h.log.mainlog) {
    if (contains(line, "@T@")) {
      EXPECT_TRUE(contains(line, "421 4.4.0 [internal] no MXs for this domain could be reached at this time")) << line;
    }
  }
  EXPECT_EQ(h.delivered(), 0u);
  EXPECT_EQ(h.cm->open_connections(), 0);
}

TEST(ConnectionManagerDelivery, RecordFailureCompletesEveryMessageWithItsOutcome) {
  CmHarness h("");
  CmSmtpServer mx(h.io, "127.0.0.44");
  h.config = queue::testing::config_from("Prohibited_Hosts = ( \"127.0.0.0/8\" )\n"
                                         "Domain \"example.com\" { Routes = ( " + route(mx, 10) + " ) }");
  h.inject_many(2, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.count("P") == 2; }));
  for (const auto& line : h.log.mainlog) {
    if (contains(line, "@P@")) {
      EXPECT_TRUE(contains(line, "551 5.4.6 [internal] Private/Loopback Address")) << line;
    }
  }
  EXPECT_EQ(mx.accepted(), 0u);
}

TEST(ConnectionManagerDelivery, MaxOutboundConnectionsIsNeverExceeded) {
  CmHarness h("");
  CmSmtpServer mx(h.io, "127.0.0.45");
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route(mx, 10) +
                                         " ) Max_Outbound_Connections = 3 "
                                         "Connection_Allocation_Aggressiveness = high }");
  mx.hold(true);
  h.inject_many(200, "example.com");
  // Every allowed connection is busy at the server.
  ASSERT_TRUE(h.run_until([&] { return mx.held() == 3; }));
  EXPECT_EQ(h.cm->open_connections(), 3);
  EXPECT_EQ(h.cm->open_connections("default"), 3);
  EXPECT_EQ(h.cm->open_connections("other"), 0);
  mx.release();
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 200; }));
  EXPECT_EQ(mx.max_open(), 3u);
  EXPECT_EQ(mx.accepted(), 3u) << "connections are reused, never more than the limit";
}

TEST(ConnectionManagerDelivery, ServerMaxOutboundConnectionsCapsEveryQueueTogether) {
  // Idle connections would keep their slots for a minute: a starved queue
  // must get one as soon as the other queue has nothing left to send.
  CmHarness h("", [](smtp::SmtpSettings& s) { s.timeouts.idle = std::chrono::seconds(60); });
  CmSmtpServer a(h.io, "127.0.0.46");
  CmSmtpServer b(h.io, "127.0.0.47");
  h.config = queue::testing::config_from(
      "Server_Max_Outbound_Connections = 2\n"
      "Connection_Allocation_Aggressiveness = high\n"
      "Domain \"a.example\" { Routes = ( " + route(a, 10) + " ) }\n"
      "Domain \"b.example\" { Routes = ( " + route(b, 10) + " ) }");
  a.hold(true);
  b.hold(true);
  h.inject_many(150, "a.example");
  h.inject_many(150, "b.example");
  ASSERT_TRUE(h.run_until([&] { return a.held() + b.held() == 2; }));
  EXPECT_EQ(h.cm->open_connections(), 2);
  a.release();
  b.release();
  const bool all = h.run_until([&] { return h.delivered() == 300; });
  if (!all) {
    std::optional<DomainDescription> d;
    h.cm->describe_domain("b.example", [&](DomainDescription x) { d = std::move(x); });
    h.run_until([&] { return d.has_value(); });
    ADD_FAILURE() << h.delivered() << " delivered; open " << h.cm->open_connections() << "; b.example records "
                  << d->records.size();
  }
  EXPECT_LE(a.max_open(), 2u);
  EXPECT_LE(b.max_open(), 2u);
  EXPECT_GE(a.accepted(), 1u);
  EXPECT_GE(b.accepted(), 1u) << "the starved queue got a connection once one was released";
}

TEST(ConnectionManagerDelivery, BindAddressAndEhloHostnameOfTheBindingAreUsed) {
  CmHarness h("");
  CmSmtpServer mx(h.io, "127.0.0.51");
  h.config = queue::testing::config_from("Binding \"b1\" { Bind_Address = \"127.0.0.2\" Ehlo_Hostname = \"b1.example.test\" }\n"
                                         "Ehlo_Hostname = \"default.example.test\"\n"
                                         "Domain \"example.com\" { Routes = ( " + route(mx, 10) + " ) }");
  h.policy.choice = routing::BindingChoice{"b1", ""};
  h.inject("sender@origin.test", {"rcpt@example.com"});
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 1; }));
  h.policy.choice = routing::BindingChoice{};
  h.inject("sender@origin.test", {"rcpt@example.com"});
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 2; }));

  ASSERT_EQ(mx.peers().size(), 2u);
  EXPECT_EQ(mx.peers()[0], "127.0.0.2");
  EXPECT_EQ(mx.ehlos()[0], "b1.example.test");
  EXPECT_EQ(mx.peers()[1], "127.0.0.1");
  EXPECT_EQ(mx.ehlos()[1], "default.example.test");
  const auto d = h.log.main_records("D");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0][8], "b1");
  EXPECT_EQ(d[1][8], "default");
}

TEST(ConnectionManagerDelivery, IdleConnectionQuitsAfterIdleTimeout) {
  CmHarness h("", [](smtp::SmtpSettings& s) { s.timeouts.idle = std::chrono::milliseconds(100); });
  CmSmtpServer mx(h.io, "127.0.0.52");
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route(mx, 10) + " ) }");
  h.inject_many(2, "example.com");
  ASSERT_TRUE(h.run_until(
      [&] { return h.delivered() == 2 && mx.quits() == 1 && mx.open() == 0 && h.cm->open_connections() == 0; }));
  EXPECT_EQ(mx.accepted(), 1u);
}

TEST(ConnectionManagerDelivery, IdleConnectionTakesMailThatArrivesWhileItWaits) {
  CmHarness h("", [](smtp::SmtpSettings& s) { s.timeouts.idle = std::chrono::seconds(60); });
  CmSmtpServer mx(h.io, "127.0.0.53");
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route(mx, 10) + " ) }");
  h.inject_many(1, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 1; }));
  std::optional<DomainDescription> d;
  auto idle = [&] {
    d.reset();
    h.cm->describe_domain("example.com", [&](DomainDescription x) { d = std::move(x); });
    h.run_until([&] { return d.has_value(); });
    return d->records.size() == 1 && d->records[0].connections.size() == 1 &&
           d->records[0].connections[0].state == "idle";
  };
  ASSERT_TRUE(h.run_until(idle));
  h.inject_many(1, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 2; }));
  EXPECT_EQ(mx.accepted(), 1u) << "the idle connection was reused";
  EXPECT_EQ(mx.quits(), 0u);
}

TEST(ConnectionManagerDelivery, RefreshDomainRebuildsTheRecordOnEveryLoop) {
  CmHarness h("");
  CmSmtpServer old_mx(h.io, "127.0.0.54");
  CmSmtpServer new_mx(h.io, "127.0.0.55");
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route(old_mx, 10) + " ) }");
  h.inject_many(1, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 1; }));

  // A reload does not change a built record until it is refreshed (SPEC §3).
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route(new_mx, 10) + " ) }");
  std::optional<std::size_t> started;
  h.cm->refresh_domain("example.com", [&](std::size_t n) { started = n; });
  ASSERT_TRUE(h.run_until([&] { return started.has_value(); }));
  EXPECT_EQ(*started, 1u);
  h.inject_many(1, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 2; }));
  EXPECT_EQ(new_mx.messages().size(), 1u);

  std::optional<DomainDescription> d;
  h.cm->describe_domain("EXAMPLE.com", [&](DomainDescription x) { d = std::move(x); });
  ASSERT_TRUE(h.run_until([&] { return d.has_value(); }));
  ASSERT_EQ(d->records.size(), 1u);
  ASSERT_EQ(d->records[0].hosts.size(), 1u);
  EXPECT_EQ(d->records[0].hosts[0].name, "127.0.0.55");
  EXPECT_EQ(d->records[0].ttl, 300u);
  // The console shows "Domain 'example.com' has 1 MXs and a TTL of 300 seconds", "[10 127.0.0.55 TTL:300]".
  EXPECT_EQ(d->domain, "example.com");
  EXPECT_EQ(d->records[0].remaining_ttl, 300u);
  EXPECT_EQ(d->records[0].hosts[0].preference, 10u);
  EXPECT_EQ(d->records[0].hosts[0].ttl, 300u);
}

TEST(ConnectionManagerDelivery, OutboundThrottleMessagesStopsSendingAndKeepsTheRestQueued) {
  CmHarness h("");
  CmSmtpServer mx(h.io, "127.0.0.56");
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route(mx, 10) +
                                         " ) Outbound_Throttle_Messages = \"2/3600\" }");
  h.inject_many(5, "example.com");
  // Two tokens: two messages, then QUIT instead of idling; the rest wait.
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 2 && mx.quits() == 1 && h.cm->open_connections() == 0; }));
  EXPECT_EQ(h.transients(), 0u);
  EXPECT_EQ(mx.messages().size(), 2u);
  std::vector<queue::QueueSizes> sizes;
  bool got = false;
  h.scheduler->queue_sizes({}, [&](std::vector<queue::QueueSizes> s) {
    sizes = std::move(s);
    got = true;
  });
  ASSERT_TRUE(h.run_until([&] { return got; }));
  ASSERT_EQ(sizes.size(), 1u);
  EXPECT_EQ(sizes[0].active, 3u) << "throttled messages stay in the active queue";
}

TEST(ConnectionManagerDelivery, OutboundThrottleConnectionsLimitsNewConnections) {
  CmHarness h("");
  CmSmtpServer mx(h.io, "127.0.0.57");
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route(mx, 10) +
                                         " ) Outbound_Throttle_Connections = \"1/3600\" "
                                         "Max_Deliveries_Per_Connection = 1 }");
  h.inject_many(3, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 1 && h.cm->open_connections() == 0; }));
  EXPECT_EQ(mx.accepted(), 1u);
  EXPECT_EQ(h.transients(), 0u);
}

TEST(ConnectionManagerDelivery, RecordIsRebuiltOnceItsTtlHasRunOut) {
  CmHarness h("", [](smtp::SmtpSettings& s) { s.timeouts.idle = std::chrono::milliseconds(1); });
  CmSmtpServer old_mx(h.io, "127.0.0.58");
  CmSmtpServer new_mx(h.io, "127.0.0.59");
  auto routes_to = [](const CmSmtpServer& s) {
    return "Domain \"example.com\" { Routes = ( \"smtp://" + s.address() + "?port=" + std::to_string(s.port()) +
           "&ttl=60\" ) }";
  };
  h.config = queue::testing::config_from(routes_to(old_mx));
  h.inject_many(1, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 1 && h.cm->open_connections() == 0; }));
  h.config = queue::testing::config_from(routes_to(new_mx));
  h.inject_many(1, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 2 && h.cm->open_connections() == 0; }));
  EXPECT_EQ(new_mx.messages().size(), 0u) << "the record is kept until its TTL runs out";

  h.clock.advance(std::chrono::seconds(61));
  bool expired = false;
  h.cm->expire_now([&] { expired = true; });
  ASSERT_TRUE(h.run_until([&] { return expired; }));
  std::optional<DomainDescription> d;
  h.cm->describe_domain("example.com", [&](DomainDescription x) { d = std::move(x); });
  ASSERT_TRUE(h.run_until([&] { return d.has_value(); }));
  EXPECT_TRUE(d->records.empty()) << "evicted by the dns_expire_interval sweep";

  h.inject_many(1, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 3; }));
  EXPECT_EQ(new_mx.messages().size(), 1u);
}

TEST(ConnectionManagerDelivery, IdleConnectionToAHostTheRebuiltRecordNoLongerListsIsRetired) {
  // Connections outlive the record here (long idle_timeout): once the TTL has
  // run out and the record is rebuilt from new routes, the idle connection
  // to the old host QUITs and the next message goes to the new host.
  CmHarness h("", [](smtp::SmtpSettings& s) { s.timeouts.idle = std::chrono::seconds(300); });
  CmSmtpServer old_mx(h.io, "127.0.0.60");
  CmSmtpServer new_mx(h.io, "127.0.0.61");
  auto routes_to = [](const CmSmtpServer& s) {
    return "Domain \"example.com\" { Routes = ( \"smtp://" + s.address() + "?port=" + std::to_string(s.port()) +
           "&ttl=60\" ) }";
  };
  h.config = queue::testing::config_from(routes_to(old_mx));
  h.inject_many(1, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 1 && h.cm->open_connections() == 1; }));
  h.config = queue::testing::config_from(routes_to(new_mx));
  h.clock.advance(std::chrono::seconds(61));
  h.inject_many(1, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 2 && old_mx.quits() == 1; }));
  EXPECT_EQ(old_mx.messages().size(), 1u);
  EXPECT_EQ(new_mx.messages().size(), 1u);
}

TEST(ConnectionManagerDelivery, TlsIfAvailableDeliversInPlainTextWhenStartTlsIsNotOffered) {
  CmHarness h("");
  CmSmtpServer mx(h.io, "127.0.0.62");
  h.config = queue::testing::config_from("Domain \"example.com\" { Routes = ( " + route(mx, 10) +
                                         " ) TLS = ifavailable }");
  h.inject_many(3, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 3; }));
  EXPECT_EQ(mx.messages().size(), 3u);
}

TEST(ConnectionManagerDelivery, XclientTellsThePeerTheClientAddressAndHeloRecordedAtReception) {
  CmHarness h("");
  CmSmtpServer mx(h.io, "127.0.0.64");
  mx.advertise_xclient(true);
  h.config = queue::testing::config_from("Domain \"example.com\" { XCLIENT = ifavailable Routes = ( " + route(mx, 10) +
                                         " ) }");
  h.inject("sender@origin.test", {"user@example.com"});  // from 127.0.0.1, HELO client.example.net
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 1; }));
  ASSERT_EQ(mx.xclients().size(), 1u);
  const std::string& line = mx.xclients()[0];
  EXPECT_TRUE(contains(line, "ADDR=127.0.0.1")) << line;
  EXPECT_TRUE(contains(line, "HELO=client.example.net")) << line;
  EXPECT_TRUE(contains(line, "PROTO=ESMTP")) << line;
  EXPECT_FALSE(contains(line, "ADDR=[UNAVAILABLE]")) << line;  // NAME stays unknown: no reverse lookup
}

TEST(ConnectionManagerDelivery, MethodTheSmtpClientDoesNotSpeakFailsTransientlyWithAPaniclogLine) {
  CmHarness h("");
  CmSmtpServer mx(h.io, "127.0.0.63");
  h.config = queue::testing::config_from("Domain \"example.com\" { Delivery_Method = mm7 Routes = ( \"mm7://" +
                                         mx.address() + "?port=" + std::to_string(mx.port()) + "\" ) }");
  h.inject_many(2, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.transients() == 2; }));
  for (const auto& line : h.log.mainlog) {
    if (contains(line, "@T@")) {
      EXPECT_TRUE(contains(line, "451 4.3.5 [internal] delivery method not available")) << line;
    }
  }
  ASSERT_FALSE(h.problems.empty());
  EXPECT_TRUE(contains(h.problems[0], "default/example.com")) << h.problems[0];
  EXPECT_EQ(mx.accepted(), 0u);
}

}  // namespace
}  // namespace impulse::delivery::testing

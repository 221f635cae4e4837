// format_domain_description(): Momentum's `domain NAME` text shape with the
// scheduler's queue lines (reference/momentum.md §8.2 `domain`).
#include <gtest/gtest.h>

#include "console/domain_format.hpp"

namespace impulse::console {
namespace {

using delivery::AddressView;
using delivery::ConnectionView;
using delivery::DomainDescription;
using delivery::HostView;
using delivery::QueueView;
using delivery::RecordView;

RecordView record(std::string binding) {
  RecordView r;
  r.binding = std::move(binding);
  r.ttl = 300;
  r.remaining_ttl = 120;
  HostView h;
  h.preference = 10;
  h.name = "mx1.example.com";
  h.ttl = 300;
  AddressView a;
  a.address = "192.0.2.1";
  h.addresses.push_back(a);
  r.hosts.push_back(h);
  return r;
}

TEST(DomainViewFormat, QueueLinesFollowTheFailureCountOfTheirBinding) {
  DomainDescription d;
  d.domain = "example.com";
  d.records.push_back(record("default"));
  d.queues.push_back(QueueView{"default", 2, 5, 120, 3});
  EXPECT_EQ(format_domain_description(d),
            "Domain 'example.com' has 1 MXs and a TTL of 120 seconds\n"
            "[10 mx1.example.com TTL:300]\n"
            "\t[192.0.2.1] IPv4 (0 open, 0 to host)\n"
            "Domain has had 0 consecutive connection failures\n"
            "Queue: Active: 2 Delayed: 5\n"
            "Deliveries: 120\n"
            "Failures: 3\n"
            "Active Connections: 0\n");
}

TEST(DomainViewFormat, HeldQueueSaysUntilWhenAndWhyAfterItsQueueLines) {
  DomainDescription d;
  d.domain = "example.com";
  QueueView q{"default", 0, 3, 0, 0};
  q.held_until = 1700000600;
  q.held_reason = "no MX could be reached";
  d.queues.push_back(q);
  EXPECT_EQ(format_domain_description(d),
            "Domain 'example.com' has no domain record\n"
            "Queue: Active: 0 Delayed: 3\n"
            "Deliveries: 0\n"
            "Failures: 0\n"
            "Queue held until 1700000600: no MX could be reached\n");
}

TEST(DomainViewFormat, QueueWithoutARecordIsShownAfterNoDomainRecord) {
  DomainDescription d;
  d.domain = "held.test";
  d.queues.push_back(QueueView{"default", 4, 0, 0, 0});
  EXPECT_EQ(format_domain_description(d),
            "Domain 'held.test' has no domain record\n"
            "Queue: Active: 4 Delayed: 0\n"
            "Deliveries: 0\n"
            "Failures: 0\n");

  d.records.push_back(record("b1"));
  d.queues.push_back(QueueView{"b1", 1, 0, 7, 0});
  const std::string text = format_domain_description(d);
  EXPECT_EQ(text.substr(0, 10), "Binding: b");
  EXPECT_NE(text.find("Binding: b1\nDomain 'held.test' has 1 MXs"), std::string::npos) << text;
  EXPECT_NE(text.find("Queue: Active: 1 Delayed: 0\nDeliveries: 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Binding: default\nDomain 'held.test' has no domain record\nQueue: Active: 4 Delayed: 0\n"),
            std::string::npos)
      << text;
}

TEST(DomainViewFormat, NoRecordAndNoQueueIsOneLine) {
  DomainDescription d;
  d.domain = "unknown.test";
  EXPECT_EQ(format_domain_description(d), "Domain 'unknown.test' has no domain record\n");
}

TEST(DomainViewFormat, AddressKindsQuarantineFailuresAndConnections) {
  DomainDescription d;
  d.domain = "example.com";
  RecordView r = record("default");
  r.failure = "no MX answer";
  r.consecutive_failures = 2;
  r.hosts[0].host_connections = 3;
  r.hosts[0].addresses[0].open_connections = 1;
  AddressView dead;
  dead.address = "2001:db8::1";
  dead.ipv6 = true;
  dead.quarantined = true;
  dead.since_failure_s = 12;
  r.hosts[0].addresses.push_back(dead);
  HostView sock;
  sock.preference = 0;
  sock.name = "/run/lmtp";
  sock.ttl = 300;
  AddressView path;
  path.address = "/run/lmtp";
  path.unix_socket = true;
  sock.addresses.push_back(path);
  r.hosts.push_back(sock);
  r.active_connections = 1;
  r.connections.push_back(ConnectionView{"17", "192.0.2.1", "mx1.example.com", "delivering"});
  d.records.push_back(r);
  EXPECT_EQ(format_domain_description(d),
            "Domain 'example.com' has 2 MXs and a TTL of 120 seconds\n"
            "Routing failure: no MX answer\n"
            "[10 mx1.example.com TTL:300]\n"
            "\t[192.0.2.1] IPv4 (1 open, 3 to host)\n"
            "\t* [2001:db8::1] IPv6 (0 open, 3 to host) 12s since failure\n"
            "[0 /run/lmtp TTL:300]\n"
            "\t[/run/lmtp] Unix (0 open, 0 to host)\n"
            "Domain has had 2 consecutive connection failures\n"
            "Active Connections: 1\n"
            "\t[0] ID: 17 IP: 192.0.2.1 State: delivering\n");
}

}  // namespace
}  // namespace impulse::console

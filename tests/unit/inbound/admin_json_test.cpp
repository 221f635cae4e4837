// The JSON of the admin layer's results (SPEC §16 "Administration"): the
// summary's snake_case keys with numbers, the domain report's ttl/mxs/
// queues, queue lines, message details and a refused reload's errors.
#include "inbound/http/admin_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace impulse::inbound::http {
namespace {

namespace json = boost::json;

TEST(AdminJson, SummaryKeysAreSnakeCaseNumbers) {
  admin::Summary s;
  s.outbound_concurrency = 3;
  s.inbound_concurrency = 4;
  s.active = 5;
  s.in_flight = 1;
  s.delayed = 6;
  s.delivered = 7;
  s.failed = 8;
  s.transient_failures = 9;
  s.received = 10;
  s.uptime = std::chrono::seconds(11);
  const json::value want = json::parse(R"({"active_queue_size":5,"delayed_queue_size":6,"total_queue_size":11,
      "outbound_concurrency":3,"inbound_concurrency":4,"received_messages":10,
      "successfully_delivered_messages":7,"failed_messages":8,"transient_failures":9,"uptime":11})");
  EXPECT_EQ(summary_json(s), want) << json::serialize(summary_json(s));
}

delivery::DomainDescription sample_domain() {
  delivery::DomainDescription d;
  d.domain = "example.com";
  delivery::RecordView r;
  r.binding = "default";
  r.ttl = 300;
  r.remaining_ttl = 120;
  r.consecutive_failures = 2;
  r.active_connections = 1;
  delivery::HostView h;
  h.preference = 10;
  h.name = "mx1.example.com";
  h.port = 25;
  h.ttl = 300;
  delivery::AddressView a1;
  a1.address = "192.0.2.1";
  delivery::AddressView a2;
  a2.address = "192.0.2.2";
  a2.quarantined = true;
  h.addresses = {a1, a2};
  r.hosts.push_back(h);
  r.connections.push_back({"17", "192.0.2.1", "mx1.example.com", "delivering"});
  d.records.push_back(r);
  delivery::RecordView other;
  other.binding = "b2";
  other.ttl = 60;
  other.failure = "no MX";
  other.failure_permanent = true;
  d.records.push_back(other);
  d.queues.push_back({.binding = "default", .active = 2, .delayed = 5, .deliveries = 120, .failures = 3});
  d.queues.push_back({.binding = "b2", .active = 0, .delayed = 1, .held_until = 1700000000, .held_reason = "dead"});
  return d;
}

TEST(AdminJson, DomainHasTtlMxsAndQueuesOfTheFirstRecord) {
  const json::value v = domain_json(sample_domain());
  const json::object& o = v.as_object();
  EXPECT_EQ(o.at("domain"), "example.com");
  EXPECT_EQ(o.at("ttl"), 300);
  EXPECT_EQ(o.at("mxs"), json::parse(R"([{"preference":10,"host":"mx1.example.com","port":25,"ttl":300,
      "addresses":["192.0.2.1","192.0.2.2"],"quarantined":["192.0.2.2"]}])"));
  EXPECT_EQ(o.at("queues"), json::parse(R"([
      {"binding":"default","active":2,"delayed":5,"deliveries":120,"failures":3,"held_until":null,"held_reason":null},
      {"binding":"b2","active":0,"delayed":1,"deliveries":0,"failures":0,"held_until":1700000000,"held_reason":"dead"}])"));
  const json::array& records = o.at("records").as_array();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].at("remaining_ttl"), 120);
  EXPECT_EQ(records[0].at("consecutive_failures"), 2);
  EXPECT_EQ(records[0].at("failure"), nullptr);
  EXPECT_EQ(records[0].at("connections"),
            json::parse(R"([{"id":"17","address":"192.0.2.1","host":"mx1.example.com","state":"delivering"}])"));
  EXPECT_EQ(records[1].at("binding"), "b2");
  EXPECT_EQ(records[1].at("failure"), "no MX");
  EXPECT_EQ(records[1].at("failure_permanent"), true);
  EXPECT_EQ(records[1].at("mxs"), json::array{});
}

TEST(AdminJson, DomainWithoutRecordHasNullTtlAndNoMxs) {
  delivery::DomainDescription d;
  d.domain = "queued.example";
  d.queues.push_back({.binding = "default", .active = 1});
  const json::object o = domain_json(d).as_object();
  EXPECT_EQ(o.at("ttl"), nullptr);
  EXPECT_EQ(o.at("mxs"), json::array{});
  EXPECT_EQ(o.at("queues").as_array().size(), 1u);
}

TEST(AdminJson, QueueLines) {
  admin::QueueLine q;
  q.binding_group = "grp";
  q.binding = "b1";
  q.domain = "x.example";
  q.active = 3;
  q.in_flight = 1;
  q.delayed = 4;
  q.received = 9;
  q.delivered = 2;
  q.failed = 1;
  q.suspended = true;
  admin::QueueLine plain;
  plain.binding = "default";
  plain.domain = "y.example";
  plain.held_until = 1234;
  plain.held_reason = "421 busy";
  EXPECT_EQ(queues_json({q, plain}), json::parse(R"([
      {"binding_group":"grp","binding":"b1","domain":"x.example","active":3,"in_flight":1,"delayed":4,
       "received":9,"delivered":2,"failed":1,"suspended":true,"held_until":null,"held_reason":null},
      {"binding_group":null,"binding":"default","domain":"y.example","active":0,"in_flight":0,"delayed":0,
       "received":0,"delivered":0,"failed":0,"suspended":false,"held_until":1234,"held_reason":"421 busy"}])"));
  EXPECT_EQ(queues_json({}), json::array{});
}

TEST(AdminJson, MessageDetailsPerQueue) {
  admin::MessageInfo m;
  m.id = "ignored-the-route-gives-it";
  m.binding = "default";
  m.domain = "x.example";
  m.state = admin::EntryState::kDelayed;
  m.created = 100;
  m.next_attempt = 200;
  m.retries = 2;
  m.size = 512;
  m.sender = "a@b.example";
  m.recipients = {"u1@x.example", "u2@x.example"};
  admin::MessageInfo n = m;
  n.domain = "y.example";
  n.state = admin::EntryState::kInFlight;
  n.recipients = {"v@y.example"};
  EXPECT_EQ(message_json("00AB", {m, n}), json::parse(R"({"id":"00AB","queues":[
      {"binding":"default","domain":"x.example","state":"delayed","created":100,"next_attempt":200,"retries":2,
       "size":512,"sender":"a@b.example","recipients":["u1@x.example","u2@x.example"]},
      {"binding":"default","domain":"y.example","state":"in_flight","created":100,"next_attempt":200,"retries":2,
       "size":512,"sender":"a@b.example","recipients":["v@y.example"]}]})"));
  EXPECT_EQ(entry_state_key(admin::EntryState::kActive), "active");
}

TEST(AdminJson, RefusedReloadListsEveryError) {
  admin::ReloadOutcome r;
  r.errors = {"/etc/impulse.conf:3:1: error: unknown option 'bogus'", "/etc/impulse.conf:9:5: error: bad value"};
  const json::object o = reload_refused_json(r).as_object();
  EXPECT_EQ(o.at("errors"), json::parse(R"(["/etc/impulse.conf:3:1: error: unknown option 'bogus'",
      "/etc/impulse.conf:9:5: error: bad value"])"));
  EXPECT_TRUE(o.at("error").is_string());
  EXPECT_FALSE(o.at("error").as_string().empty());
}

}  // namespace
}  // namespace impulse::inbound::http

// Unit tests for delivery/smtp/dane_lookup.hpp: the questions asked for one
// MX host (MX, address, TLSA) over a fake resolver, what they lead to, the
// deadline, and DaneCache.
#include "delivery/smtp/dane_lookup.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "support/fake_resolver.hpp"

namespace impulse::delivery::smtp {
namespace {

namespace asio = boost::asio;
using dns::RecordType;
using dns::Security;
using dns::Status;

const dns::TlsaRecord kEe{3, 1, 1, std::vector<std::uint8_t>(32, 9)};

// FakeResolver, with a CNAME expansion for chosen names and a DNSSEC state per answer.
class SignedResolver final : public dns::Resolver {
 public:
  test::FakeResolver table;
  std::map<std::string, std::string> cname;  // name -> canonical name of its address answer
  std::map<std::pair<std::string, RecordType>, Security> security;

  void query(const std::string& name, RecordType type, dns::AnswerHandler done) override {
    table.query(name, type, [this, name, type, done = std::move(done)](const dns::Answer& a) {
      dns::Answer copy = a;
      if (auto it = cname.find(name); it != cname.end() && type != RecordType::TLSA) copy.canonical_name = it->second;
      if (auto it = security.find({name, type}); it != security.end()) copy.security = it->second;
      done(copy);
    });
  }

  void secure_chain(const std::string& domain, const std::string& host, std::uint32_t tlsa_ttl = 60) {
    table.mx(domain, {{10, host}}, 600);
    table.a(host, {"192.0.2.7"}, 300);
    dns::Answer tlsa;
    tlsa.status = Status::Ok;
    tlsa.ttl = tlsa_ttl;
    tlsa.tlsa = {kEe};
    table.set(tlsa_name(25, host), RecordType::TLSA, tlsa);
    security[{domain, RecordType::MX}] = Security::kSecure;
    security[{host, RecordType::A}] = Security::kSecure;
    security[{tlsa_name(25, host), RecordType::TLSA}] = Security::kSecure;
  }
};

DaneVerdict run(SignedResolver* dns, DaneQuery query,
                std::chrono::milliseconds within = std::chrono::seconds(5)) {
  asio::io_context io;
  std::optional<DaneVerdict> out;
  asio::co_spawn(io, lookup_dane(dns, std::move(query), std::chrono::steady_clock::now() + within),
                 [&](std::exception_ptr e, DaneVerdict v) {
                   if (e) std::rethrow_exception(e);
                   out = std::move(v);
                 });
  while (!out) {
    io.restart();
    io.poll();
    if (out) break;
    if (dns && dns->table.pump() == 0) {
      io.restart();
      io.run_one();  // nothing to answer: wait for the deadline
    }
  }
  return *out;
}

DaneQuery query_for(std::string domain, std::string host) { return DaneQuery{std::move(domain), std::move(host), 25, false}; }

TEST(DaneLookup, SecureChainWithUsableRecordsIsDane) {
  SignedResolver dns;
  dns.secure_chain("d.test", "mx.d.test");
  const DaneVerdict v = run(&dns, query_for("d.test", "mx.d.test"));
  EXPECT_EQ(v.decision, DaneDecision::kDane);
  EXPECT_EQ(v.records, std::vector<dns::TlsaRecord>{kEe});
  EXPECT_EQ(v.names, (std::vector<std::string>{"mx.d.test", "d.test"}));
  EXPECT_EQ(v.tlsa_name, "_25._tcp.mx.d.test");
  EXPECT_EQ(v.ttl, 60u);  // the smallest TTL of MX (600), A (300), TLSA (60)
}

TEST(DaneLookup, UnsignedMxAsksNoTlsa) {
  SignedResolver dns;
  dns.secure_chain("d.test", "mx.d.test");
  dns.security[{"d.test", RecordType::MX}] = Security::kInsecure;
  const DaneVerdict v = run(&dns, query_for("d.test", "mx.d.test"));
  EXPECT_EQ(v.decision, DaneDecision::kConfigured);
  EXPECT_EQ(v.reason, "MX RRset of d.test is not DNSSEC-signed");
  EXPECT_EQ(dns.table.asked("mx.d.test", RecordType::A), 0);
  EXPECT_EQ(dns.table.asked("_25._tcp.mx.d.test", RecordType::TLSA), 0);
}

TEST(DaneLookup, BogusTlsaDefers) {
  SignedResolver dns;
  dns.secure_chain("d.test", "mx.d.test");
  dns.table.status("_25._tcp.mx.d.test", RecordType::TLSA, Status::ServFail);
  dns.security[{"_25._tcp.mx.d.test", RecordType::TLSA}] = Security::kBogus;
  const DaneVerdict v = run(&dns, query_for("d.test", "mx.d.test"));
  EXPECT_EQ(v.decision, DaneDecision::kDefer);
  EXPECT_EQ(v.reason.rfind("DANE: TLSA lookup for _25._tcp.mx.d.test bogus", 0), 0u) << v.reason;
}

TEST(DaneLookup, SecureDenialFallsBackToTheConfiguration) {
  SignedResolver dns;
  dns.secure_chain("d.test", "mx.d.test");
  dns.table.status("_25._tcp.mx.d.test", RecordType::TLSA, Status::NxDomain);
  const DaneVerdict v = run(&dns, query_for("d.test", "mx.d.test"));
  EXPECT_EQ(v.decision, DaneDecision::kConfigured);
}

TEST(DaneLookup, CnameExpansionIsAskedFirstThenTheOriginalName) {
  SignedResolver dns;
  dns.secure_chain("d.test", "mx.d.test");
  dns.cname["mx.d.test"] = "real.hosting.test";
  const DaneVerdict v = run(&dns, query_for("d.test", "mx.d.test"));
  EXPECT_EQ(dns.table.asked("_25._tcp.real.hosting.test", RecordType::TLSA), 1);  // NXDOMAIN in the table
  EXPECT_EQ(v.decision, DaneDecision::kDane);
  EXPECT_EQ(v.names, (std::vector<std::string>{"mx.d.test", "d.test"}));
}

TEST(DaneLookup, ThePortConnectedToNamesTheTlsaRecord) {
  SignedResolver dns;
  dns.secure_chain("d.test", "mx.d.test");
  const DaneVerdict v = run(&dns, DaneQuery{"d.test", "mx.d.test", 2525, false});
  EXPECT_EQ(dns.table.asked("_2525._tcp.mx.d.test", RecordType::TLSA), 1);
  EXPECT_EQ(v.decision, DaneDecision::kConfigured);  // no records there
}

TEST(DaneLookup, Ipv6TargetsAskAaaa) {
  SignedResolver dns;
  dns.secure_chain("d.test", "mx.d.test");
  run(&dns, DaneQuery{"d.test", "mx.d.test", 25, true});
  EXPECT_EQ(dns.table.asked("mx.d.test", RecordType::AAAA), 1);
  EXPECT_EQ(dns.table.asked("mx.d.test", RecordType::A), 0);
}

TEST(DaneLookup, IpLiteralHostsAskNothing) {
  SignedResolver dns;
  const DaneVerdict v = run(&dns, query_for("d.test", "192.0.2.7"));
  EXPECT_EQ(v.decision, DaneDecision::kConfigured);
  EXPECT_EQ(dns.table.total_asked(), 0);
}

TEST(DaneLookup, NoResolverDefers) {
  const DaneVerdict v = run(nullptr, query_for("d.test", "mx.d.test"));
  EXPECT_EQ(v.decision, DaneDecision::kDefer);
}

TEST(DaneLookup, NoAnswerBeforeTheDeadlineDefers) {
  SignedResolver dns;
  dns.secure_chain("d.test", "mx.d.test");
  asio::io_context io;
  std::optional<DaneVerdict> out;
  asio::co_spawn(io, lookup_dane(&dns, query_for("d.test", "mx.d.test"),
                                 std::chrono::steady_clock::now() + std::chrono::milliseconds(20)),
                 [&](std::exception_ptr, DaneVerdict v) { out = std::move(v); });
  io.run();  // nobody pumps the fake: the deadline ends it
  ASSERT_TRUE(out);
  EXPECT_EQ(out->decision, DaneDecision::kDefer);
  EXPECT_NE(out->reason.find("timeout"), std::string::npos) << out->reason;
}

bool enabled(std::string_view text, const std::string& binding, const std::string& domain) {
  auto config = config::load_config_text(text, "t.conf");
  if (!config) {
    for (const auto& d : config.error()) ADD_FAILURE() << d.str();
    return false;
  }
  return dane_enabled(**config, config::OutboundKey{binding, domain});
}

TEST(DaneEnabled, UseDaneOrItsSynonymEnableDaneWhereSet) {
  EXPECT_FALSE(enabled("", "default", "y.com"));
  EXPECT_TRUE(enabled("use_dane = true\n", "default", "y.com"));
  EXPECT_TRUE(enabled("domain \"y.com\" {\n  use_dane = true\n}\n", "default", "y.com"));
  EXPECT_FALSE(enabled("domain \"y.com\" {\n  use_dane = true\n}\n", "default", "z.com"));
  // enable_dane = false in a binding turns it off there only
  const char* off = "use_dane = true\nbinding \"b\" {\n  enable_dane = false\n}\n";
  EXPECT_FALSE(enabled(off, "b", "y.com"));
  EXPECT_TRUE(enabled(off, "default", "y.com"));
  // enable_dane = true in a binding turns it on there (SPEC §19: a synonym)
  const char* on = "binding \"b\" {\n  enable_dane = true\n}\n";
  EXPECT_TRUE(enabled(on, "b", "y.com"));
  EXPECT_FALSE(enabled(on, "default", "y.com"));
}

TEST(DaneCacheTest, KeepsVerdictsForTheirTtlButNotDeferrals) {
  DaneCache cache;
  const auto now = std::chrono::steady_clock::now();
  const DaneQuery q = query_for("d.test", "mx.d.test");
  auto dane = std::make_shared<DaneVerdict>();
  dane->decision = DaneDecision::kDane;
  dane->ttl = 60;
  cache.put(q, dane, now);
  EXPECT_EQ(cache.find(q, now + std::chrono::seconds(59)), dane);
  EXPECT_EQ(cache.find(q, now + std::chrono::seconds(60)), nullptr);
  EXPECT_EQ(cache.find(DaneQuery{"d.test", "mx.d.test", 2525, false}, now), nullptr);

  auto defer = std::make_shared<DaneVerdict>();
  defer->decision = DaneDecision::kDefer;
  defer->ttl = 60;
  const DaneQuery other = query_for("e.test", "mx.e.test");
  cache.put(other, defer, now);
  EXPECT_EQ(cache.find(other, now), nullptr);
}

}  // namespace
}  // namespace impulse::delivery::smtp

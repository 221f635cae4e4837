// Shared helpers for the routing unit tests: parse route items and CIDRs
// (failing the test on a parse error), build inputs, and build a domain
// record through the builder with a test::FakeResolver.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "config/net.hpp"
#include "config/route_item.hpp"
#include "routing/domain_record_builder.hpp"
#include "routing/random_source.hpp"
#include "routing/route_inputs.hpp"
#include "support/fake_resolver.hpp"

namespace impulse::routing::testing {

using test::ip;

inline config::RouteItem route(std::string_view text) {
  auto item = config::parse_route_item(text);
  if (!item) throw std::invalid_argument("bad route in test: " + item.error());
  return *item;
}

inline std::vector<config::RouteItem> routes(std::initializer_list<const char*> items) {
  std::vector<config::RouteItem> out;
  for (const char* text : items) out.push_back(route(text));
  return out;
}

inline config::Endpoint endpoint(std::string_view text) {
  auto parsed = config::parse_endpoint(text);
  if (!parsed) throw std::invalid_argument("bad endpoint in test: " + parsed.error());
  return *parsed;
}

inline config::Cidr cidr(std::string_view text) {
  auto parsed = config::parse_cidr(text);
  if (!parsed) throw std::invalid_argument("bad CIDR in test: " + parsed.error());
  return *parsed;
}

inline std::vector<std::string> address_texts(const RouteHost& host) {
  std::vector<std::string> out;
  for (const auto& a : host.addresses) out.push_back(a.str());
  return out;
}

// Builds a record for (binding "default", domain) and pumps the resolver
// until it is done.
class BuilderFixture : public ::testing::Test {
 protected:
  std::shared_ptr<const DomainRecord> build(const std::string& domain, const RouteInputs& inputs,
                                            std::uint32_t previous_dns_failures = 0) {
    std::shared_ptr<const DomainRecord> result;
    int calls = 0;
    builder_.build(RecordKey{"default", domain}, inputs, previous_dns_failures,
                   [&](std::shared_ptr<const DomainRecord> record) {
                     result = std::move(record);
                     ++calls;
                   });
    dns_.pump();
    EXPECT_EQ(calls, 1) << "the builder must call back exactly once";
    return result;
  }

  test::FakeResolver dns_;
  ManualClock clock_;
  SeededRandom random_{42};
  DomainRecordBuilder builder_{dns_, clock_, random_};
};

}  // namespace impulse::routing::testing

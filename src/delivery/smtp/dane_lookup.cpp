// Implementation of delivery/smtp/dane_lookup.hpp.
#include "delivery/smtp/dane_lookup.hpp"

#include <algorithm>

#include "delivery/smtp/dane_gate.hpp"
#include "dns/ask.hpp"
#include "dns/dns_name.hpp"

namespace impulse::delivery::smtp {

using boost::asio::awaitable;
using Deadline = std::chrono::steady_clock::time_point;

namespace {

DaneVerdict from_gate(const DaneGate& gate) {
  DaneVerdict v;
  v.decision = gate.step == DaneGateStep::kDefer ? DaneDecision::kDefer : DaneDecision::kConfigured;
  v.reason = gate.reason;
  v.ttl = gate.ttl;
  return v;
}

}  // namespace

bool dane_enabled(const config::Config& config, const config::OutboundKey& key) {
  // SPEC §19: enable_dane is use_dane's synonym in the outbound scopes;
  // reference/momentum.md §3: its default is "true when use_dane". So an
  // enable_dane set along the chain decides, else use_dane does.
  const auto enable = config.resolve(key, "enable_dane");
  if (enable.value != nullptr && !enable.is_default()) return enable.value->as_bool();
  const auto use = config.resolve(key, "use_dane");
  return use.value != nullptr && use.value->as_bool();
}

awaitable<DaneVerdict> lookup_dane(dns::Resolver* resolver, DaneQuery query, Deadline deadline) {
  if (ip_literal(query.host)) {
    DaneVerdict v;
    v.reason = "host " + query.host + " is an IP address";
    co_return v;
  }
  if (resolver == nullptr) {
    DaneVerdict v;
    v.decision = DaneDecision::kDefer;
    v.reason = "DANE: no DNS resolver for the TLSA lookup of " + tlsa_name(query.port, query.host);
    co_return v;
  }
  const dns::Answer mx = co_await dns::ask(*resolver, query.domain, dns::RecordType::MX, deadline);
  const DaneGate mx_gate = dane_mx_gate(mx, query.domain, query.host);
  if (mx_gate.step != DaneGateStep::kLookTlsa) co_return from_gate(mx_gate);

  const dns::Answer address =
      co_await dns::ask(*resolver, query.host, query.ipv6 ? dns::RecordType::AAAA : dns::RecordType::A, deadline);
  const DaneGate gate = dane_address_gate(address, query.host);
  if (gate.step != DaneGateStep::kLookTlsa) {
    DaneVerdict v = from_gate(gate);
    v.ttl = std::min(v.ttl, mx_gate.ttl);
    co_return v;
  }

  DaneVerdict verdict;
  for (const std::string& base : gate.tlsa_bases) {
    const dns::Answer tlsa = co_await dns::ask(*resolver, tlsa_name(query.port, base), dns::RecordType::TLSA, deadline);
    verdict = dane_verdict(tlsa);
    verdict.ttl = std::min({verdict.ttl, gate.ttl, mx_gate.ttl});
    // A denied name under a CNAME expansion: the original name may have records.
    const bool denied = tlsa.status == dns::Status::NoData || tlsa.status == dns::Status::NxDomain;
    if (verdict.decision != DaneDecision::kConfigured || !denied) {
      if (verdict.decision == DaneDecision::kDane) {
        verdict.names.push_back(base);
        for (const std::string* n : {&query.host, &query.domain}) {
          const std::string name = dns::display_name(*n);
          if (std::find(verdict.names.begin(), verdict.names.end(), name) == verdict.names.end())
            verdict.names.push_back(name);
        }
      }
      break;
    }
  }
  co_return verdict;
}

DaneCache::Key DaneCache::key_of(const DaneQuery& query) {
  return {dns::display_name(query.domain), dns::display_name(query.host), query.port, query.ipv6};
}

std::shared_ptr<const DaneVerdict> DaneCache::find(const DaneQuery& query, Clock::time_point now) const {
  auto it = entries_.find(key_of(query));
  if (it == entries_.end() || now >= it->second.expires) return nullptr;
  return it->second.verdict;
}

void DaneCache::put(const DaneQuery& query, std::shared_ptr<const DaneVerdict> verdict, Clock::time_point now) {
  if (!verdict || verdict->decision == DaneDecision::kDefer || verdict->ttl == 0) return;
  if (entries_.size() >= 4096) std::erase_if(entries_, [now](const auto& e) { return now >= e.second.expires; });
  const auto expires = now + std::chrono::seconds(verdict->ttl);
  entries_[key_of(query)] = Entry{std::move(verdict), expires};
}

}  // namespace impulse::delivery::smtp

#include "routing/domain_record_builder.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include "routing/route_plan.hpp"

namespace impulse::routing {
namespace {

void lower_ttl(std::optional<std::uint32_t>& slot, std::uint32_t value) {
  slot = slot ? std::min(*slot, value) : value;
}

// The TTL an answer contributes: records' TTL when found; the negative TTL
// when the resolver knows it (0 = unknown, contributes nothing); a short
// retry TTL for a failed lookup.
std::optional<std::uint32_t> answer_ttl(const dns::Answer& answer) {
  switch (answer.status) {
    case dns::Status::Ok: return answer.ttl;
    case dns::Status::NoData:
    case dns::Status::NxDomain:
      if (answer.ttl > 0) return answer.ttl;
      return std::nullopt;
    case dns::Status::ServFail:
    case dns::Status::Timeout: return kDnsFailureRetryTtl;
  }
  return std::nullopt;
}

bool is_dns_failure(dns::Status status) {
  return status == dns::Status::ServFail || status == dns::Status::Timeout;
}

bool in_any(const std::vector<config::Cidr>& cidrs, const config::IpAddress& ip) {
  return std::any_of(cidrs.begin(), cidrs.end(), [&](const config::Cidr& cidr) { return cidr.contains(ip); });
}

struct HostDraft {
  std::string name;
  std::uint32_t mx_preference = 0;
  std::vector<config::IpAddress> v4;
  std::vector<config::IpAddress> v6;
  std::optional<std::uint32_t> ttl;  // min TTL of the answers that produced this host
  bool dns_failure = false;
  std::string socket_path;  // a Socket target: no addresses, no lookup
};

struct TargetState {
  enum class Outcome { Ok, NullMx, NxDomain, DnsFailure };
  Outcome outcome = Outcome::Ok;
  std::optional<std::uint32_t> ttl;  // min TTL of the target's own (MX) answers
  std::vector<HostDraft> hosts;
};

class Build : public std::enable_shared_from_this<Build> {
 public:
  Build(dns::Resolver& resolver, const Clock& clock, RandomSource& random, RecordKey key, RouteInputs inputs,
        std::uint32_t previous_dns_failures, DomainRecordBuilder::Done done)
      : resolver_(resolver),
        clock_(clock),
        random_(random),
        key_(std::move(key)),
        inputs_(std::move(inputs)),
        previous_dns_failures_(previous_dns_failures),
        done_(std::move(done)) {}

  void start() {
    auto plan = plan_routes(inputs_, key_.domain);
    if (!plan) {
      finish_with(plan.error(), clamp_ttl(kDnsFailureRetryTtl), 0);
      return;
    }
    plan_ = std::move(*plan);
    targets_.resize(plan_.targets.size());
    hold();  // keeps finish() from running while queries are still being issued
    for (std::size_t ti = 0; ti < plan_.targets.size(); ++ti) {
      const RouteTarget& target = plan_.targets[ti];
      switch (target.kind) {
        case RouteTarget::Kind::Literal: {
          HostDraft host;
          host.name = target.name;
          (target.ip->v6 ? host.v6 : host.v4).push_back(*target.ip);
          targets_[ti].hosts.push_back(std::move(host));
          break;
        }
        case RouteTarget::Kind::Socket: {
          HostDraft host;
          host.name = target.name;
          host.socket_path = target.name;
          targets_[ti].hosts.push_back(std::move(host));
          break;
        }
        case RouteTarget::Kind::DomainMx:
          query_mx(ti);
          break;
        case RouteTarget::Kind::Host:
          if (target.lookup == config::RouteItem::Lookup::Mx) {
            query_mx(ti);
          } else {
            add_host(ti, target.name, 0, std::nullopt);
          }
          break;
      }
    }
    release();
  }

 private:
  void hold() { ++pending_; }
  void release() {
    if (--pending_ == 0) finish();
  }

  void query_mx(std::size_t ti) {
    hold();
    resolver_.query(plan_.targets[ti].name, dns::RecordType::MX,
                    [self = shared_from_this(), ti](const dns::Answer& answer) { self->on_mx(ti, answer); });
  }

  void on_mx(std::size_t ti, const dns::Answer& answer) {
    TargetState& state = targets_[ti];
    if (auto ttl = answer_ttl(answer)) lower_ttl(state.ttl, *ttl);
    switch (answer.status) {
      case dns::Status::Ok:
        if (answer.is_null_mx()) {
          state.outcome = TargetState::Outcome::NullMx;
          break;
        }
        for (const auto& mx : answer.mx) {
          if (!mx.exchange.empty()) add_host(ti, normalize_domain(mx.exchange), mx.preference, answer.ttl);
        }
        break;
      case dns::Status::NoData:  // no MX: the name itself is the implicit MX, preference 0
        add_host(ti, plan_.targets[ti].name, 0, std::nullopt);
        break;
      case dns::Status::NxDomain:
        state.outcome = TargetState::Outcome::NxDomain;
        break;
      case dns::Status::ServFail:
      case dns::Status::Timeout:
        state.outcome = TargetState::Outcome::DnsFailure;
        break;
    }
    release();
  }

  void add_host(std::size_t ti, std::string name, std::uint32_t mx_preference, std::optional<std::uint32_t> ttl) {
    HostDraft host;
    host.name = std::move(name);
    host.mx_preference = mx_preference;
    host.ttl = ttl;
    targets_[ti].hosts.push_back(std::move(host));
    const std::size_t hi = targets_[ti].hosts.size() - 1;
    query_address(ti, hi, dns::RecordType::A);
    if (inputs_.use_ipv6) query_address(ti, hi, dns::RecordType::AAAA);
  }

  void query_address(std::size_t ti, std::size_t hi, dns::RecordType type) {
    hold();
    resolver_.query(targets_[ti].hosts[hi].name, type,
                    [self = shared_from_this(), ti, hi, type](const dns::Answer& answer) {
                      self->on_address(ti, hi, type, answer);
                    });
  }

  void on_address(std::size_t ti, std::size_t hi, dns::RecordType type, const dns::Answer& answer) {
    HostDraft& host = targets_[ti].hosts[hi];
    if (auto ttl = answer_ttl(answer)) lower_ttl(host.ttl, *ttl);
    if (is_dns_failure(answer.status)) host.dns_failure = true;
    if (answer.status == dns::Status::Ok) {
      const bool want_v6 = type == dns::RecordType::AAAA;
      for (const auto& ip : answer.addresses) {
        if (ip.v6 == want_v6) (want_v6 ? host.v6 : host.v4).push_back(ip);
      }
    }
    release();
  }

  std::uint32_t clamp_ttl(std::uint32_t ttl) const {
    return std::clamp(ttl, inputs_.min_dns_ttl, std::max(inputs_.min_dns_ttl, inputs_.max_dns_ttl));
  }

  void finish() {
    std::vector<RouteHost> hosts;
    std::optional<std::uint32_t> record_ttl;
    bool prohibited = false;
    bool dns_failure = false;
    bool null_mx = false;
    bool nxdomain = false;

    for (std::size_t ti = 0; ti < plan_.targets.size(); ++ti) {
      const RouteTarget& target = plan_.targets[ti];
      const TargetState& state = targets_[ti];
      dns_failure |= state.outcome == TargetState::Outcome::DnsFailure;
      null_mx |= state.outcome == TargetState::Outcome::NullMx;
      nxdomain |= state.outcome == TargetState::Outcome::NxDomain;

      std::optional<std::uint32_t> target_ttl = state.ttl;
      if (target.ttl) lower_ttl(target_ttl, *target.ttl);
      for (const HostDraft& draft : state.hosts) {
        dns_failure |= draft.dns_failure;
        RouteHost host;
        host.name = draft.name;
        host.preference = target.preference_for(draft.mx_preference);
        host.port = target.port;
        host.scheme = target.scheme;
        host.path = target.path;
        host.socket_path = draft.socket_path;  // Prohibited/Skip_Hosts are CIDRs: a socket has no IP
        std::optional<std::uint32_t> host_ttl = draft.ttl;
        if (target.ttl) lower_ttl(host_ttl, *target.ttl);
        if (host_ttl) lower_ttl(target_ttl, *host_ttl);
        host.ttl = host_ttl.value_or(kDefaultRouteTtl);

        const auto& first = inputs_.prefer_ipv6_mxs ? draft.v6 : draft.v4;
        const auto& second = inputs_.prefer_ipv6_mxs ? draft.v4 : draft.v6;
        for (const auto* family : {&first, &second}) {
          for (const auto& ip : *family) {
            if (in_any(inputs_.prohibited_hosts, ip)) {
              prohibited = true;
            } else if (!in_any(inputs_.skip_hosts, ip)) {
              host.addresses.push_back(ip);
            }
          }
        }
        hosts.push_back(std::move(host));
      }
      lower_ttl(record_ttl, target_ttl.value_or(kDefaultRouteTtl));
    }

    order_hosts(hosts);
    const bool usable = std::any_of(hosts.begin(), hosts.end(), [](const RouteHost& h) { return h.connectable(); });
    const std::uint32_t ttl = clamp_ttl(record_ttl.value_or(kDefaultRouteTtl));

    std::optional<RoutingFailure> failure;
    std::uint32_t dns_failures = 0;
    if (prohibited) {
      failure = permanent_failure(kProhibitedAddressText);
    } else if (usable) {
      // a usable record clears the failure count
    } else if (dns_failure) {
      dns_failures = previous_dns_failures_ + 1;
      const auto purge = inputs_.dns_failures_to_purge;
      failure = purge > 0 && dns_failures >= purge ? permanent_failure(kDomainLookupFailedText)
                                                   : transient_failure(kDnsTemporaryFailureText);
    } else if (null_mx) {
      failure = permanent_failure(kNullMxText);
    } else if (nxdomain) {
      failure = permanent_failure(kDomainLookupFailedText);
    } else {
      failure = transient_failure(kNoMxOrAText);
    }
    finish_with(std::move(failure), ttl, dns_failures, std::move(hosts));
  }

  // Lowest preference first; one entry per (name, port), keeping its best
  // preference; equal preferences shuffled (RFC 5321 §5.1).
  void order_hosts(std::vector<RouteHost>& hosts) {
    auto by_preference = [](const RouteHost& a, const RouteHost& b) { return a.preference < b.preference; };
    std::stable_sort(hosts.begin(), hosts.end(), by_preference);
    std::vector<RouteHost> unique;
    for (auto& host : hosts) {
      const bool seen = std::any_of(unique.begin(), unique.end(), [&](const RouteHost& u) {
        return u.name == host.name && u.port == host.port;
      });
      if (!seen) unique.push_back(std::move(host));
    }
    for (std::size_t i = unique.size(); i > 1; --i) {
      std::swap(unique[i - 1], unique[random_.below(i)]);
    }
    std::stable_sort(unique.begin(), unique.end(), by_preference);
    hosts = std::move(unique);
  }

  void finish_with(std::optional<RoutingFailure> failure, std::uint32_t ttl, std::uint32_t dns_failures,
                   std::vector<RouteHost> hosts = {}) {
    auto record = std::make_shared<DomainRecord>();
    record->key = key_;
    record->method = inputs_.method;
    record->hosts = std::move(hosts);
    record->ttl = ttl;
    record->built_at = clock_.now();
    record->expires_at = record->built_at + std::chrono::seconds(ttl);
    record->failure = std::move(failure);
    record->dns_failures = dns_failures;
    auto done = std::move(done_);
    done(std::move(record));
  }

  dns::Resolver& resolver_;
  const Clock& clock_;
  RandomSource& random_;
  RecordKey key_;
  RouteInputs inputs_;
  std::uint32_t previous_dns_failures_;
  DomainRecordBuilder::Done done_;
  RoutePlan plan_;
  std::vector<TargetState> targets_;
  std::size_t pending_ = 0;
};

}  // namespace

void DomainRecordBuilder::build(const RecordKey& key, const RouteInputs& inputs, std::uint32_t previous_dns_failures,
                                Done done) {
  auto build = std::make_shared<Build>(resolver_, clock_, random_, key, inputs, previous_dns_failures, std::move(done));
  build->start();
}

}  // namespace impulse::routing

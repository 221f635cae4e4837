// The resolver each DeliveryLoop builds its domain records with: one
// dns::Resolver per event loop (dns/unbound_resolver.hpp), options from the
// global configuration (SPEC §2 `Nameservers`; reference/momentum.md §2.5
// `resolv_conf`), and the query deadline `dns_query_timeout` (global,
// default 20 s; an Impulse extension: a nameserver that never answers gives
// Status::Timeout, a transient failure, after it).
//
// Leaves to others: caching and TTLs (routing::DomainRecordCache), the
// queries themselves (dns/).
// Executor: the factory is called once per loop, before the loop runs or on
// it; the resolver it returns belongs to that loop. Failure modes: a bad
// nameserver entry or unreadable resolv.conf is an Error from the factory
// (ConnectionManager::create returns it).
#pragma once

#include <functional>
#include <memory>

#include "base/error.hpp"
#include "config/config.hpp"
#include "dns/resolver.hpp"
#include "dns/resolver_options.hpp"

namespace boost::asio {
class io_context;
}

namespace impulse::delivery {

using ResolverFactory = std::function<Result<std::unique_ptr<dns::Resolver>>(boost::asio::io_context&)>;

// Global Nameservers / resolv_conf of the snapshot.
dns::ResolverOptions resolver_options_from_config(const config::Config& config);

// UnboundResolver per loop, with the options above (read once, at start:
// changing them needs a restart).
ResolverFactory unbound_resolver_factory(const config::Config& config);

}  // namespace impulse::delivery

// The console's text of `domain NAME` (SPEC §7; reference/momentum.md §8.2
// `domain`): Momentum's shape for the connection manager's
// delivery::DomainDescription with its queue lines (admin::Admin::domain
// fills them):
//
//   Domain 'example.com' has 2 MXs and a TTL of 300 seconds
//   [10 mx1.example.com TTL:300]
//   	[192.0.2.1] IPv4 (1 open, 3 to host)
//   	* [192.0.2.2] IPv4 12s since failure
//   [0 /run/dovecot/lmtp TTL:300]          (a Gateway/route "unix:/path")
//   	[/run/dovecot/lmtp] Unix (0 open, 0 to host)
//   Domain has had 0 consecutive connection failures
//   Queue: Active: 2 Delayed: 5
//   Deliveries: 120
//   Failures: 3
//   Active Connections: 1
//   	[1] ID: 17 IP: 192.0.2.1 State: delivering
//
// One block per binding with a record ("Binding: NAME" first unless the
// only block is "default's"); a queue whose binding has no record is shown
// after "has no domain record". Pure; any thread.
#pragma once

#include <string>

#include "delivery/connection_manager_view.hpp"

namespace impulse::console {

std::string format_domain_description(const delivery::DomainDescription& description);

}  // namespace impulse::console

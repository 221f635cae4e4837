// Translates a `Nameservers` entry into libunbound's forwarder syntax:
// "127.0.0.1:5353" -> "127.0.0.1@5353", "[::1]:53" -> "::1@53",
// "10.0.0.1" and bare "::1" -> port 53. Only IP literals: a forwarder named
// by hostname would need DNS to find DNS. Pure; no executor. A bad entry is
// an Error whose message says what was expected (for the config loader).
// SPEC §2 (Nameservers); reference/protocols.md §8.1 (ub_ctx_set_fwd "@port").
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace impulse::dns {

constexpr unsigned kDnsPort = 53;

Result<std::string> unbound_forwarder(std::string_view nameserver);

}  // namespace impulse::dns

// ResolverOptions: how the libunbound resolver finds DNS servers and how
// long one query may take. Plain data filled in from the configuration
// snapshot (global `Nameservers`, `resolv_conf`) by whoever builds the
// resolver; this header neither parses configuration nor validates (the
// resolver's create() rejects bad nameserver text). Owned by value; no
// executor. SPEC §2 (Nameservers), reference/momentum.md §2.5.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace impulse::dns {

struct ResolverOptions {
  // `Nameservers`: "127.0.0.1:5353", "[::1]:53", "10.0.0.1" (port 53),
  // "::1" (bare IPv6, port 53). When non-empty every query is forwarded to
  // these servers (libunbound picks among them by round-trip time and
  // fails over when one stops answering), and libunbound's built-in local
  // zones (test., invalid., localhost., onion., home.arpa., the RFC 6303
  // reverse zones) are removed so those names are asked too.
  std::vector<std::string> nameservers;

  // `resolv_conf`: used only when `nameservers` is empty. Its nameservers
  // become forwarders (search/ndots are ignored: names are absolute). Empty
  // means /etc/resolv.conf.
  std::string resolv_conf;

  // `dns_query_timeout`: the deadline of one query() call, from the call to
  // its callback. On expiry the caller gets Status::Timeout. libunbound
  // gives up on its own (SERVFAIL) after ~17 s of silence from a forwarder.
  std::chrono::milliseconds query_timeout{std::chrono::seconds(20)};

  // `DNSSEC_Trust_Anchor_File`: DS/DNSKEY records in zone-file format.
  // Empty: no DNSSEC validation (every answer Security::kInsecure).
  std::string trust_anchor_file;
};

}  // namespace impulse::dns

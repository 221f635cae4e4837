// ListenerSettings: the resolved options of one `Listen` address of an
// ESMTP_Listener (SPEC §6; reference/momentum.md §11.1). The daemon wiring
// fills it from config::Config::resolve_listener (listener -> Listen ->
// global fallback); the inbound code never reads the configuration itself.
// A plain value, copied into the listener at open(); any thread.
//
// Relaying (SPEC §6 "never an open relay by default"): a client may give
// RCPT only if its address is inside one of relay_hosts. An empty list
// means nobody may relay: every RCPT gets `550 5.7.1 relaying denied`. The
// shipped etc/impulse.conf sets Relay_Hosts = ( "127.0.0.0/8" "::1" ).
// IPv4-mapped IPv6 peers (::ffff:a.b.c.d) are matched as IPv4.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/net.hpp"

namespace impulse::inbound {

class AuthPasswords;  // esmtp_auth_passwords.hpp

// MCMT_Reception (SPEC §11): what an MCMT message gets at the end of DATA.
enum class McmtReception {
  kPassthru,  // stored unchanged (the default)
  kAllow,     // structure checked (554 5.6.0 if bad); email recipients get its rfc822 part
  kReject,    // 554 5.6.0 MCMT messages are not accepted here
};

struct ListenerSettings {
  // Where to listen: an IP literal without brackets ("127.0.0.1", "::1",
  // "0.0.0.0", "::") and a port (0 = any free port; see EsmtpListener::port).
  std::string address = "127.0.0.1";
  std::uint16_t port = 25;

  std::string hostname = "localhost";        // Banner_Hostname: banner, EHLO and 421 texts
  std::uint64_t max_message_size = 0;        // Max_Message_Size, octets; 0 = no limit
  std::size_t max_recipients_per_message = 0;  // Max_Recipients_Per_Message; 0 = no limit
  // Idle_Time: deadline of every read and write. 0 (Momentum's "no limit")
  // still gets RFC 5321 §4.5.3.2's five-minute server timeout.
  std::chrono::seconds idle_time{300};
  std::vector<config::Cidr> relay_hosts;     // Relay_Hosts
  std::string tls_certificate;               // TLS_Certificate (PEM); STARTTLS offered when
  std::string tls_key;                       // both this and TLS_Key (PEM) are set
  std::size_t max_errors = 10;               // bad commands before `421 4.7.0` and close
  // MCMT_Reception for a client address (Peer scopes, else Listen, else the
  // listener); the wiring resolves it from the configuration snapshot
  // (apps/impulsed/mcmt_reception_from_config.cpp). Empty = passthru.
  std::function<McmtReception(std::string_view peer_ip)> mcmt_reception;
  // SMTP AUTH (SPEC §19): the users of Auth_Password_File for the running
  // configuration (the wiring re-reads the file after a reload); empty or
  // returning null = AUTH not offered. Called from any loop.
  std::function<std::shared_ptr<const AuthPasswords>()> auth_passwords;
  bool auth_allow_plaintext = false;  // Auth_Allow_Plaintext: AUTH also before STARTTLS

  // "127.0.0.1:2525", "[::1]:2525" (queue::Origin::listener_address).
  std::string display_address() const;
  bool tls_configured() const { return !tls_certificate.empty() && !tls_key.empty(); }
};

// Whether `peer` is inside relay_hosts (false for an empty list).
bool relay_allowed(const ListenerSettings& settings, const config::IpAddress& peer);

// The idle deadline actually applied (idle_time, or 300 s when it is 0).
std::chrono::seconds effective_idle_time(const ListenerSettings& settings);

}  // namespace impulse::inbound

// EcstreamListenerSettings: the resolved options of one `Listen` address
// of the ECStream_Listener (SPEC §15; reference/momentum.md §9.5). The
// daemon wiring fills it from config::Config::resolve_listener; the inbound
// code never reads the configuration itself. A plain value, copied into
// the listener at open(); any thread.
//
// Reuses ListenerSettings for what every injection listener has: the
// address, Max_Message_Size, Relay_Hosts (empty = nobody may inject: every
// MESSAGE gets `550 5.7.1 relaying denied`), TLS_Certificate/TLS_Key and
// the idle deadline (here ECStream_Idle_Time). When TLS is configured the
// whole connection is TLS from its first octet (no STARTTLS step).
#pragma once

#include <cstdint>
#include <string>

#include "inbound/listener_settings.hpp"

namespace impulse::inbound {

struct EcstreamListenerSettings {
  // address, port, hostname (the GREETING's name), max_message_size,
  // idle_time (= ECStream_Idle_Time, default 300 s), relay_hosts, tls_*.
  ListenerSettings listen;
  // ECStream_Max_Batch_Size: the window announced in GREETING, the
  // MESSAGE frames a client may have unanswered (and so the spool
  // commits one connection may have under way at once).
  std::uint32_t max_batch_size = 10000;
  // TLS_Client_CA (PEM): when set, a client must present a certificate
  // signed by it (the TLS handshake fails otherwise).
  std::string tls_client_ca;
  // Reconfig_Message: the GOAWAY text of a stopping listener.
  std::string reconfig_message = "4.3.2 Reconfiguration in progress";
};

}  // namespace impulse::inbound

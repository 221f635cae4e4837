// EcstreamSettings: what one ECSTREAM client connection needs from the
// configuration, as plain values (SPEC §15; reference/momentum.md §9.5).
// Filled for a (binding, domain) by ecstream_settings_from_config; tests
// fill it by hand. Shared read-only by the sessions of one queue; any thread.
//
// Deadlines (docs/architecture.md rule 5):
//   timeout  ECStream_Timeout (600 s): the TCP connect, the TLS handshake,
//            the receiver's GREETING, each write, and the REPLY to each
//            MESSAGE (counted from when it was handed to the session)
//   idle     Idle_Timeout: how long an idle connection waits for more work
// TLS is as for SMTP (tls, tls_verify, tls_ca, tls_certificate, tls_key,
// tls_ciphers; reused from the SMTP client) except that an ECSTREAM
// connection is TLS from its first octet: tls = required or ifavailable
// starts with the handshake (ifavailable falls back to plain TCP when it
// fails and tls_ifavailable_fallback is true).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "delivery/smtp/smtp_settings.hpp"

namespace impulse::delivery::ecstream {

struct EcstreamSettings {
  std::string hostname = "localhost";  // the HELLO's name (ehlo_hostname / gethostname)
  std::string bind_address;            // "" = the kernel chooses
  std::chrono::milliseconds timeout{600'000};
  std::chrono::milliseconds idle{5'000};
  // Messages one connection may have unanswered, at most (the receiver's
  // window, announced in its GREETING, may be smaller).
  std::uint32_t max_window = 1000;
  std::uint32_t max_deliveries_per_connection = 0;  // 0 = unlimited

  // TLS options, in the SMTP client's shape (smtp::make_tls_client_context).
  smtp::TlsMode tls = smtp::TlsMode::kNo;
  smtp::TlsVerify tls_verify = smtp::TlsVerify::kNo;
  std::string tls_ca;
  std::string tls_certificate;
  std::string tls_key;
  std::string tls_ciphers;
  bool tls_ifavailable_fallback = true;
  std::shared_ptr<const smtp::TlsClientContext> tls_context;  // prebuilt; null = build per connection
};

}  // namespace impulse::delivery::ecstream

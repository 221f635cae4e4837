// SmtpSettings: everything one SMTP/LMTP client connection needs to know
// from the configuration, as plain values (SPEC §4; reference/momentum.md
// §3, §4 bind_address, §5, §6). Filled for a (binding, domain) by
// smtp_settings_from_config (smtp_settings_config.hpp); tests fill it by
// hand. Shared read-only by the connections of one queue
// (std::shared_ptr<const SmtpSettings>); any thread.
//
// Deadlines, one per network wait (docs/architecture.md rule 5):
//   connect_timeout  TCP connect
//   ehlo_timeout     the banner, EHLO/HELO/LHLO, STARTTLS and its TLS
//                    handshake, XCLIENT (a new greeting) — Momentum has no
//                    separate banner, STARTTLS or XCLIENT timeout
//   mailfrom_timeout MAIL FROM reply
//   rcptto_timeout   each RCPT TO reply
//   body_timeout     the DATA reply (354; Momentum has no data_timeout),
//                    each write of the body, and each reply after the dot
//   rset_timeout     RSET reply, and QUIT's 221 when closing
//   idle_timeout     how long an idle connection waits for more work
// Failure modes: none (data only).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace impulse::delivery::smtp {

enum class SessionProtocol {
  kEsmtp,  // EHLO (HELO if EHLO is refused with 5xx) and extensions
  kSmtp,   // HELO only: no extensions at all
  kLmtp,   // RFC 2033: LHLO, one reply per accepted recipient after the dot
};

enum class TlsMode { kNo, kIfAvailable, kRequired };
enum class TlsVerify { kNo, kCa, kHost, kOptional };
enum class XclientMode { kNo, kIfAvailable, kRequired };

class TlsClientContext;  // tls_client.hpp: a built OpenSSL client context

struct SmtpTimeouts {
  std::chrono::milliseconds connect{300'000};
  std::chrono::milliseconds ehlo{300'000};
  std::chrono::milliseconds mailfrom{300'000};
  std::chrono::milliseconds rcptto{300'000};
  std::chrono::milliseconds body{600'000};
  std::chrono::milliseconds rset{30'000};
  std::chrono::milliseconds idle{5'000};
};

struct SmtpSettings {
  SessionProtocol protocol = SessionProtocol::kEsmtp;
  // The EHLO/HELO/LHLO argument (ehlo_hostname, with __hostname__ already
  // replaced by gethostname()). Empty with ehlo_from_sender: use the
  // sender's domain given to SmtpConnection::open (__message__).
  std::string ehlo_hostname = "localhost";
  bool ehlo_from_sender = false;
  // Source address (bind_address); "" = the kernel chooses.
  std::string bind_address;

  TlsMode tls = TlsMode::kNo;
  TlsVerify tls_verify = TlsVerify::kNo;
  std::string tls_ca;           // PEM bundle; "" = the system's default CA paths
  std::string tls_certificate;  // client certificate (PEM); "" = none
  std::string tls_key;          // its key; "" = in the certificate file
  std::string tls_ciphers;      // OpenSSL cipher list (TLS <= 1.2); "" = library default
  bool tls_ifavailable_fallback = true;
  // Optional prebuilt context for the TLS options above (make_tls_client_context),
  // so many connections share one; null = each connection builds its own.
  std::shared_ptr<const TlsClientContext> tls_context;

  XclientMode xclient = XclientMode::kNo;
  bool send_8bitmime = false;  // send_8bitmime = ifavailable

  // Outbound SMTP AUTH (SPEC §19; smtp_auth.cpp): after EHLO (and STARTTLS),
  // only over TLS unless the target is loopback. Empty user = no AUTH.
  std::string auth_type = "PLAIN";  // PLAIN or LOGIN
  std::string auth_user;
  std::string auth_pass;

  std::uint32_t max_recipients_per_batch = 100;
  std::uint32_t max_deliveries_per_connection = 0;  // 0 = unlimited

  SmtpTimeouts timeouts;
};

}  // namespace impulse::delivery::smtp

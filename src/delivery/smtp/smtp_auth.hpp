// Outbound SMTP AUTH (RFC 4954; SPEC §19; Momentum's outbound_smtp_auth):
// when the policy allows sending credentials to a target. The exchange
// itself is SmtpConnection::authenticate (smtp_auth.cpp), run by open()
// after EHLO (and after STARTTLS and the second EHLO):
//   - no outbound_smtp_auth_user: nothing is sent;
//   - credentials go only over TLS, unless the target is loopback (or a
//     Unix socket): otherwise the open fails transiently,
//     "451 4.7.0 [internal] AUTH not sent without TLS to a remote host";
//   - the mechanism (PLAIN, or LOGIN) must be advertised: otherwise
//     "451 4.7.0 [internal] AUTH mechanism not advertised";
//   - the server's refusal (535 5.7.8 ...) fails the open transiently with
//     that reply (a host-level T record: the operator sees the server's
//     words in the mainlog; the queue retries).
// Pure function; any thread.
#pragma once

#include <string_view>

namespace impulse::delivery::smtp {

// "127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1" (an address literal).
bool loopback_address(std::string_view address);

// Whether credentials may go on this connection now: inside TLS, or to a
// loopback address or a Unix socket (SPEC §19); never in the clear to
// anything else, whatever tls says.
bool auth_may_be_sent(bool tls_active, bool unix_socket, std::string_view address);

}  // namespace impulse::delivery::smtp

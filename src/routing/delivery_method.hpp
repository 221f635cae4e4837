// Delivery_Method values and the port each one uses by default (SPEC §3, §4;
// reference/momentum.md §2.4; seed 002 delivery_method, seed 001 LMTP_Port).
// Leaves the protocols themselves to src/delivery. Pure values, no state;
// parsing an unknown name is an expected failure (std::nullopt).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace impulse::routing {

enum class DeliveryMethod { Esmtp, Smtp, Lmtp, Ecstream, Apn, Gcm, Mm7 };

// Case-insensitive: "ESMTP", "smtp", "LMTP", "ecstream", "apn", "gcm", "mm7".
std::optional<DeliveryMethod> parse_delivery_method(std::string_view name);

// Lower-case name, as written in logs and console output.
std::string_view delivery_method_name(DeliveryMethod method);

// The configured default ports of the methods that have one.
struct MethodPorts {
  std::uint16_t remote_smtp_port = 25;   // ESMTP, SMTP
  std::uint16_t lmtp_port = 2003;        // LMTP
  std::uint16_t ecstream_port = 1825;    // ECSTREAM
};

// The port used when neither a route `port=` nor a `host:port` says
// otherwise. APN and GCM default to 443 (HTTPS); MM7 to 443 for an
// `https://` route and 80 otherwise (`scheme` is the route's scheme, may be
// empty).
std::uint16_t default_port(DeliveryMethod method, const MethodPorts& ports, std::string_view scheme = {});

}  // namespace impulse::routing

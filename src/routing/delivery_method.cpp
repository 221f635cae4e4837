#include "routing/delivery_method.hpp"

#include "base/strings.hpp"

namespace impulse::routing {

std::optional<DeliveryMethod> parse_delivery_method(std::string_view name) {
  struct Entry {
    std::string_view name;
    DeliveryMethod method;
  };
  static constexpr Entry kMethods[] = {
      {"esmtp", DeliveryMethod::Esmtp}, {"smtp", DeliveryMethod::Smtp},
      {"lmtp", DeliveryMethod::Lmtp},   {"ecstream", DeliveryMethod::Ecstream},
      {"apn", DeliveryMethod::Apn},     {"gcm", DeliveryMethod::Gcm},
      {"mm7", DeliveryMethod::Mm7},
  };
  for (const auto& entry : kMethods) {
    if (iequals(entry.name, name)) return entry.method;
  }
  return std::nullopt;
}

std::string_view delivery_method_name(DeliveryMethod method) {
  switch (method) {
    case DeliveryMethod::Esmtp: return "esmtp";
    case DeliveryMethod::Smtp: return "smtp";
    case DeliveryMethod::Lmtp: return "lmtp";
    case DeliveryMethod::Ecstream: return "ecstream";
    case DeliveryMethod::Apn: return "apn";
    case DeliveryMethod::Gcm: return "gcm";
    case DeliveryMethod::Mm7: return "mm7";
  }
  return "esmtp";
}

std::uint16_t default_port(DeliveryMethod method, const MethodPorts& ports, std::string_view scheme) {
  switch (method) {
    case DeliveryMethod::Esmtp:
    case DeliveryMethod::Smtp: return ports.remote_smtp_port;
    case DeliveryMethod::Lmtp: return ports.lmtp_port;
    case DeliveryMethod::Ecstream: return ports.ecstream_port;
    case DeliveryMethod::Apn:
    case DeliveryMethod::Gcm: return 443;
    case DeliveryMethod::Mm7: return iequals(scheme, "https") || iequals(scheme, "mm7s") ? 443 : 80;
  }
  return ports.remote_smtp_port;
}

}  // namespace impulse::routing

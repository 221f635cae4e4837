// Implementation of inbound/http/http_listener_settings.hpp.
#include "inbound/http/http_listener_settings.hpp"

namespace impulse::inbound::http {

std::string HttpListenerSettings::display_address() const {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::vector<config::Cidr> default_http_relay_hosts() {
  std::vector<config::Cidr> out;
  for (const char* text : {"127.0.0.0/8", "::1"})
    if (auto c = config::parse_cidr(text)) out.push_back(*c);
  return out;
}

}  // namespace impulse::inbound::http

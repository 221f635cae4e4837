// Implementation of inbound/listener_settings.hpp.
#include "inbound/listener_settings.hpp"

#include <algorithm>
#include <iterator>

namespace impulse::inbound {

std::string ListenerSettings::display_address() const {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

bool relay_allowed(const ListenerSettings& settings, const config::IpAddress& peer) {
  config::IpAddress ip = peer;
  // ::ffff:a.b.c.d is the IPv4 peer a.b.c.d on a dual-stack socket.
  static constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (ip.v6 && std::equal(std::begin(kMappedPrefix), std::end(kMappedPrefix), ip.bytes.begin())) {
    config::IpAddress v4;
    std::copy(ip.bytes.begin() + 12, ip.bytes.end(), v4.bytes.begin());
    ip = v4;
  }
  for (const auto& cidr : settings.relay_hosts)
    if (cidr.contains(ip)) return true;
  return false;
}

std::chrono::seconds effective_idle_time(const ListenerSettings& settings) {
  return settings.idle_time.count() > 0 ? settings.idle_time : std::chrono::seconds(300);
}

}  // namespace impulse::inbound

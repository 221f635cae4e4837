// Fuzz target: the pure parsers of configuration values that take network
// literals (config/route_item.hpp, config/net.hpp). Any input must end in a
// value or an error text, never a crash; parsed values must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/net.hpp"
#include "config/route_item.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace impulse::config;
  if (auto r = parse_route_item(text)) {
    if (r->kind == RouteItem::Kind::Url && r->scheme.empty()) std::abort();
    if (r->pref && *r->pref > 65535) std::abort();
    if (r->port && *r->port == 0) std::abort();
  } else if (r.error().empty()) {
    std::abort();
  }
  if (auto e = parse_endpoint(text, size % 2 == 0)) {
    if (e->port && *e->port == 0) std::abort();
    if (e->ip) (void)e->ip->str();
  }
  (void)parse_listen_address(text);
  if (auto c = parse_cidr(text)) {
    if (c->prefix > (c->network.v6 ? 128u : 32u)) std::abort();
    if (!c->contains(c->network)) std::abort();
    // The canonical form parses back to the same block.
    auto again = parse_cidr(c->network.str() + "/" + std::to_string(c->prefix));
    if (!again || !(again->network == c->network) || again->prefix != c->prefix) std::abort();
  }
  if (auto ip = parse_ip(text)) {
    auto again = parse_ip(ip->str());
    if (!again || !(*again == *ip)) std::abort();
  }
  return 0;
}

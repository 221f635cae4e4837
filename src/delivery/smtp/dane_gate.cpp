// Implementation of delivery/smtp/dane_gate.hpp.
#include "delivery/smtp/dane_gate.hpp"

#include <algorithm>

#include "config/net.hpp"
#include "dns/dns_name.hpp"

namespace impulse::delivery::smtp {
namespace {

DaneGate defer(std::string reason) {
  DaneGate g;
  g.step = DaneGateStep::kDefer;
  g.reason = std::move(reason);
  return g;
}

DaneGate no_dane(std::string reason, std::uint32_t ttl) {
  DaneGate g;
  g.step = DaneGateStep::kNoDane;
  g.reason = std::move(reason);
  g.ttl = ttl;
  return g;
}

// "bogus (why)", "servfail (why)", "timeout": for a lookup that settles nothing.
std::string failure_of(const dns::Answer& a) {
  std::string what = a.security == dns::Security::kBogus ? "bogus" : dns::status_name(a.status);
  if (!a.error_text.empty()) what += " (" + a.error_text + ")";
  return what;
}

bool failed(const dns::Answer& a) {
  return a.security == dns::Security::kBogus || a.status == dns::Status::ServFail ||
         a.status == dns::Status::Timeout;
}

}  // namespace

bool ip_literal(const std::string& host) { return config::parse_ip(host).has_value(); }

DaneGate dane_mx_gate(const dns::Answer& mx, const std::string& domain, const std::string& host) {
  const std::string d = dns::display_name(domain);
  const std::string h = dns::display_name(host);
  if (failed(mx)) return defer("DANE: MX lookup for " + d + " " + failure_of(mx));
  DaneGate go;
  go.step = DaneGateStep::kLookTlsa;
  go.ttl = mx.ttl;
  const bool secure = mx.security == dns::Security::kSecure;
  if (mx.status == dns::Status::Ok) {
    const bool listed = std::any_of(mx.mx.begin(), mx.mx.end(),
                                    [&](const dns::MxRecord& r) { return dns::display_name(r.exchange) == h; });
    if (!listed) return go;  // a configured route host: only its own records count
    if (!secure) return no_dane("MX RRset of " + d + " is not DNSSEC-signed", mx.ttl);
    return go;
  }
  // NODATA / NXDOMAIN: the implicit MX (the domain itself), or a route host.
  if (h != d) return go;
  if (!secure) return no_dane("no MX for " + d + " and its denial is not DNSSEC-signed", mx.ttl);
  return go;
}

DaneGate dane_address_gate(const dns::Answer& address, const std::string& host) {
  const std::string h = dns::display_name(host);
  if (failed(address)) return defer("DANE: address lookup for " + h + " " + failure_of(address));
  if (address.status != dns::Status::Ok) return no_dane("no address records for " + h, address.ttl);
  if (address.security != dns::Security::kSecure)
    return no_dane("address records of " + h + " are not DNSSEC-signed", address.ttl);
  DaneGate go;
  go.step = DaneGateStep::kLookTlsa;
  go.ttl = address.ttl;
  const std::string expanded = dns::display_name(address.canonical_name);
  if (!expanded.empty() && expanded != h) go.tlsa_bases.push_back(expanded);  // RFC 7672 §2.2.2
  go.tlsa_bases.push_back(h);
  return go;
}

}  // namespace impulse::delivery::smtp

// Implementation of delivery/smtp/dane_policy.hpp.
#include "delivery/smtp/dane_policy.hpp"

#include "delivery/smtp/dane_tls.hpp"

namespace impulse::delivery::smtp {

std::string tlsa_name(unsigned port, const std::string& host) {
  return "_" + std::to_string(port) + "._tcp." + host;
}

DaneVerdict dane_verdict(const dns::Answer& answer) {
  DaneVerdict out;
  out.tlsa_name = answer.canonical_name;
  out.ttl = answer.ttl;
  if (answer.security == dns::Security::kBogus) {
    out.decision = DaneDecision::kDefer;
    out.reason = "DANE: TLSA lookup for " + answer.canonical_name + " bogus" +
                 (answer.error_text.empty() ? "" : " (" + answer.error_text + ")");
    return out;
  }
  switch (answer.status) {
    case dns::Status::ServFail:
    case dns::Status::Timeout:
      out.decision = DaneDecision::kDefer;
      out.reason = "DANE: TLSA lookup for " + answer.canonical_name + " failed: " +
                   std::string(dns::status_name(answer.status)) +
                   (answer.error_text.empty() ? "" : " (" + answer.error_text + ")");
      return out;
    case dns::Status::NoData:
    case dns::Status::NxDomain:
      out.reason = "no TLSA records at " + answer.canonical_name;
      return out;  // secure or insecure denial: no DANE
    case dns::Status::Ok:
      break;
  }
  if (answer.security != dns::Security::kSecure) {
    out.reason = "TLSA records at " + answer.canonical_name + " are not DNSSEC-signed";
    return out;  // unsigned TLSA records are ignored
  }
  out.decision = DaneDecision::kDane;
  for (const auto& record : answer.tlsa)
    if (usable_tlsa(record)) out.records.push_back(record);
  return out;
}

}  // namespace impulse::delivery::smtp

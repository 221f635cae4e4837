// Implementation of delivery/smtp/mta_sts_tls.hpp.
#include "delivery/smtp/mta_sts_tls.hpp"

namespace impulse::delivery::smtp {
namespace {

int rank(TlsMode m) {
  switch (m) {
    case TlsMode::kNo: return 0;
    case TlsMode::kIfAvailable: return 1;
    case TlsMode::kRequired: return 2;
  }
  return 0;
}

int rank(TlsVerify v) {
  switch (v) {
    case TlsVerify::kNo: return 0;
    case TlsVerify::kOptional: return 1;
    case TlsVerify::kCa: return 2;
    case TlsVerify::kHost: return 3;
  }
  return 0;
}

}  // namespace

TlsMode stricter(TlsMode a, TlsMode b) { return rank(a) >= rank(b) ? a : b; }
TlsVerify stricter(TlsVerify a, TlsVerify b) { return rank(a) >= rank(b) ? a : b; }

TlsRequirement apply_mta_sts(const protocol::MtaStsPolicy* policy, TlsMode configured_tls,
                             TlsVerify configured_verify, std::string_view domain, std::string_view mx_host) {
  TlsRequirement out{configured_tls, configured_verify, false, {}};
  if (policy == nullptr) return out;
  switch (policy->mode) {
    case protocol::MtaStsMode::kNone:
      break;
    case protocol::MtaStsMode::kTesting:
      out.tls = stricter(out.tls, TlsMode::kIfAvailable);
      out.verify = stricter(out.verify, TlsVerify::kOptional);
      break;
    case protocol::MtaStsMode::kEnforce:
      out.tls = TlsMode::kRequired;
      out.verify = TlsVerify::kHost;
      if (!protocol::mta_sts_mx_matches(*policy, mx_host)) {
        out.refused = true;
        std::string_view host = mx_host;
        if (host.ends_with('.')) host.remove_suffix(1);
        out.reason = "MTA-STS: " + std::string(host) + " not in policy for " + std::string(domain);
      }
      break;
  }
  return out;
}

}  // namespace impulse::delivery::smtp

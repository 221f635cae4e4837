// Implementation of delivery/smtp/host_tls.hpp.
#include "delivery/smtp/host_tls.hpp"

namespace impulse::delivery::smtp {

HostTls host_tls(TlsMode configured_tls, TlsVerify configured_verify, std::shared_ptr<const DaneVerdict> dane,
                 const TlsRequirement* mta_sts) {
  HostTls out;
  out.tls = configured_tls;
  out.verify = configured_verify;
  if (dane && dane->decision == DaneDecision::kDefer) {
    out.refused = true;
    out.reason = dane->reason;
    return out;
  }
  if (dane && dane->decision == DaneDecision::kDane) {
    out.tls = TlsMode::kRequired;
    out.verify = TlsVerify::kNo;  // the TLSA records decide (dane_tls), not the CA store
    out.dane = std::move(dane);
    return out;
  }
  if (mta_sts) {
    out.tls = mta_sts->tls;
    out.verify = mta_sts->verify;
    out.refused = mta_sts->refused;
    out.reason = mta_sts->reason;
  }
  return out;
}

}  // namespace impulse::delivery::smtp

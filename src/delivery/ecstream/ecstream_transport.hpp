// The ECSTREAM transport (Delivery_Method = ECSTREAM; SPEC §15;
// docs/adding-a-delivery-method.md): settings read per (binding, domain)
// and snapshot, TLS contexts shared per loop, and sessions over
// EcstreamClient whose capacity is the receiver's window (many messages
// in flight on one connection). Targets come from the Gateway (the
// connection manager's route plan: Routes are not used; host:port wins
// over ECStream_Port); limits and throttles are the manager's.
// One transport per event loop; everything of it runs on that loop.
#pragma once

#include <functional>

#include "delivery/ecstream/ecstream_settings.hpp"
#include "delivery/transport.hpp"

namespace impulse::delivery::ecstream {

// Settings of an ECSTREAM queue, as the connection manager caches them.
class EcstreamMethodSettings final : public MethodSettings {
 public:
  std::shared_ptr<const EcstreamSettings> ecstream;
};

// Tests may replace where settings come from.
using EcstreamSettingsSource =
    std::function<Result<EcstreamSettings>(const config::Config&, const config::OutboundKey&)>;

TransportFactory ecstream_transport_factory(EcstreamSettingsSource source = {});

}  // namespace impulse::delivery::ecstream

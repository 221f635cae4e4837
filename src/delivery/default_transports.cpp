// Implementation of delivery/default_transports.hpp.
#include "delivery/default_transports.hpp"

#include "delivery/apn/apn_transport.hpp"
#include "delivery/ecstream/ecstream_transport.hpp"
#include "delivery/smtp/smtp_transport.hpp"

namespace impulse::delivery {

TransportRegistry default_transports() {
  TransportRegistry registry;
  const TransportFactory smtp = smtp::smtp_transport_factory();
  registry.add(routing::DeliveryMethod::Esmtp, smtp);
  registry.add(routing::DeliveryMethod::Smtp, smtp);
  registry.add(routing::DeliveryMethod::Lmtp, smtp);
  registry.add(routing::DeliveryMethod::Apn, apn::apn_transport_factory());
  registry.add(routing::DeliveryMethod::Ecstream, ecstream::ecstream_transport_factory());
  return registry;
}

}  // namespace impulse::delivery

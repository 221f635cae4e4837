// Implementation of delivery/default_transports.hpp.
#include "delivery/default_transports.hpp"

#include "delivery/apn/apn_transport.hpp"
#include "delivery/ecstream/ecstream_transport.hpp"
#include "delivery/mm7/mm7_transport.hpp"
#include "delivery/gcm/gcm_transport.hpp"
#include "delivery/smtp/smtp_transport.hpp"

namespace impulse::delivery {

TransportRegistry default_transports(std::shared_ptr<mm7::Mm7MessageIds> mm7_message_ids, log::EventSink* events,
                                     std::function<void(std::string_view)> problems) {
  TransportRegistry registry;
  const TransportFactory smtp = smtp::smtp_transport_factory({}, std::move(problems));
  registry.add(routing::DeliveryMethod::Esmtp, smtp);
  registry.add(routing::DeliveryMethod::Smtp, smtp);
  registry.add(routing::DeliveryMethod::Lmtp, smtp);
  registry.add(routing::DeliveryMethod::Apn, apn::apn_transport_factory());
  registry.add(routing::DeliveryMethod::Gcm, gcm::gcm_transport_factory({}, events));
  registry.add(routing::DeliveryMethod::Ecstream, ecstream::ecstream_transport_factory());
  registry.add(routing::DeliveryMethod::Mm7, mm7::mm7_transport_factory(std::move(mm7_message_ids)));
  return registry;
}

}  // namespace impulse::delivery

// The transports this build delivers with, by Delivery_Method (SPEC §4,
// §11-§15): today the SMTP client for ESMTP, SMTP and LMTP. Each new
// method's transport is registered here, once.
// Pure wiring; no failure modes.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "delivery/mm7/mm7_message_ids.hpp"
#include "delivery/transport.hpp"

namespace impulse::log {
class EventSink;
}

namespace impulse::delivery {

// `mm7_message_ids`: where MM7 keeps MessageIDs for delivery reports (the
// daemon's one instance, shared with the HTTP listener); may be null.
// `events`: where channel transports emit token_replaced (GCM); may be null.
// `problems`: the SMTP client's paniclog lines (MTA-STS); empty = stderr.
TransportRegistry default_transports(std::shared_ptr<mm7::Mm7MessageIds> mm7_message_ids = {},
                                     log::EventSink* events = nullptr,
                                     std::function<void(std::string_view)> problems = {});

}  // namespace impulse::delivery

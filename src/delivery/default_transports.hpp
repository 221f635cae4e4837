// The transports this build delivers with, by Delivery_Method (SPEC §4,
// §11-§15): today the SMTP client for ESMTP, SMTP and LMTP. Each new
// method's transport is registered here, once.
// Pure wiring; no failure modes.
#pragma once

#include "delivery/transport.hpp"

namespace impulse::delivery {

TransportRegistry default_transports();

}  // namespace impulse::delivery

// The MM7 transport (delivery/transport.hpp) for Delivery_Method = MM7:
// SubmitReq over SOAP 1.1 / HTTP/1.1 to an MMSC (SPEC §11, §14;
// reference/protocols.md §6; reference/momentum.md §9.4). settings() reads
// Mm7Settings (mm7_settings_config.hpp); open() connects one keep-alive
// HTTP/1.1 connection (delivery/http1/) to the chosen address, plain for
// mm7:// and http:// routes, TLS for mm7s:// and https:// routes or with
// tls = required, and returns an Mm7Session (mm7_session.hpp). The request
// path is the route URL's path, else HTTP_URI, else "/"; the Host header
// is HTTP_Host, else the route host (with its port when not the default).
// Route hosts arrive resolved A/AAAA only (routing).
//
// Per loop, shared by its sessions: the TLS contexts (one per TLS options
// and snapshot) and the TransactionID generator. The daemon's one
// Mm7MessageIds is shared by every loop's transport and the HTTP listener.
// Executor: one Mm7Transport per event loop; everything on that loop.
// Failure modes: settings() fails for a configuration that cannot deliver
// (mm7_settings_config.hpp, an unreadable TLS file); open() fails with a
// Scope::kHost outcome (mm7_outcome.hpp).
#pragma once

#include <memory>

#include "delivery/mm7/mm7_message_ids.hpp"
#include "delivery/transport.hpp"

namespace impulse::delivery::mm7 {

// The factory to register for Delivery_Method = MM7. `message_ids` may be
// null (delivery reports are then recorded without a message id).
TransportFactory mm7_transport_factory(std::shared_ptr<Mm7MessageIds> message_ids = {});

}  // namespace impulse::delivery::mm7

// The MM7 VASP endpoint of the HTTP_Listener (SPEC §14 "Delivery reports";
// 3GPP TS 23.140 §8.7.8): with MM7_VASP_Path set in an HTTP_Listener or
// Listen scope, the MMSC POSTs DeliveryReportReq there; each is answered
// with DeliveryReportRsp status 1000 (text/xml) and recorded as an
// `mm7_delivery_report` event (log/event_sink.hpp) with the Impulse message
// id of the submission (delivery/mm7/mm7_message_ids.hpp: kept on disk,
// across restarts, until message_expiration; empty when not known), the
// MMSC's MessageID as remote_id, the recipient (the submission's envelope
// recipient when known, else the report's) and the report's MMStatus as
// mm7_status.
//
// Access::kRelayHostsOnly: the listener's Relay_Hosts apply, API_Keys do
// not. With MM7_VASP_Basic_Auth = "user:password" on that Listen, a report
// without those Basic credentials gets 401 (WWW-Authenticate: Basic). The
// path answers only on the Listen addresses that set it (404 elsewhere).
// A body that is not a DeliveryReportReq gets 400 with a SOAP Fault.
// Paths are read at start-up; a reload does not add or remove them.
//
// Threading: handlers run on the listener's loops; Mm7MessageIds and the
// EventSink are thread-safe. Failure modes: add_mm7_routes refuses a path
// it cannot serve (start-up error); requests get the statuses above.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/expected.hpp"
#include "delivery/mm7/mm7_message_ids.hpp"
#include "inbound/http/http_listener_settings.hpp"
#include "inbound/http/http_route.hpp"
#include "log/event_sink.hpp"

namespace impulse::inbound::http {

struct Mm7VaspEndpoint {
  std::string listener_address;  // HttpListenerSettings::display_address()
  std::string path;              // MM7_VASP_Path
  std::string basic_auth;        // MM7_VASP_Basic_Auth "user:password"; "" = none
};

struct Mm7RouteDeps {
  std::vector<Mm7VaspEndpoint> endpoints;
  std::shared_ptr<const delivery::mm7::Mm7MessageIds> message_ids;  // may be null
  log::EventSink* events = nullptr;                                  // may be null (nothing recorded)
  std::function<WallTime()> now;                                     // empty = system_clock::now
};

// The endpoints of the listeners that set MM7_VASP_Path.
std::vector<Mm7VaspEndpoint> mm7_vasp_endpoints(const std::vector<HttpListenerSettings>& listens);

// Adds POST <path> for each distinct path; nothing when there is none. An
// error (nothing added) for a path that is not absolute, holds '{', '}',
// '?', '#' or white space, or is already served by another route.
impulse::expected<void, std::string> add_mm7_routes(Routes& routes, Mm7RouteDeps deps);

}  // namespace impulse::inbound::http

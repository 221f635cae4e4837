// The HTTP API's JSON of the admin layer's results (SPEC §16
// "Administration"): the console's queries and actions (admin/types.hpp,
// delivery/connection_manager_view.hpp) as the JSON documents the
// /api/v1/... routes answer with. Keys are snake_case, counts and times are
// numbers (Unix seconds), a missing value is null:
//
//   summary  {"active_queue_size", "delayed_queue_size", "total_queue_size",
//             "outbound_concurrency", "inbound_concurrency",
//             "received_messages", "successfully_delivered_messages",
//             "failed_messages", "transient_failures", "uptime"}
//   domain   {"domain", "ttl", "mxs": [{"preference", "host", "port", "ttl",
//             "addresses": [..], "quarantined": [..]}], "queues": [{"binding",
//             "active", "delayed", "deliveries", "failures", "held_until",
//             "held_reason"}], "records": [one per binding: "binding", "ttl",
//             "remaining_ttl", "failure", "failure_permanent",
//             "consecutive_failures", "active_connections", "mxs",
//             "connections"]}   (top-level ttl/mxs: the first record's)
//   queues   [{"binding_group", "binding", "domain", "active", "in_flight",
//             "delayed", "received", "delivered", "failed", "suspended",
//             "held_until", "held_reason"}]
//   message  {"id", "queues": [{"binding", "domain", "state" (active |
//             in_flight | delayed), "created", "next_attempt", "retries",
//             "size", "sender", "recipients"}]}
//   refused reload {"error", "errors": ["FILE:LINE:COL: error: ..."]}
//
// Leaves to others: the routes and statuses (inbound/http/admin_routes.hpp),
// the data (admin/). Pure; any thread; no failures.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>
#include <vector>

#include "admin/types.hpp"
#include "delivery/connection_manager_view.hpp"

namespace impulse::inbound::http {

boost::json::value summary_json(const admin::Summary& s);
boost::json::value domain_json(const delivery::DomainDescription& d);
boost::json::value queues_json(const std::vector<admin::QueueLine>& queues);
boost::json::value message_json(std::string_view id, const std::vector<admin::MessageInfo>& parts);
boost::json::value reload_refused_json(const admin::ReloadOutcome& r);

// "active", "in_flight", "delayed".
std::string_view entry_state_key(admin::EntryState s);

}  // namespace impulse::inbound::http

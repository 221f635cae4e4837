// MM7 delivery reports (3GPP TS 23.140 §8.7.8, DeliveryReportReq /
// DeliveryReportRsp; SPEC §14 "Delivery reports"): reading the report an
// MMSC POSTs to the VASP (TransactionID, MessageID, Recipient, MMStatus,
// StatusText) and building the answer, status 1000, in the report's own
// namespace and MM7Version, with its TransactionID echoed.
//
// Leaves to others: the HTTP route and its credentials
// (inbound/http/mm7_routes.hpp), which Impulse message the MessageID
// belongs to, recording the event.
// Threading: pure functions. Failure modes: parse_mm7_delivery_report
// returns an error text for a body that is not SOAP or holds no
// DeliveryReportReq, or a report without MessageID or MMStatus.
#pragma once

#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol {

struct Mm7DeliveryReport {
  std::string transaction_id;  // may be empty
  std::string namespace_uri;   // the DeliveryReportReq's namespace
  std::string version;         // its MM7Version; may be empty
  std::string message_id;      // the MMSC's MessageID of the submission
  std::string recipient;       // the Recipient's Number, RFC2822Address or ShortCode
  std::string sender;          // may be empty
  std::string mm_status;       // Expired, Retrieved, Rejected, Indeterminate, Forwarded, ...
  std::string status_text;     // may be empty
};

impulse::expected<Mm7DeliveryReport, std::string> parse_mm7_delivery_report(std::string_view body,
                                                                           std::string_view content_type);

// The DeliveryReportRsp for `report` (status 1000 Success), as text/xml.
// `env_prefix` is the SOAP envelope prefix to write ("env").
std::string mm7_delivery_report_response(const Mm7DeliveryReport& report, std::string_view env_prefix = "env");

// A SOAP 1.1 Fault (faultcode env:Client) with `reason` as its faultstring:
// the answer to a request the VASP endpoint cannot take.
std::string mm7_client_fault(std::string_view reason);

}  // namespace impulse::protocol

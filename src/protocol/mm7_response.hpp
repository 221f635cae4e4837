// The MMSC's answer to a SubmitReq (3GPP TS 23.140 §8.7.2, §8.7.10; SPEC
// §14; reference/protocols.md §6): a SubmitRsp (Status/StatusCode,
// StatusText, Details, MessageID) or a SOAP Fault whose detail carries an
// RSErrorRsp Status (an RSErrorRsp straight in the Body is read the same
// way), and the status-code classes of SPEC §14 with the per-MMSC
// overrides MM7_Permanent_Status_Codes / MM7_Temporary_Status_Codes.
//
// Classes: 1000 and 1100 success; 2000-2999 and 4001-4004 permanent;
// 3000-3999, 4000, 4005-4008 and unknown codes transient. A code listed in
// an override is that class whatever the table says (the permanent list is
// checked first).
//
// Leaves to others: the HTTP status (401, non-2xx without SOAP: the MM7
// outcome file), the outcome itself (delivery/mm7/mm7_outcome.hpp).
// Threading: pure functions. Failure modes: parse_mm7_response returns an
// error text for a body that is not SOAP, or SOAP that is neither a
// SubmitRsp, a Fault nor an RSErrorRsp, or a status that is not a number.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace impulse::protocol {

enum class Mm7ResponseKind { kSubmitRsp, kFault };

struct Mm7Response {
  Mm7ResponseKind kind = Mm7ResponseKind::kSubmitRsp;
  std::optional<int> status_code;  // a Fault without RSErrorRsp has none
  std::string status_text;
  std::string details;
  std::string message_id;          // SubmitRsp only; may be empty
  std::string transaction_id;      // from the Header; may be empty
  std::string fault_code;          // Fault only
  std::string fault_string;        // Fault only
};

// `content_type` is the HTTP Content-Type (text/xml, or multipart/related
// whose start part is the envelope).
impulse::expected<Mm7Response, std::string> parse_mm7_response(std::string_view body,
                                                               std::string_view content_type);

enum class Mm7StatusClass { kSuccess, kPermanent, kTransient };

struct Mm7StatusOverrides {
  std::vector<int> permanent;  // MM7_Permanent_Status_Codes
  std::vector<int> temporary;  // MM7_Temporary_Status_Codes
};

Mm7StatusClass mm7_status_class(int code, const Mm7StatusOverrides& overrides = {});

// "Success", "Address error"... for the codes of the table; "" otherwise.
std::string_view mm7_status_name(int code);

}  // namespace impulse::protocol

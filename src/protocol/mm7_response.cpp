// Implementation of protocol/mm7_response.hpp.
#include "protocol/mm7_response.hpp"

#include <algorithm>
#include <charconv>

#include "protocol/mm7_soap.hpp"

namespace impulse::protocol {

namespace {

impulse::expected<std::optional<int>, std::string> code_of(const pugi::xml_node& status) {
  const auto node = mm7::child(status, "StatusCode");
  if (!node) return std::optional<int>{};
  const std::string text = mm7::text_of(node);
  int code = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), code);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return impulse::unexpected("StatusCode is not a number: " + text.substr(0, 40));
  return std::optional<int>{code};
}

impulse::expected<void, std::string> read_status(const pugi::xml_node& parent, Mm7Response& out) {
  const auto status = mm7::child(parent, "Status");
  if (!status) return {};
  auto code = code_of(status);
  if (!code) return impulse::unexpected(code.error());
  out.status_code = *code;
  out.status_text = mm7::text_of(mm7::child(status, "StatusText"));
  if (const auto details = mm7::child(status, "Details")) {
    out.details = mm7::text_of(details);
    if (out.details.empty()) out.details = mm7::text_of(details.first_child());
  }
  return {};
}

}  // namespace

impulse::expected<Mm7Response, std::string> parse_mm7_response(std::string_view body, std::string_view content_type) {
  auto xml = mm7::soap_xml(body, content_type);
  if (!xml) return impulse::unexpected(xml.error());
  auto soap = mm7::parse_soap(*xml);
  if (!soap) return impulse::unexpected(soap.error());
  Mm7Response out;
  if (soap->header) out.transaction_id = mm7::text_of(mm7::child(soap->header, "TransactionID"));
  if (const auto rsp = mm7::child(soap->body, "SubmitRsp")) {
    out.kind = Mm7ResponseKind::kSubmitRsp;
    if (auto read = read_status(rsp, out); !read) return impulse::unexpected(read.error());
    if (!out.status_code) return impulse::unexpected(std::string("SubmitRsp without Status/StatusCode"));
    out.message_id = mm7::text_of(mm7::child(rsp, "MessageID"));
    return out;
  }
  const auto fault = mm7::child(soap->body, "Fault");
  const auto error = mm7::descendant(fault ? fault : soap->body, "RSErrorRsp");
  if (!fault && !error) return impulse::unexpected(std::string("neither SubmitRsp nor Fault in the SOAP Body"));
  out.kind = Mm7ResponseKind::kFault;
  if (fault) {
    out.fault_code = mm7::text_of(mm7::child(fault, "faultcode"));
    out.fault_string = mm7::text_of(mm7::child(fault, "faultstring"));
  }
  if (error) {
    if (auto read = read_status(error, out); !read) return impulse::unexpected(read.error());
  }
  return out;
}

Mm7StatusClass mm7_status_class(int code, const Mm7StatusOverrides& overrides) {
  auto listed = [code](const std::vector<int>& codes) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
  };
  if (listed(overrides.permanent)) return Mm7StatusClass::kPermanent;
  if (listed(overrides.temporary)) return Mm7StatusClass::kTransient;
  if (code == 1000 || code == 1100) return Mm7StatusClass::kSuccess;
  if (code >= 2000 && code <= 2999) return Mm7StatusClass::kPermanent;
  if (code >= 4001 && code <= 4004) return Mm7StatusClass::kPermanent;
  return Mm7StatusClass::kTransient;
}

std::string_view mm7_status_name(int code) {
  switch (code) {
    case 1000: return "Success";
    case 1100: return "Partial success";
    case 2000: return "Client error";
    case 2001: return "Operation restricted";
    case 2002: return "Address Error";
    case 2003: return "Address Not Found";
    case 2004: return "Multimedia content refused";
    case 2005: return "Message ID Not found";
    case 2006: return "LinkedID not found";
    case 2007: return "Message format corrupt";
    case 2008: return "Application ID not found";
    case 2009: return "Reply Application ID not found";
    case 3000: return "Server Error";
    case 3001: return "Not Possible";
    case 3002: return "Message rejected";
    case 3003: return "Multiple addresses not supported";
    case 3004: return "Application Addressing not supported";
    case 4000: return "General service error";
    case 4001: return "Improper identification";
    case 4002: return "Unsupported version";
    case 4003: return "Unsupported operation";
    case 4004: return "Validation error";
    case 4005: return "Service error";
    case 4006: return "Service unavailable";
    case 4007: return "Service denied";
    case 4008: return "Application denied";
    default: return {};
  }
}

}  // namespace impulse::protocol

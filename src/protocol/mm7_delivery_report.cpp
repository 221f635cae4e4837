// Implementation of protocol/mm7_delivery_report.hpp.
#include "protocol/mm7_delivery_report.hpp"

#include "protocol/mm7_soap.hpp"

namespace impulse::protocol {

namespace {

// The address inside <Recipient> / <Sender>: its Number, RFC2822Address or
// ShortCode child, else its own text.
std::string address_of(const pugi::xml_node& node) {
  if (!node) return {};
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element) return mm7::text_of(c);
  return mm7::text_of(node);
}

}  // namespace

impulse::expected<Mm7DeliveryReport, std::string> parse_mm7_delivery_report(std::string_view body,
                                                                           std::string_view content_type) {
  auto xml = mm7::soap_xml(body, content_type);
  if (!xml) return impulse::unexpected(xml.error());
  auto soap = mm7::parse_soap(*xml);
  if (!soap) return impulse::unexpected(soap.error());
  const auto req = mm7::child(soap->body, "DeliveryReportReq");
  if (!req) return impulse::unexpected(std::string("no DeliveryReportReq in the SOAP Body"));
  Mm7DeliveryReport out;
  if (soap->header) out.transaction_id = mm7::text_of(mm7::child(soap->header, "TransactionID"));
  out.namespace_uri = mm7::namespace_of(req);
  out.version = mm7::text_of(mm7::child(req, "MM7Version"));
  out.message_id = mm7::text_of(mm7::child(req, "MessageID"));
  out.recipient = address_of(mm7::child(req, "Recipient"));
  out.sender = address_of(mm7::child(req, "Sender"));
  out.mm_status = mm7::text_of(mm7::child(req, "MMStatus"));
  out.status_text = mm7::text_of(mm7::child(req, "StatusText"));
  if (out.status_text.empty()) out.status_text = mm7::text_of(mm7::child(req, "MMStatusText"));
  if (out.message_id.empty()) return impulse::unexpected(std::string("DeliveryReportReq without MessageID"));
  if (out.mm_status.empty()) return impulse::unexpected(std::string("DeliveryReportReq without MMStatus"));
  return out;
}

std::string mm7_delivery_report_response(const Mm7DeliveryReport& report, std::string_view env_prefix) {
  pugi::xml_document doc;
  auto rsp = mm7::start_message(doc, env_prefix, report.namespace_uri, report.transaction_id, "DeliveryReportRsp");
  rsp.append_child("MM7Version").text().set(mm7::xml_safe(report.version.empty() ? "6.8.0" : report.version).c_str());
  auto status = rsp.append_child("Status");
  status.append_child("StatusCode").text().set("1000");
  status.append_child("StatusText").text().set("Success");
  return mm7::serialize(doc);
}

std::string mm7_client_fault(std::string_view reason) {
  pugi::xml_document doc;
  auto envelope = doc.append_child("env:Envelope");
  envelope.append_attribute("xmlns:env").set_value(std::string(mm7::kSoapEnvelopeNs).c_str());
  auto fault = envelope.append_child("env:Body").append_child("env:Fault");
  fault.append_child("faultcode").text().set("env:Client");
  fault.append_child("faultstring").text().set(mm7::xml_safe(reason).c_str());
  return mm7::serialize(doc);
}

}  // namespace impulse::protocol

// The SOAP pieces shared by the MM7 codecs (3GPP TS 23.140 §8.7, SOAP 1.1
// with attachments; reference/protocols.md §6): the namespaces, the XML of
// a SOAP message found in an HTTP body (text/xml, or the start part of a
// multipart/related), pugixml parsing of it, element lookup by local name
// (any prefix, any MM7 release's namespace: what we read we read
// leniently), the TransactionID header, and text made safe for XML 1.0.
//
// Leaves to others: what a SubmitReq, SubmitRsp or DeliveryReportReq holds
// (mm7_submit.hpp, mm7_response.hpp, mm7_delivery_report.hpp).
// Threading: pure functions. Failure modes: an error text for a body that
// is not XML, a multipart without its start part, or no SOAP Envelope/Body.
// Internal to the MM7 codecs (includes pugixml).
#pragma once

#include <pugixml.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol::mm7 {

inline constexpr std::string_view kSoapEnvelopeNs = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kSchemaBase = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/";
inline constexpr std::string_view kDefaultNamespace =
    "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4";
inline constexpr std::size_t kMaxSoapBytes = 1 << 20;

// A parsed SOAP message: the document, and its Body element.
struct SoapMessage {
  std::shared_ptr<pugi::xml_document> doc;
  pugi::xml_node envelope;
  pugi::xml_node header;  // may be empty
  pugi::xml_node body;
};

// The SOAP XML of an HTTP body: the body itself for text/xml (or no
// Content-Type), the part named by start= (else the first part) of a
// multipart/related.
impulse::expected<std::string, std::string> soap_xml(std::string_view body, std::string_view content_type);

impulse::expected<SoapMessage, std::string> parse_soap(std::string_view xml);

// The name without its prefix ("mm7:SubmitRsp" -> "SubmitRsp").
std::string_view local_name(const pugi::xml_node& node);
// The first child element with this local name, or an empty node.
pugi::xml_node child(const pugi::xml_node& parent, std::string_view local);
// The first element with this local name under `root`, depth first
// (iterative, depth-bounded), or an empty node.
pugi::xml_node descendant(const pugi::xml_node& root, std::string_view local);
// The element's text, trimmed.
std::string text_of(const pugi::xml_node& node);
// The namespace URI in scope for this element's prefix (xmlns / xmlns:p
// looked up through its ancestors), or "".
std::string namespace_of(const pugi::xml_node& node);

// Characters XML 1.0 cannot carry (C0 controls other than tab, CR, LF)
// become spaces; pugixml escapes the rest.
std::string xml_safe(std::string_view text);

// Starts an MM7 message in `doc`: <PREFIX:Envelope> with the SOAP namespace,
// a Header holding <mm7:TransactionID xmlns:mm7="NS" PREFIX:mustUnderstand="1">,
// and in the Body an element `operation` (SubmitReq, DeliveryReportRsp...)
// whose default namespace is NS; returns that element. Empty `env_prefix`
// is "env", empty `ns` the REL-6-MM7-1-4 namespace.
pugi::xml_node start_message(pugi::xml_document& doc, std::string_view env_prefix, std::string_view ns,
                             std::string_view transaction_id, const char* operation);

// The document as text, with <?xml version="1.0" encoding="UTF-8"?>.
std::string serialize(const pugi::xml_document& doc);

}  // namespace impulse::protocol::mm7

// The MM7 SubmitReq (3GPP TS 23.140 §8.7.1; SPEC §11 "Who a recipient is",
// §14; reference/protocols.md §6): the recipient's address, the SOAP
// envelope with its elements in the schema's xs:sequence order, and the
// multipart/related HTTP body (SOAP with attachments) carrying the envelope
// and the content part it references by cid. XML built with pugixml (text
// escaped by it, characters XML 1.0 cannot carry replaced).
//
// Envelope: <PREFIX:Envelope xmlns:PREFIX="http://schemas.xmlsoap.org/soap/envelope/">,
// Header with <mm7:TransactionID xmlns:mm7="NS" PREFIX:mustUnderstand="1">,
// Body with <SubmitReq xmlns="NS">: MM7Version, SenderIdentification
// (VASPID, VASID when not empty; SenderAddress when set), Recipients/To
// (Number or RFC2822Address), ServiceCode (when set), MessageClass,
// DeliveryReport, ReadReply, Subject (when set), Content href="cid:...".
//
// Leaves to others: which options fill the fields (delivery/mm7), the
// TransactionID's uniqueness (the caller's generator), the HTTP request.
// Threading: pure functions. Failure modes: mm7_submit_request fails for a
// content type that is not type/subtype (the caller's 554 5.6.0).
#pragma once

#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol {

enum class Mm7AddressKind { kNumber, kRfc2822Address };

struct Mm7Address {
  Mm7AddressKind kind = Mm7AddressKind::kNumber;
  std::string value;
};

// SPEC §11: the local part of `recipient` ("local@domain") is the handset
// number, with `number_prefix` prepended unless it starts with '+'; a local
// part with a non-digit other than a leading '+' (or an empty one) makes the
// whole recipient an RFC2822Address.
Mm7Address mm7_recipient_address(std::string_view recipient, std::string_view number_prefix);

struct Mm7SubmitFields {
  std::string namespace_uri;        // MM7_Namespace, else MM7_XML_Schema
  std::string soap_env_prefix = "env";  // MM7_SOAP_Env
  std::string transaction_id;
  std::string version = "6.8.0";    // MM7_Version
  std::string vaspid;               // "" = element omitted
  std::string vasid;                // "" = element omitted
  std::string sender_address;       // "" = omitted; with '@' an RFC2822Address, else a Number
  Mm7Address recipient;
  std::string service_code;         // "" = omitted
  std::string message_class;        // "" = omitted; "personal" -> "Personal"
  bool delivery_report = false;
  bool read_reply = false;
  std::string subject;              // "" = omitted
  std::string content_id;           // without <>
};

// The SOAP envelope alone (UTF-8 XML with its declaration).
std::string mm7_submit_envelope(const Mm7SubmitFields& fields);

// The content part (the channel payload and its Content-Type).
struct Mm7Content {
  std::string content_type;
  std::string body;
};

struct Mm7HttpBody {
  std::string content_type;  // multipart/related; boundary="..."; type="text/xml"; start="<...>"
  std::string body;
  std::string start_id;      // the envelope part's Content-ID, without <>
};

// The HTTP body of a SubmitReq: the envelope part (Content-ID <start_id>),
// then the content part (Content-ID <fields.content_id>). The boundary and
// the envelope's Content-ID are derived from the TransactionID's letters,
// digits, '-', '.' and '_' (at most 40); the boundary never occurs in
// either part.
impulse::expected<Mm7HttpBody, std::string> mm7_submit_request(const Mm7SubmitFields& fields,
                                                               const Mm7Content& content);

}  // namespace impulse::protocol

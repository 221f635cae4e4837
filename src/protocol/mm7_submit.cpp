// Implementation of protocol/mm7_submit.hpp.
#include "protocol/mm7_submit.hpp"

#include <cctype>

#include "protocol/channel_part_mime.hpp"
#include "protocol/mm7_soap.hpp"

namespace impulse::protocol {

namespace {

void add_text(pugi::xml_node parent, const char* name, std::string_view value) {
  parent.append_child(name).text().set(mm7::xml_safe(value).c_str());
}

void add_address(pugi::xml_node parent, const Mm7Address& address) {
  add_text(parent, address.kind == Mm7AddressKind::kNumber ? "Number" : "RFC2822Address", address.value);
}

std::string capitalised(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

// Header values we write must stay on one line.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

// What of `s` may appear in a MIME boundary, a Content-ID and a quoted
// parameter unescaped (RFC 2046 §5.1.1 bchars, without the space and
// specials), at most 40 characters.
std::string mime_token(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() == 40) break;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_')
      out += c;
  }
  return out;
}

}  // namespace

Mm7Address mm7_recipient_address(std::string_view recipient, std::string_view number_prefix) {
  const auto at = recipient.rfind('@');
  const std::string_view local = at == std::string_view::npos ? recipient : recipient.substr(0, at);
  bool number = !local.empty();
  for (std::size_t i = 0; i < local.size() && number; ++i) {
    const char c = local[i];
    if (c >= '0' && c <= '9') continue;
    if (c == '+' && i == 0 && local.size() > 1) continue;
    number = false;
  }
  if (!number) return {Mm7AddressKind::kRfc2822Address, std::string(recipient)};
  if (local.front() == '+') return {Mm7AddressKind::kNumber, std::string(local)};
  return {Mm7AddressKind::kNumber, std::string(number_prefix) + std::string(local)};
}

std::string mm7_submit_envelope(const Mm7SubmitFields& f) {
  pugi::xml_document doc;
  auto req = mm7::start_message(doc, f.soap_env_prefix, f.namespace_uri, f.transaction_id, "SubmitReq");
  add_text(req, "MM7Version", f.version);
  auto sender = req.append_child("SenderIdentification");
  if (!f.vaspid.empty()) add_text(sender, "VASPID", f.vaspid);
  if (!f.vasid.empty()) add_text(sender, "VASID", f.vasid);
  if (!f.sender_address.empty()) {
    const bool mail = f.sender_address.find('@') != std::string::npos;
    add_address(sender.append_child("SenderAddress"),
                {mail ? Mm7AddressKind::kRfc2822Address : Mm7AddressKind::kNumber, f.sender_address});
  }
  add_address(req.append_child("Recipients").append_child("To"), f.recipient);
  if (!f.service_code.empty()) add_text(req, "ServiceCode", f.service_code);
  if (!f.message_class.empty()) add_text(req, "MessageClass", capitalised(f.message_class));
  add_text(req, "DeliveryReport", f.delivery_report ? "true" : "false");
  add_text(req, "ReadReply", f.read_reply ? "true" : "false");
  if (!f.subject.empty()) add_text(req, "Subject", f.subject);
  auto content = req.append_child("Content");
  content.append_attribute("href").set_value(("cid:" + mm7::xml_safe(f.content_id)).c_str());
  content.append_attribute("allowAdaptations").set_value("true");
  return mm7::serialize(doc);
}

impulse::expected<Mm7HttpBody, std::string> mm7_submit_request(const Mm7SubmitFields& fields,
                                                               const Mm7Content& content) {
  const std::string content_type = content.content_type.empty() ? std::string("text/plain") : content.content_type;
  if (!parse_content_type(content_type)) return impulse::unexpected("bad Content-Type " + one_line(content_type));
  const std::string envelope = mm7_submit_envelope(fields);
  Mm7HttpBody out;
  out.start_id = "soap-" + mime_token(fields.transaction_id);
  std::string boundary;
  for (int n = 0;; ++n) {
    boundary = "=_mm7_" + mime_token(fields.transaction_id) + (n ? "_" + std::to_string(n) : "");
    const std::string delimiter = "--" + boundary;
    if (envelope.find(delimiter) == std::string::npos && content.body.find(delimiter) == std::string::npos) break;
  }
  out.content_type = "multipart/related; boundary=\"" + boundary + "\"; type=\"text/xml\"; start=\"<" +
                     out.start_id + ">\"";
  std::string& b = out.body;
  b.reserve(envelope.size() + content.body.size() + 512);
  b += "--" + boundary + "\r\n";
  b += "Content-Type: text/xml; charset=\"utf-8\"\r\n";
  b += "Content-ID: <" + out.start_id + ">\r\n\r\n";
  b += envelope;
  b += "\r\n--" + boundary + "\r\n";
  b += "Content-Type: " + one_line(content_type) + "\r\n";
  b += "Content-ID: <" + one_line(fields.content_id) + ">\r\n";
  b += "Content-Transfer-Encoding: binary\r\n\r\n";
  b += content.body;
  b += "\r\n--" + boundary + "--\r\n";
  return out;
}

}  // namespace impulse::protocol

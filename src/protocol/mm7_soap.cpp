// Implementation of protocol/mm7_soap.hpp.
#include "protocol/mm7_soap.hpp"

#include <vector>

#include "protocol/channel_part_mime.hpp"

namespace impulse::protocol::mm7 {

namespace {

constexpr std::size_t kMaxDepth = 64;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string_view unbracket(std::string_view id) {
  id = trim(id);
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  return id;
}

struct StringWriter : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override { out.append(static_cast<const char*>(data), size); }
};

}  // namespace

impulse::expected<std::string, std::string> soap_xml(std::string_view body, std::string_view content_type) {
  if (body.size() > kMaxSoapBytes) return impulse::unexpected(std::string("SOAP message over 1 MiB"));
  const auto type = parse_content_type(content_type);
  if (!type || !type->is_multipart()) return std::string(body);
  const auto boundary = type->param("boundary");
  if (!boundary || boundary->empty()) return impulse::unexpected(std::string("multipart without a boundary"));
  auto parts = split_multipart(body, *boundary);
  if (!parts) return impulse::unexpected(parts.error());
  const auto start = type->param("start");
  std::optional<MimeEntity> chosen;
  for (std::string_view part : *parts) {
    auto entity = split_entity(part);
    if (!entity) return impulse::unexpected(entity.error());
    if (!start) {
      chosen = std::move(*entity);
      break;
    }
    const auto id = find_header(entity->headers, "Content-ID");
    if (id && unbracket(*id) == unbracket(*start)) {
      chosen = std::move(*entity);
      break;
    }
  }
  if (!chosen) return impulse::unexpected("no part with Content-ID " + std::string(*start));
  const auto encoding = find_header(chosen->headers, "Content-Transfer-Encoding");
  return decode_transfer_encoding(chosen->body, encoding.value_or(""));
}

impulse::expected<SoapMessage, std::string> parse_soap(std::string_view xml) {
  if (xml.size() > kMaxSoapBytes) return impulse::unexpected(std::string("SOAP message over 1 MiB"));
  SoapMessage m;
  m.doc = std::make_shared<pugi::xml_document>();
  const auto parsed = m.doc->load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return impulse::unexpected(std::string("not XML: ") + parsed.description());
  m.envelope = m.doc->document_element();
  if (local_name(m.envelope) != "Envelope") return impulse::unexpected(std::string("no SOAP Envelope"));
  m.header = child(m.envelope, "Header");
  m.body = child(m.envelope, "Body");
  if (!m.body) return impulse::unexpected(std::string("no SOAP Body"));
  return m;
}

std::string_view local_name(const pugi::xml_node& node) {
  std::string_view name = node.name();
  if (const auto colon = name.find(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
  return name;
}

pugi::xml_node child(const pugi::xml_node& parent, std::string_view local) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c) == local) return c;
  return {};
}

pugi::xml_node descendant(const pugi::xml_node& root, std::string_view local) {
  // Depth-first, pre-order, without recursion.
  std::vector<pugi::xml_node> stack;
  for (pugi::xml_node c = root.last_child(); c; c = c.previous_sibling())
    if (c.type() == pugi::node_element) stack.push_back(c);
  std::vector<std::size_t> depth(stack.size(), 1);
  while (!stack.empty()) {
    const pugi::xml_node node = stack.back();
    const std::size_t d = depth.back();
    stack.pop_back();
    depth.pop_back();
    if (local_name(node) == local) return node;
    if (d >= kMaxDepth) continue;
    for (pugi::xml_node c = node.last_child(); c; c = c.previous_sibling()) {
      if (c.type() != pugi::node_element) continue;
      stack.push_back(c);
      depth.push_back(d + 1);
    }
  }
  return {};
}

std::string text_of(const pugi::xml_node& node) { return std::string(trim(node.child_value())); }

std::string namespace_of(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const auto colon = name.find(':');
  const std::string attr = colon == std::string_view::npos ? std::string("xmlns")
                                                           : "xmlns:" + std::string(name.substr(0, colon));
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent())
    if (const auto a = n.attribute(attr.c_str())) return a.value();
  return {};
}

std::string xml_safe(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\r' && c != '\n') c = ' ';
  }
  return out;
}

pugi::xml_node start_message(pugi::xml_document& doc, std::string_view env_prefix, std::string_view ns,
                             std::string_view transaction_id, const char* operation) {
  const std::string env = env_prefix.empty() ? std::string("env") : std::string(env_prefix);
  const std::string uri = ns.empty() ? std::string(kDefaultNamespace) : std::string(ns);
  auto envelope = doc.append_child((env + ":Envelope").c_str());
  envelope.append_attribute(("xmlns:" + env).c_str()).set_value(std::string(kSoapEnvelopeNs).c_str());
  auto tid = envelope.append_child((env + ":Header").c_str()).append_child("mm7:TransactionID");
  tid.append_attribute("xmlns:mm7").set_value(uri.c_str());
  tid.append_attribute((env + ":mustUnderstand").c_str()).set_value("1");
  tid.text().set(xml_safe(transaction_id).c_str());
  auto op = envelope.append_child((env + ":Body").c_str()).append_child(operation);
  op.append_attribute("xmlns").set_value(uri.c_str());
  return op;
}

std::string serialize(const pugi::xml_document& doc) {
  StringWriter writer;
  doc.save(writer, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n" + writer.out;
}

}  // namespace impulse::protocol::mm7

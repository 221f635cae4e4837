// Implementation of protocol/channel_part.hpp.
#include "protocol/channel_part.hpp"

#include <functional>

#include "base/strings.hpp"
#include "protocol/channel_part_mime.hpp"

namespace impulse::protocol {
namespace {

using Why = std::string;

// One part met while walking an MCMT tree.
struct PartView {
  const MimeEntity& entity;
  const ContentType& type;
  std::string_view type_value;  // the Content-Type header as written
};

// Returns true to stop the walk.
using Visitor = std::function<impulse::expected<bool, Why>(const PartView&)>;

std::optional<std::string_view> content_type_value(const HeaderList& headers) {
  return find_header(headers, "Content-Type");
}

// Walks the parts of a multipart body depth first. true = the visitor stopped it.
impulse::expected<bool, Why> walk(std::string_view body, const ContentType& type, std::size_t depth,
                                  const Visitor& visit) {
  if (depth > kMaxMimeDepth) return impulse::unexpected(Why("MIME parts nested too deeply"));
  const auto boundary = type.param("boundary");
  if (!boundary) return impulse::unexpected(Why(type.type + " without a boundary parameter"));
  auto parts = split_multipart(body, *boundary);
  if (!parts) return impulse::unexpected(std::move(parts.error()));
  for (std::string_view raw : *parts) {
    auto entity = split_entity(raw);
    if (!entity) return impulse::unexpected(std::move(entity.error()));
    const auto value = content_type_value(entity->headers);
    std::optional<ContentType> ct = value ? parse_content_type(*value) : parse_content_type("text/plain");
    if (!ct) return impulse::unexpected("unreadable Content-Type '" + std::string(*value) + "'");
    auto stop = visit(PartView{*entity, *ct, value.value_or("")});
    if (!stop) return stop;
    if (*stop) return true;
    if (ct->is_multipart()) {
      auto inner = walk(entity->body, *ct, depth + 1, visit);
      if (!inner || *inner) return inner;
    }
  }
  return false;
}

// The top of an MCMT message: its entity and Content-Type, or why not.
struct Top {
  MimeEntity entity;
  std::optional<ContentType> type;
};

impulse::expected<Top, Why> read_top(std::string_view message) {
  auto entity = split_entity(message);
  if (!entity) return impulse::unexpected("malformed message header: " + entity.error());
  Top top{std::move(*entity), std::nullopt};
  if (const auto value = content_type_value(top.entity.headers)) top.type = parse_content_type(*value);
  return top;
}

bool matches(Channel channel, std::string_view type) {
  if (channel == Channel::kMm7) return type == "multipart/vnd.msys.mm7" || type == "message/vnd.msys.mm7";
  return type == channel_content_type(channel);
}

std::string_view strip_final_line_break(std::string_view body) {
  if (body.ends_with("\r\n")) body.remove_suffix(2);
  else if (body.ends_with("\n")) body.remove_suffix(1);
  return body;
}

impulse::expected<std::string, Why> decode_part(const HeaderList& headers, std::string_view body,
                                                std::string_view what) {
  const auto cte = find_header(headers, "Content-Transfer-Encoding");
  auto decoded = decode_transfer_encoding(body, cte.value_or(""));
  if (!decoded) return impulse::unexpected("undecodable " + std::string(what) + ": " + decoded.error());
  return decoded;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

std::optional<std::string_view> ChannelPart::header(std::string_view name) const { return find_header(headers, name); }

std::string_view channel_content_type(Channel channel) {
  switch (channel) {
    case Channel::kApn: return "message/vnd.msys.apn";
    case Channel::kGcm: return "message/vnd.msys.gcm";
    case Channel::kMm7: return "multipart/vnd.msys.mm7";
  }
  return "message/vnd.msys.apn";
}

bool is_mcmt(std::string_view message) {
  auto top = read_top(message);
  return top && top->type && top->type->type == kMcmtType;
}

impulse::expected<ChannelPart, std::string> find_channel_part(std::string_view message, Channel channel) {
  auto top = read_top(message);
  if (!top) return impulse::unexpected(std::move(top.error()));
  ChannelPart part;
  if (!top->type || top->type->type != kMcmtType) {
    // Not MCMT: the whole message is the channel's.
    part.headers = std::move(top->entity.headers);
    part.content_type = std::string(find_header(part.headers, "Content-Type").value_or(""));
    auto payload = decode_part(part.headers, strip_final_line_break(top->entity.body), "message body");
    if (!payload) return impulse::unexpected(std::move(payload.error()));
    part.payload = std::move(*payload);
    return part;
  }
  bool found = false;
  Why decode_error;
  auto walked = walk(top->entity.body, *top->type, 1, [&](const PartView& p) -> impulse::expected<bool, Why> {
    if (!matches(channel, p.type.type)) return false;
    auto payload = decode_part(p.entity.headers, p.entity.body, p.type.type + " part");
    if (!payload) return impulse::unexpected(std::move(payload.error()));
    part.headers = p.entity.headers;
    part.content_type = std::string(p.type_value);
    part.payload = std::move(*payload);
    found = true;
    return true;
  });
  if (!walked) {
    if (walked.error().starts_with("undecodable ")) return impulse::unexpected(std::move(walked.error()));
    return impulse::unexpected("malformed MCMT message: " + walked.error());
  }
  if (!found)
    return impulse::unexpected("no " + std::string(channel_content_type(channel)) + " part in the MCMT message");
  return part;
}

impulse::expected<std::string, std::string> mcmt_email_part(std::string_view message) {
  auto top = read_top(message);
  if (!top) return impulse::unexpected(std::move(top.error()));
  if (!top->type || top->type->type != kMcmtType) return impulse::unexpected(Why("not an MCMT message"));
  std::optional<std::string> email;
  auto walked = walk(top->entity.body, *top->type, 1, [&](const PartView& p) -> impulse::expected<bool, Why> {
    if (p.type.type != "message/rfc822") return false;
    auto decoded = decode_part(p.entity.headers, p.entity.body, "message/rfc822 part");
    if (!decoded) return impulse::unexpected(std::move(decoded.error()));
    email = std::move(*decoded);
    return true;
  });
  if (!walked) {
    if (walked.error().starts_with("undecodable ")) return impulse::unexpected(std::move(walked.error()));
    return impulse::unexpected("malformed MCMT message: " + walked.error());
  }
  if (!email) return impulse::unexpected(Why("no message/rfc822 part in the MCMT message"));
  if (!email->ends_with("\r\n")) {
    if (email->ends_with("\n")) email->pop_back();
    email->append("\r\n");
  }
  return std::move(*email);
}

impulse::expected<void, std::string> check_mcmt_structure(std::string_view message) {
  auto top = read_top(message);
  if (!top) return impulse::unexpected(std::move(top.error()));
  if (!top->type || top->type->type != kMcmtType) return impulse::unexpected(Why("not an MCMT message"));
  bool email = false;
  auto walked = walk(top->entity.body, *top->type, 1, [&](const PartView& p) -> impulse::expected<bool, Why> {
    if (p.type.type == "message/rfc822") email = true;
    if (p.type.is_multipart()) return false;  // its parts are checked in turn
    auto decoded = decode_part(p.entity.headers, p.entity.body, p.type.type + " part");
    if (!decoded) return impulse::unexpected(std::move(decoded.error()));
    return false;
  });
  if (!walked) {
    if (walked.error().starts_with("undecodable ")) return impulse::unexpected(std::move(walked.error()));
    return impulse::unexpected("malformed MCMT message: " + walked.error());
  }
  if (!email) return impulse::unexpected(Why("no message/rfc822 part in the MCMT message"));
  return {};
}

impulse::expected<std::string, std::string> apn_device_token(const ChannelPart& part, std::string_view local_part) {
  const auto header = part.header("X-Device-Token");
  const std::string_view token = trim(header ? *header : local_part);
  const char* source = header ? "X-Device-Token" : "the recipient's local part";
  if (token.empty()) return impulse::unexpected(std::string("no device token (X-Device-Token or local part)"));
  bool hex = true;
  for (char c : token) hex = hex && is_hex(c);
  if (!hex || token.size() % 2 != 0 || token.size() < 16 || token.size() > 200)
    return impulse::unexpected("invalid device token in " + std::string(source) +
                               ": expected 16-200 hexadecimal digits, an even number");
  return std::string(token);
}

}  // namespace impulse::protocol

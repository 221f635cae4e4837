// Implementation of delivery/smtp/command_format.hpp.
#include "delivery/smtp/command_format.hpp"

#include "protocol/dsn_params.hpp"

#include "base/strings.hpp"

namespace impulse::delivery::smtp {
namespace {

bool sendable_path(std::string_view address) {
  if (address.size() + 2 > kMaxPathLength) return false;
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

bool listed(const std::vector<std::string>& attributes, std::string_view name) {
  for (const auto& a : attributes) {
    if (iequals(a, name)) return true;
  }
  return false;
}

}  // namespace

std::string format_hello(HelloVerb verb, std::string_view name) {
  std::string out;
  switch (verb) {
    case HelloVerb::kEhlo: out = "EHLO "; break;
    case HelloVerb::kHelo: out = "HELO "; break;
    case HelloVerb::kLhlo: out = "LHLO "; break;
  }
  out.append(name);
  out += "\r\n";
  return out;
}

std::optional<std::string> format_mail_from(std::string_view sender, const MailParameters& parameters) {
  if (!sendable_path(sender)) return std::nullopt;
  std::string out = "MAIL FROM:<";
  out.append(sender);
  out += '>';
  if (parameters.size) {
    out += " SIZE=";
    out += std::to_string(*parameters.size);
  }
  if (parameters.body_8bitmime) out += " BODY=8BITMIME";
  if (parameters.smtputf8) out += " SMTPUTF8";
  if (!parameters.dsn_ret.empty()) {
    out += " RET=";
    out.append(parameters.dsn_ret);
  }
  if (!parameters.dsn_envid.empty()) out += " ENVID=" + xtext_encode(parameters.dsn_envid);
  out += "\r\n";
  return out;
}

std::optional<std::string> format_rcpt_to(std::string_view recipient, const RcptParameters& parameters) {
  if (recipient.empty() || !sendable_path(recipient)) return std::nullopt;
  std::string out = "RCPT TO:<";
  out.append(recipient);
  out += '>';
  if (!parameters.notify.empty()) out += " NOTIFY=" + parameters.notify;
  if (!parameters.orcpt.empty()) out += " ORCPT=" + protocol::format_orcpt(parameters.orcpt);
  out += "\r\n";
  return out;
}

std::string xtext_encode(std::string_view value) { return protocol::xtext_encode(value); }

std::optional<std::string> format_xclient(const OriginalClient& client,
                                          const std::vector<std::string>& server_attributes) {
  const bool addr_known = !client.addr.empty() && !iequals(client.addr, "unknown");
  std::string addr = "[UNAVAILABLE]";
  if (addr_known) {
    addr = client.addr.find(':') != std::string::npos ? "IPV6:" + client.addr : client.addr;
  }
  const std::string name = client.name.empty() ? "[UNAVAILABLE]" : client.name;

  struct Attribute {
    std::string_view key;
    std::string value;
  };
  // Order: PROTO, HELO first; ADDR and NAME last.
  std::vector<Attribute> attrs;
  if (!client.proto.empty() && listed(server_attributes, "PROTO")) attrs.push_back({"PROTO", client.proto});
  if (!client.helo.empty() && listed(server_attributes, "HELO")) attrs.push_back({"HELO", client.helo});
  if (listed(server_attributes, "ADDR")) attrs.push_back({"ADDR", addr});
  if (listed(server_attributes, "NAME")) attrs.push_back({"NAME", name});

  auto build = [&attrs]() {
    std::string out = "XCLIENT";
    for (const auto& a : attrs) {
      out += ' ';
      out.append(a.key);
      out += '=';
      out += xtext_encode(a.value);
    }
    out += "\r\n";
    return out;
  };
  std::string line = build();
  for (std::string_view drop : {std::string_view("HELO"), std::string_view("NAME")}) {
    if (line.size() <= kMaxCommandLine) break;
    std::erase_if(attrs, [drop](const Attribute& a) { return a.key == drop; });
    line = build();
  }
  if (attrs.empty()) return std::nullopt;
  return line;
}

}  // namespace impulse::delivery::smtp

// Implementation of protocol/smtp_bdat.hpp.
#include "protocol/smtp_bdat.hpp"

#include "base/strings.hpp"

namespace impulse::protocol {

impulse::expected<BdatCommand, std::string> parse_bdat_arguments(std::string_view arguments) {
  using R = impulse::expected<BdatCommand, std::string>;
  auto bad = [](std::string why) -> R { return impulse::unexpected<std::string>(std::move(why)); };
  arguments = trim(arguments);
  const std::size_t sp = arguments.find(' ');
  const std::string_view size = arguments.substr(0, sp);
  const std::string_view rest = sp == std::string_view::npos ? std::string_view{} : trim(arguments.substr(sp + 1));
  if (size.empty()) return bad("BDAT needs a chunk size");
  if (size.size() > 19) return bad("chunk size too large");
  BdatCommand cmd;
  for (char c : size) {
    if (c < '0' || c > '9') return bad("chunk size must be a number");
    cmd.size = cmd.size * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!rest.empty()) {
    if (!iequals(rest, "LAST")) return bad("expected LAST after the chunk size");
    cmd.last = true;
  }
  return cmd;
}

std::string format_bdat(std::uint64_t size, bool last) {
  return "BDAT " + std::to_string(size) + (last ? " LAST\r\n" : "\r\n");
}

}  // namespace impulse::protocol

// Fuzz target: the channel-part finder (protocol/channel_part.hpp) over any
// message. For each channel the result is an error or a part whose payload
// is no larger than the message (every transfer decoding shrinks or keeps
// the size); the MCMT functions agree with each other (a structure that
// checks out has an email part, which ends in CRLF); a device token that
// is accepted is even-length hexadecimal of 16-200 digits. The first line
// of the input doubles as the recipient's local part.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/channel_part.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  const std::string_view local_part = message.substr(0, message.find('\n'));
  const bool mcmt = is_mcmt(message);
  for (Channel channel : {Channel::kApn, Channel::kGcm, Channel::kMm7}) {
    auto part = find_channel_part(message, channel);
    if (!part) {
      if (part.error().empty()) std::abort();  // every failure says why
      continue;
    }
    if (part->payload.size() > message.size()) std::abort();
    if (!mcmt && channel == Channel::kApn) {
      // The whole message: its content type is the message's own.
      auto again = find_channel_part(message, Channel::kGcm);
      if (!again || again->payload != part->payload) std::abort();
    }
    if (channel != Channel::kApn) continue;
    auto token = apn_device_token(*part, local_part);
    if (!token) continue;
    if (token->size() < 16 || token->size() > 200 || token->size() % 2 != 0) std::abort();
    for (char c : *token)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) std::abort();
  }
  auto email = mcmt_email_part(message);
  auto structure = check_mcmt_structure(message);
  if ((email || structure) && !mcmt) std::abort();
  if (structure && !email) std::abort();
  if (email && (!email->ends_with("\r\n") || email->size() > message.size() + 2)) std::abort();
  return 0;
}

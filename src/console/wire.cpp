// Implementation of wire.hpp.
#include "console/wire.hpp"

#include <charconv>

namespace impulse::console {

namespace {
constexpr std::string_view kMagic = "IMPULSE-REPLY ";
}

std::string encode_reply(const Reply& r) {
  std::string out(kMagic);
  out += r.ok ? '0' : '1';
  out += ' ';
  out += std::to_string(r.text.size());
  out += '\n';
  out += r.text;
  return out;
}

std::optional<Reply> ReplyDecoder::next() {
  if (failed_) return std::nullopt;
  auto nl = buf_.find('\n');
  if (nl == std::string::npos) {
    if (buf_.size() > 64) failed_ = true;
    return std::nullopt;
  }
  std::string_view header(buf_.data(), nl);
  if (header.substr(0, kMagic.size()) != kMagic || header.size() < kMagic.size() + 3) {
    failed_ = true;
    return std::nullopt;
  }
  header.remove_prefix(kMagic.size());
  char status = header[0];
  if ((status != '0' && status != '1') || header[1] != ' ') {
    failed_ = true;
    return std::nullopt;
  }
  std::size_t len = 0;
  auto digits = header.substr(2);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
  if (ec != std::errc() || p != digits.data() + digits.size() || len > kMaxReplyBytes) {
    failed_ = true;
    return std::nullopt;
  }
  if (buf_.size() - nl - 1 < len) return std::nullopt;
  Reply r{status == '0', buf_.substr(nl + 1, len)};
  buf_.erase(0, nl + 1 + len);
  return r;
}

}  // namespace impulse::console

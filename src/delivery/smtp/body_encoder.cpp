// Implementation of delivery/smtp/body_encoder.hpp.
#include "delivery/smtp/body_encoder.hpp"

namespace impulse::delivery::smtp {

void BodyEncoder::encode(std::string_view chunk, std::string& out) {
  out.reserve(out.size() + chunk.size() + chunk.size() / 64 + 8);
  std::size_t i = 0;
  const std::size_t n = chunk.size();
  while (i < n) {
    const char c = chunk[i];
    if (pending_cr_) {
      // The previous CR ends a line whatever follows: CRLF stays CRLF, a
      // bare CR becomes CRLF.
      pending_cr_ = false;
      out += "\r\n";
      at_line_start_ = true;
      if (c == '\n') {
        ++i;
        continue;
      }
    }
    if (c == '\r') {
      pending_cr_ = true;
      ++i;
      continue;
    }
    if (c == '\n') {  // bare LF
      out += "\r\n";
      at_line_start_ = true;
      ++i;
      continue;
    }
    if (at_line_start_ && c == '.') out += '.';
    at_line_start_ = false;
    // Copy the run of ordinary octets up to the next line end at once.
    std::size_t j = i + 1;
    while (j < n && chunk[j] != '\r' && chunk[j] != '\n') ++j;
    out.append(chunk.data() + i, j - i);
    i = j;
  }
}

void BodyEncoder::finish(std::string& out) {
  if (pending_cr_) {
    out += "\r\n";
    at_line_start_ = true;
  }
  if (!at_line_start_) out += "\r\n";
  out += ".\r\n";
  pending_cr_ = false;
  at_line_start_ = true;
}

std::string encode_body(std::string_view content) {
  std::string out;
  BodyEncoder encoder;
  encoder.encode(content, out);
  encoder.finish(out);
  return out;
}

std::uint64_t normalized_size(std::string_view content) {
  std::uint64_t size = 0;
  bool at_line_start = true;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    if (c == '\r') {
      size += 2;
      at_line_start = true;
      if (i + 1 < content.size() && content[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      size += 2;
      at_line_start = true;
    } else {
      size += 1;
      at_line_start = false;
    }
  }
  if (!at_line_start) size += 2;
  return size;
}

bool has_8bit(std::string_view content) {
  for (char c : content) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

}  // namespace impulse::delivery::smtp

// fuzz-sources: src/delivery/smtp/reply_reader.cpp src/delivery/smtp/capabilities.cpp
// Fuzz target for delivery/smtp/reply_reader.hpp and capabilities.hpp: any
// byte stream, fed in chunks of any size, must yield the same replies (or
// the same error) as when fed at once; every reply must respect the
// reader's limits; capability parsing must accept any reply's lines.
// Input: first byte = chunk size (0 = everything at once), then the stream.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/smtp/capabilities.hpp"
#include "delivery/smtp/reply_reader.hpp"

namespace {

using impulse::delivery::smtp::kMaxReplyLineLength;
using impulse::delivery::smtp::kMaxReplyLines;
using impulse::delivery::smtp::parse_capabilities;
using impulse::delivery::smtp::Reply;
using impulse::delivery::smtp::ReplyReader;

struct Parsed {
  std::vector<Reply> replies;
  bool failed = false;
  int error = -1;
};

Parsed parse(std::string_view stream, std::size_t chunk) {
  Parsed out;
  ReplyReader reader;
  if (chunk == 0) chunk = stream.size() + 1;
  for (std::size_t pos = 0; pos < stream.size() && !out.failed; pos += chunk) {
    reader.feed(stream.substr(pos, chunk));
    while (true) {
      auto next = reader.next();
      if (!next) {
        out.failed = true;
        out.error = static_cast<int>(next.error());
        break;
      }
      if (!*next) break;
      out.replies.push_back(std::move(**next));
    }
  }
  return out;
}

void check(const Reply& r) {
  if (r.code < 200 || r.code > 599) std::abort();
  if (r.lines.empty() || r.lines.size() > kMaxReplyLines) std::abort();
  std::size_t expected_text = 0;
  for (const auto& line : r.lines) {
    if (line.size() + 6 > kMaxReplyLineLength) std::abort();  // "NNN-" + text + CRLF
    if (line.find('\n') != std::string::npos) std::abort();
    expected_text += 4 + line.size() + 2;
  }
  if (r.text.size() > expected_text) std::abort();
  if (r.text.compare(0, 3, std::to_string(r.code)) != 0) std::abort();
  (void)parse_capabilities(r.lines);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = data[0] % 17;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  const Parsed whole = parse(stream, 0);
  const Parsed pieces = parse(stream, chunk);
  for (const auto& r : whole.replies) check(r);
  // Chunking must not change anything: the same replies, then the same error.
  if (whole.failed != pieces.failed || whole.error != pieces.error) std::abort();
  if (whole.replies.size() != pieces.replies.size()) std::abort();
  for (std::size_t i = 0; i < whole.replies.size(); ++i) {
    if (whole.replies[i].text != pieces.replies[i].text || whole.replies[i].lines != pieces.replies[i].lines) {
      std::abort();
    }
  }
  return 0;
}

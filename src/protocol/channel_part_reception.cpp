// Implementation of protocol/channel_part_reception.hpp.
#include "protocol/channel_part_reception.hpp"

#include "base/strings.hpp"
#include "protocol/channel_part.hpp"

namespace impulse::protocol {
namespace {

// The top-level header block: up to (not including) the first empty line.
std::string_view header_block(std::string_view data) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    const std::size_t lf = data.find('\n', pos);
    const std::size_t end = lf == std::string_view::npos ? data.size() : lf;
    const std::size_t len = end - pos - (end > pos && data[end - 1] == '\r' ? 1 : 0);
    if (len == 0) return data.substr(0, pos);
    if (lf == std::string_view::npos) return data;
    pos = lf + 1;
  }
  return data;
}

bool is_mark_line(std::string_view line) {
  return line.size() > kMcmtReceptionHeader.size() && istarts_with(line, kMcmtReceptionHeader) &&
         (line[kMcmtReceptionHeader.size()] == ':' || line[kMcmtReceptionHeader.size()] == ' ' ||
          line[kMcmtReceptionHeader.size()] == '\t');
}

// Calls f(begin, next) for each line of `block` (next = after its line break).
template <class F>
void for_each_line(std::string_view block, F f) {
  std::size_t pos = 0;
  while (pos < block.size()) {
    const std::size_t lf = block.find('\n', pos);
    const std::size_t next = lf == std::string_view::npos ? block.size() : lf + 1;
    f(pos, next);
    pos = next;
  }
}

}  // namespace

bool has_mcmt_reception_mark(std::string_view data) {
  const std::string_view block = header_block(data);
  bool found = false;
  for_each_line(block, [&](std::size_t b, std::size_t e) { found = found || is_mark_line(block.substr(b, e - b)); });
  return found;
}

std::optional<std::string> mark_mcmt_reception(std::string_view data, bool allowed) {
  const std::string_view block = header_block(data);
  std::string kept;
  bool removed = false;
  bool in_mark = false;  // inside a removed field (its continuation lines go too)
  for_each_line(block, [&](std::size_t b, std::size_t e) {
    const std::string_view line = block.substr(b, e - b);
    const bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    if (!continuation) in_mark = is_mark_line(line);
    if (in_mark) {
      removed = true;
      return;
    }
    kept.append(line);
  });
  if (!removed && !allowed) return std::nullopt;
  std::string out;
  out.reserve(data.size() + 40);
  if (allowed) {
    out.append(kMcmtReceptionHeader);
    out.append(": allow\r\n");
  }
  out.append(removed ? std::string_view(kept) : block);
  out.append(data.substr(block.size()));
  return out;
}

std::optional<std::string> email_body_for(std::string_view body, bool always_allow) {
  if (!always_allow && !has_mcmt_reception_mark(body)) return std::nullopt;
  if (!is_mcmt(body)) return std::nullopt;
  auto email = mcmt_email_part(body);
  if (!email) return std::nullopt;
  return std::move(*email);
}

}  // namespace impulse::protocol

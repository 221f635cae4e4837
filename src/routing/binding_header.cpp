// Implementation of routing/binding_header.hpp.
#include "routing/binding_header.hpp"

#include <vector>

#include "base/strings.hpp"

namespace impulse::routing {
namespace {

struct Range {
  std::size_t begin = 0;
  std::size_t end = 0;  // one past the field's last CRLF
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// End of the line starting at `pos`, including its line break (or the end
// of the data).
std::size_t line_end(const std::string& data, std::size_t pos) {
  const std::size_t lf = data.find('\n', pos);
  return lf == std::string::npos ? data.size() : lf + 1;
}

std::string unfold_trim(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c == '\r' || c == '\n') continue;
    out.push_back(c);
  }
  std::size_t b = 0, e = out.size();
  while (b < e && is_blank(out[b])) ++b;
  while (e > b && is_blank(out[e - 1])) --e;
  return out.substr(b, e - b);
}

}  // namespace

BindingHeaders strip_binding_headers(std::string& data) {
  BindingHeaders found;
  std::vector<Range> remove;
  std::size_t pos = 0;
  while (pos < data.size()) {
    const std::size_t end = line_end(data, pos);
    const std::string_view line(data.data() + pos, end - pos);
    if (line == "\r\n" || line == "\n") break;  // end of the header section
    // The field and its continuation lines.
    std::size_t field_end = end;
    while (field_end < data.size() && is_blank(data[field_end])) field_end = line_end(data, field_end);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view name = line.substr(0, colon);
      while (!name.empty() && is_blank(name.back())) name.remove_suffix(1);
      std::optional<std::string>* slot = nullptr;
      if (iequals(name, kBindingHeader)) slot = &found.binding;
      else if (iequals(name, kBindingGroupHeader)) slot = &found.group;
      if (slot) {
        if (!*slot) {
          *slot = unfold_trim(std::string_view(data).substr(pos + colon + 1, field_end - pos - colon - 1));
        }
        remove.push_back({pos, field_end});
      }
    }
    pos = field_end;
  }
  for (auto it = remove.rbegin(); it != remove.rend(); ++it) data.erase(it->begin, it->end - it->begin);
  return found;
}

}  // namespace impulse::routing

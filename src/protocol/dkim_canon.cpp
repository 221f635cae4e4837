// Implementation of protocol/dkim_canon.hpp.
#include "protocol/dkim_canon.hpp"

#include <algorithm>
#include <cstddef>

#include "base/strings.hpp"

namespace impulse::protocol {
namespace {

std::string_view trim_trailing_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

bool same_name(std::string_view a, std::string_view b) { return iequals(trim_trailing_wsp(a), trim_trailing_wsp(b)); }

// One line of `text` from `pos`: its content (without CR LF or LF) and
// where the next line starts (text.size() at the end).
struct Line {
  std::string_view content;
  std::size_t next;
  bool ended;  // had a line end
};

Line line_at(std::string_view text, std::size_t pos) {
  const std::size_t lf = text.find('\n', pos);
  if (lf == std::string_view::npos) return {text.substr(pos), text.size(), false};
  std::size_t end = lf;
  if (end > pos && text[end - 1] == '\r') --end;
  return {text.substr(pos, end - pos), lf + 1, true};
}

// `text` with every line end (CR LF or a bare LF) written as CR LF.
void append_crlf_lines(std::string& out, std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const Line l = line_at(text, pos);
    out += l.content;
    if (l.ended) out += "\r\n";
    pos = l.next;
  }
}

}  // namespace

DkimMessageParts split_dkim_message(std::string_view message) {
  DkimMessageParts parts;
  std::size_t pos = 0;
  while (pos < message.size()) {
    const Line l = line_at(message, pos);
    if (l.content.empty() && l.ended) {
      parts.body = message.substr(l.next);
      return parts;
    }
    if (!parts.fields.empty() && !l.content.empty() && is_wsp(l.content.front())) {
      DkimHeaderField& f = parts.fields.back();  // a continuation: the field grows to this line's end
      f.field = message.substr(f.field.data() - message.data(),
                               static_cast<std::size_t>(l.content.data() + l.content.size() - f.field.data()));
    } else {
      const std::size_t colon = l.content.find(':');
      parts.fields.push_back({l.content.substr(0, colon), l.content});
    }
    pos = l.next;
  }
  return parts;
}

std::string canonical_dkim_header(std::string_view field, DkimCanon canon) {
  std::string out;
  if (canon == DkimCanon::kSimple) {
    out.reserve(field.size() + 2);
    append_crlf_lines(out, field);
    out += "\r\n";
    return out;
  }
  const std::size_t colon = field.find(':');
  const std::string_view name = trim_trailing_wsp(field.substr(0, colon));
  out.reserve(field.size() + 2);
  for (char c : name)
    if (c != '\r' && c != '\n') out += ascii_lower(c);
  out += ':';
  if (colon != std::string_view::npos) {
    // Unfold, make each run of white space one space, drop it at both ends.
    bool pending_space = false;
    bool started = false;
    for (char c : field.substr(colon + 1)) {
      if (c == '\r' || c == '\n') continue;
      if (is_wsp(c)) {
        pending_space = started;
        continue;
      }
      if (pending_space) out += ' ';
      pending_space = false;
      started = true;
      out += c;
    }
  }
  out += "\r\n";
  return out;
}

void canonicalize_dkim_body(std::string_view body, DkimCanon canon,
                            const std::function<void(std::string_view)>& emit) {
  static constexpr std::string_view kCrlfs =
      "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";
  std::size_t held = 0;  // empty lines seen since the last non-empty one: kept only if another follows
  bool any = false;
  std::string relaxed;   // the current line, relaxed
  for (std::size_t pos = 0; pos < body.size();) {
    const Line l = line_at(body, pos);
    pos = l.next;
    std::string_view content = l.content;
    if (canon == DkimCanon::kRelaxed) {
      relaxed.clear();
      bool pending_space = false;
      for (char c : l.content) {
        if (is_wsp(c)) {
          pending_space = true;
          continue;
        }
        if (pending_space) relaxed += ' ';
        pending_space = false;
        relaxed += c;
      }
      content = relaxed;
    }
    if (content.empty()) {
      ++held;
      continue;
    }
    while (held > 0) {
      const std::size_t n = std::min(held, kCrlfs.size() / 2);
      emit(kCrlfs.substr(0, 2 * n));
      held -= n;
    }
    emit(content);
    emit(kCrlfs.substr(0, 2));
    any = true;
  }
  if (!any && canon == DkimCanon::kSimple) emit(kCrlfs.substr(0, 2));
}

std::string canonical_dkim_body(std::string_view body, DkimCanon canon) {
  std::string out;
  out.reserve(body.size() + 2);
  canonicalize_dkim_body(body, canon, [&out](std::string_view piece) { out += piece; });
  return out;
}

std::vector<const DkimHeaderField*> select_dkim_headers(const DkimMessageParts& parts,
                                                        const std::vector<std::string>& names) {
  std::vector<const DkimHeaderField*> out;
  std::vector<bool> taken(parts.fields.size(), false);
  for (const std::string& name : names) {
    for (std::size_t i = parts.fields.size(); i-- > 0;) {
      if (!taken[i] && same_name(parts.fields[i].name, name)) {
        taken[i] = true;
        out.push_back(&parts.fields[i]);
        break;
      }
    }
  }
  return out;
}

}  // namespace impulse::protocol

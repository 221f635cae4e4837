// Implementation of protocol/dsn_text.hpp.
#include "protocol/dsn_text.hpp"

#include <array>
#include <chrono>

#include <fmt/format.h>

#include "base/strings.hpp"

namespace impulse::protocol {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::size_t kQpLine = 76;

}  // namespace

std::string format_rfc5322_date(WallTime t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const weekday wd{day};
  const hh_mm_ss<seconds> tod{secs - day};
  return fmt::format("{}, {} {} {} {:02}:{:02}:{:02} +0000", kWeekdays[wd.c_encoding()],
                     static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                     static_cast<int>(ymd.year()), tod.hours().count(), tod.minutes().count(),
                     tod.seconds().count());
}

std::string header_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\r' || c == '\n') {
      pending_space = true;
      continue;
    }
    if (pending_space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
      pending_space = false;
    }
    if (c == '\t')
      out += ' ';
    else if (c < 0x20 || c >= 0x7f)
      out += '?';
    else
      out += ch;
  }
  return std::string(trim(out));
}

std::string fold_field(std::string_view name, std::string_view value) {
  std::string out;
  out.reserve(name.size() + value.size() + 8);
  out.append(name).append(": ");
  std::size_t col = out.size();
  const std::size_t first_col = col;
  std::size_t i = 0;
  while (i < value.size()) {
    std::size_t j = i;
    while (j < value.size() && value[j] == ' ') ++j;
    while (j < value.size() && value[j] != ' ') ++j;
    std::string_view word = value.substr(i, j - i);
    i = j;
    if (col > first_col && word.front() == ' ' && col + word.size() > kFoldColumn) {
      out += "\r\n";  // the word's leading space becomes the folding white space
      col = 0;
    }
    while (col + word.size() > kMaxLineOctets) {  // pathological word: split hard
      std::size_t take = kMaxLineOctets - col;
      out.append(word.substr(0, take));
      word.remove_prefix(take);
      out += "\r\n ";
      col = 1;
    }
    out.append(word);
    col += word.size();
  }
  out += "\r\n";
  return out;
}

std::string normalize_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

ContentScan scan_content(std::string_view crlf_text) {
  ContentScan s;
  std::size_t line = 0;
  for (std::size_t i = 0; i < crlf_text.size(); ++i) {
    auto c = static_cast<unsigned char>(crlf_text[i]);
    if (c == '\r' && i + 1 < crlf_text.size() && crlf_text[i + 1] == '\n') {
      if (line > s.longest_line) s.longest_line = line;
      line = 0;
      ++i;
      continue;
    }
    if (c == 0) s.nul = true;
    if (c >= 0x80) s.eight_bit = true;
    ++line;
  }
  if (line > s.longest_line) s.longest_line = line;
  return s;
}

bool is_7bit_clean(const ContentScan& s) { return !s.eight_bit && !s.nul && s.longest_line <= kMaxLineOctets; }
bool is_8bit_clean(const ContentScan& s) { return !s.nul && s.longest_line <= kMaxLineOctets; }

std::string quoted_printable(std::string_view crlf_text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(crlf_text.size() + crlf_text.size() / 8);
  std::size_t pos = 0;
  while (pos <= crlf_text.size()) {
    std::size_t eol = crlf_text.find("\r\n", pos);
    bool has_eol = eol != std::string_view::npos;
    std::string_view line = crlf_text.substr(pos, has_eol ? eol - pos : std::string_view::npos);
    std::size_t col = 0;
    for (std::size_t k = 0; k < line.size(); ++k) {
      auto c = static_cast<unsigned char>(line[k]);
      const bool last = k + 1 == line.size();
      char token[3];
      std::size_t len = 1;
      if ((c == ' ' || c == '\t') && !last) {
        token[0] = static_cast<char>(c);
      } else if (c < 33 || c > 126 || c == '=') {
        token[0] = '=';
        token[1] = kHex[c >> 4];
        token[2] = kHex[c & 0x0f];
        len = 3;
      } else {
        token[0] = static_cast<char>(c);
      }
      // Keep room for the soft break's "=" unless this is the line's end.
      std::size_t limit = last ? kQpLine : kQpLine - 1;
      if (col + len > limit) {
        out += "=\r\n";
        col = 0;
      }
      out.append(token, len);
      col += len;
    }
    if (!has_eol) break;
    out += "\r\n";
    pos = eol + 2;
  }
  return out;
}

std::string_view header_section(std::string_view crlf_message) {
  if (crlf_message.starts_with("\r\n")) return crlf_message.substr(0, 0);
  auto end = crlf_message.find("\r\n\r\n");
  if (end == std::string_view::npos) return crlf_message;
  return crlf_message.substr(0, end + 2);
}

std::optional<std::string> find_header(std::string_view headers, std::string_view name) {
  std::size_t pos = 0;
  while (pos < headers.size()) {
    std::size_t eol = headers.find("\r\n", pos);
    std::string_view line = headers.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    std::size_t next = eol == std::string_view::npos ? headers.size() : eol + 2;
    if (line.size() > name.size() && line[name.size()] == ':' && iequals(line.substr(0, name.size()), name)) {
      std::string value(line.substr(name.size() + 1));
      // Continuation lines start with white space.
      while (next < headers.size() && (headers[next] == ' ' || headers[next] == '\t')) {
        std::size_t e2 = headers.find("\r\n", next);
        std::string_view cont =
            headers.substr(next, e2 == std::string_view::npos ? std::string_view::npos : e2 - next);
        value.append(cont);
        next = e2 == std::string_view::npos ? headers.size() : e2 + 2;
      }
      return std::string(trim(value));
    }
    pos = next;
  }
  return std::nullopt;
}

}  // namespace impulse::protocol

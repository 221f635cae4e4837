// Implementation of config/lexer.hpp.
#include "config/lexer.hpp"

#include <fmt/format.h>

namespace impulse::config {
namespace {

constexpr std::size_t kMaxDescribedBytes = 40;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }
bool is_line_end(char c) { return c == '\n' || c == '\r'; }
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// Characters that always end a bare word (besides `[`, `/*` and line ends).
bool is_delimiter(char c) {
  switch (c) {
    case '#': case '"': case '=': case '{': case '}': case '(': case ')': case ']':
      return true;
    default:
      return false;
  }
}

std::string printable(std::string_view s) {
  std::string out;
  std::size_t n = 0;
  for (char c : s) {
    if (n++ == kMaxDescribedBytes) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

}  // namespace

Lexer::Lexer(std::string_view text) : text_(text) {
  // A UTF-8 byte order mark is not part of the first token.
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

void Lexer::step(std::size_t n) {
  pos_ += n;
  col_ += static_cast<std::uint32_t>(n);
}

void Lexer::step_line_end() {
  if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
  ++pos_;
  ++line_;
  col_ = 1;
}

Token Lexer::make(TokenKind kind, std::string text, std::uint32_t line, std::uint32_t col) const {
  Token t;
  t.kind = kind;
  t.text = std::move(text);
  t.line = line;
  t.col = col;
  return t;
}

std::optional<Token> Lexer::skip_blank() {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (is_space(c)) {
      step();
    } else if (is_line_end(c)) {
      step_line_end();
    } else if (c == '#') {
      while (pos_ < text_.size() && !is_line_end(text_[pos_])) step();
    } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
      std::uint32_t line = line_, col = col_;
      step(2);
      bool closed = false;
      while (pos_ < text_.size()) {
        if (text_[pos_] == '*' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
          step(2);
          closed = true;
          break;
        }
        if (is_line_end(text_[pos_]))
          step_line_end();
        else
          step();
      }
      if (!closed) return make(TokenKind::Error, "unterminated comment: '/*' has no matching '*/'", line, col);
    } else {
      break;
    }
  }
  return std::nullopt;
}

Token Lexer::next() {
  if (pending_) {
    Token t = std::move(*pending_);
    pending_.reset();
    return t;
  }
  if (auto err = skip_blank()) return std::move(*err);
  if (pos_ >= text_.size()) return make(TokenKind::End, "", line_, col_);

  std::uint32_t line = line_, col = col_;
  auto punct = [&](TokenKind kind) {
    step();
    return make(kind, std::string(1, text_[pos_ - 1]), line, col);
  };
  switch (text_[pos_]) {
    case '"': return lex_string();
    case '=': return punct(TokenKind::Equals);
    case '{': return punct(TokenKind::LBrace);
    case '}': return punct(TokenKind::RBrace);
    case '(': return punct(TokenKind::LParen);
    case ')': return punct(TokenKind::RParen);
    case ']': return punct(TokenKind::RBracket);
    case ';': return punct(TokenKind::Semicolon);
    case ',': return punct(TokenKind::Comma);
    case '[':
      if (ipv6_literal_length(pos_) == 0) return punct(TokenKind::LBracket);
      return lex_word();
    default: return lex_word();
  }
}

Token Lexer::lex_string() {
  std::uint32_t line = line_, col = col_;
  step();  // opening quote
  std::string out;
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == '"') {
      step();
      return make(TokenKind::String, std::move(out), line, col);
    }
    if (is_line_end(c)) break;
    if (c == '\\' && pos_ + 1 < text_.size()) {
      char e = text_[pos_ + 1];
      if (e == '"' || e == '\\') {
        out += e;
        step(2);
        continue;
      }
      if (e == 'n' || e == 't') {
        out += e == 'n' ? '\n' : '\t';
        step(2);
        continue;
      }
      // Any other backslash (regex `\.`, `\d`) is kept as written.
    }
    out += c;
    step();
  }
  // A raw line end or end of input before the closing quote: the string ends
  // here, and the error points at its opening quote.
  pending_ = make(TokenKind::String, std::move(out), line, col);
  return make(TokenKind::Error, "unterminated string: missing closing '\"' on this line", line, col);
}

std::size_t Lexer::ipv6_literal_length(std::size_t pos) const {
  std::size_t q = pos + 1;
  while (q < text_.size() && (is_hex(text_[q]) || text_[q] == ':' || text_[q] == '.')) ++q;
  if (q == pos + 1 || q >= text_.size() || text_[q] != ']') return 0;
  return q + 1 - pos;
}

std::size_t Lexer::separator_run_length(std::size_t pos) const {
  std::size_t q = pos;
  while (q < text_.size() && (text_[q] == ';' || text_[q] == ',')) ++q;
  return q - pos;
}

bool Lexer::ends_word(std::size_t pos) const {
  if (pos >= text_.size()) return true;
  char c = text_[pos];
  if (is_space(c) || is_line_end(c) || is_delimiter(c)) return true;
  if (c == '/' && pos + 1 < text_.size() && text_[pos + 1] == '*') return true;
  return c == '[' && ipv6_literal_length(pos) == 0;
}

Token Lexer::lex_word() {
  std::uint32_t line = line_, col = col_;
  std::size_t start = pos_;
  while (!ends_word(pos_)) {
    char c = text_[pos_];
    if (c == '[') {
      step(ipv6_literal_length(pos_));
    } else if (c == ';' || c == ',') {
      // A run of separators that ends the word is not part of it.
      std::size_t run = separator_run_length(pos_);
      if (ends_word(pos_ + run)) break;
      step(run);
    } else {
      step();
    }
  }
  return make(TokenKind::Word, std::string(text_.substr(start, pos_ - start)), line, col);
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::End: return "end of file";
    case TokenKind::String: return fmt::format("\"{}\"", printable(token.text));
    default: return fmt::format("'{}'", printable(token.text));
  }
}

}  // namespace impulse::config

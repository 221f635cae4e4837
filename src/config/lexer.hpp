// The lexer of the configuration language (reference/momentum.md §1.1; SPEC
// §2, §10): turns bytes into tokens with 1-based line and byte column.
//
// It knows comments (`#` to end of line, `/* */` not nesting), bare words,
// double-quoted strings (escapes \" \\ \n \t; any other backslash is kept as
// written, so regexes survive), punctuation `= { } ( ) [ ]`, and the two
// characters users wrongly use as separators: a `;` or `,` that starts or ends
// a bare word is a token of its own, so the parser can explain the mistake
// (inside a word, as in `a,b`, they are text). A `[` directly followed by hex
// digits, `:` and `.` up to a `]` is an address literal and part of a bare
// word, so `[::1]:2525`, `[1.2.3.4]` and `smtp://[::1]:25` are single words
// (a dictionary needs a `=`, so such a bracket can never be one).
// Line ends are LF, CRLF or a lone CR.
//
// It leaves statements, scopes and values to the parser. Lexical errors
// (unterminated string or comment) are returned in the token stream as
// TokenKind::Error tokens, in source order, so the parser reports them in
// order with its own. Pure and single-threaded per instance; linear in the
// input, never fails on any bytes (NUL and invalid UTF-8 are word bytes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace impulse::config {

enum class TokenKind {
  Word,       // bare word; text as written
  String,     // double-quoted; text without quotes, escapes resolved
  Equals,     // =
  LBrace,     // {
  RBrace,     // }
  LParen,     // (
  RParen,     // )
  LBracket,   // [ (not an IPv6 literal)
  RBracket,   // ]
  Semicolon,  // ; at the start or end of a word
  Comma,      // , at the start or end of a word
  Error,      // a lexical error; text is the message, position where it starts
  End,        // end of input (returned again on every further call)
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;
  std::uint32_t line = 1;  // 1-based
  std::uint32_t col = 1;   // 1-based, in bytes
};

class Lexer {
 public:
  explicit Lexer(std::string_view text);

  // The next token. After the input is exhausted, End forever.
  Token next();

 private:
  // Skips whitespace and comments; returns an Error token for an
  // unterminated block comment.
  std::optional<Token> skip_blank();
  Token lex_string();
  Token lex_word();
  // Length of an address literal `[...]` starting at pos, or 0 if none.
  std::size_t ipv6_literal_length(std::size_t pos) const;
  // Length of the run of `;` and `,` starting at pos.
  std::size_t separator_run_length(std::size_t pos) const;
  bool ends_word(std::size_t pos) const;
  // Advances over one byte that is not a line end.
  void step(std::size_t n = 1);
  // Advances over one line end (LF, CRLF or CR) at pos_.
  void step_line_end();
  Token make(TokenKind kind, std::string text, std::uint32_t line, std::uint32_t col) const;

  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t col_ = 1;
  std::optional<Token> pending_;  // a token to return after an Error token
};

// A short, printable rendering of a token for messages: `'word'`,
// `"string"`, `'('`, `end of file`. Long texts are cut, control bytes escaped.
std::string describe(const Token& token);

}  // namespace impulse::config

// Implementation of config/parser.hpp: a recursive-descent parser over the
// token stream of config/lexer.hpp. Recursion is bounded by kMaxNesting
// (brackets of every kind) and kMaxIncludeDepth, so no input can exhaust the
// stack; every loop consumes a token or ends, so parsing is linear.
#include <cstddef>
#include <deque>
#include <filesystem>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "config/lexer.hpp"
#include "config/parser.hpp"

namespace impulse::config {
namespace {

constexpr int kMaxNesting = 64;        // `{`, `(` and `[` levels together
constexpr int kMaxIncludeDepth = 16;   // files including files
constexpr std::size_t kMaxIncludedFiles = 10000;
constexpr std::size_t kMaxErrors = 200;

bool is_include_keyword(const Token& t) {
  return t.kind == TokenKind::Word && (iequals(t.text, "include") || iequals(t.text, "readonly_include"));
}
bool is_name(const Token& t) { return t.kind == TokenKind::Word || t.kind == TokenKind::String; }
bool starts_value(const Token& t) {
  return is_name(t) || t.kind == TokenKind::LParen || t.kind == TokenKind::LBracket;
}
bool opens(const Token& t) {
  return t.kind == TokenKind::LBrace || t.kind == TokenKind::LParen || t.kind == TokenKind::LBracket;
}
bool closes(const Token& t) {
  return t.kind == TokenKind::RBrace || t.kind == TokenKind::RParen || t.kind == TokenKind::RBracket;
}

// `a/./b/../c` and `a/c` name the same file (lexically; no file access).
std::string normal_path(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().string();
}

// State shared by the parsers of the top file and all files it includes.
struct Session {
  const IncludeLoader& loader;
  Diagnostics errors;
  std::vector<std::string> include_stack;  // files being parsed, outermost first (normal form)
  std::size_t included_files = 0;
  bool stopped = false;  // too many errors: every parser winds down

  void report(SourceLoc loc, std::string message) {
    if (stopped) return;
    if (errors.size() + 1 >= kMaxErrors) {
      stopped = true;
      errors.push_back(Diagnostic{std::move(loc), "too many errors; stopping here"});
      return;
    }
    errors.push_back(Diagnostic{std::move(loc), std::move(message)});
  }
};

// Parses one file's tokens into a scope. Included files get their own
// FileParser sharing the Session.
class FileParser {
 public:
  FileParser(Session& session, std::string_view text, std::string file, int include_depth)
      : session_(session), lexer_(text), file_(std::move(file)), include_depth_(include_depth) {}

  // Parses the whole file; its statements are appended to `scope`, which sits
  // at bracket depth `nesting`.
  void parse_into(Scope& scope, int nesting) {
    flush_errors();
    parse_statements(scope, nesting, nullptr);
  }

 private:
  // ---- token access ------------------------------------------------------

  // Makes sure at least `n` non-error tokens are buffered after the leading
  // (already reported) position.
  void fill(std::size_t n) {
    std::size_t good = 0;
    for (const auto& t : buffer_)
      if (t.kind != TokenKind::Error) ++good;
    while (good < n) {
      buffer_.push_back(lexer_.next());
      if (buffer_.back().kind != TokenKind::Error) ++good;
    }
  }
  // Reports lexical errors at the front of the buffer; leaves a non-error
  // token there.
  void flush_errors() {
    if (buffer_.empty()) buffer_.push_back(lexer_.next());
    while (buffer_.front().kind == TokenKind::Error) {
      session_.report(loc(buffer_.front()), buffer_.front().text);
      buffer_.pop_front();
      if (buffer_.empty()) buffer_.push_back(lexer_.next());
    }
  }
  // The k-th token ahead, lexical errors skipped. Looking at the next token
  // (k == 0) reports the lexical errors before it, so they come in source
  // order. End once the session stopped.
  const Token& peek(std::size_t k = 0) {
    if (session_.stopped) return end_;
    flush_errors();
    if (k == 0) return buffer_.front();
    fill(k + 1);
    for (const auto& t : buffer_) {
      if (t.kind == TokenKind::Error) continue;
      if (k-- == 0) return t;
    }
    return end_;  // unreachable: fill() guaranteed k + 1 tokens
  }
  // Consumes the next token without looking at it.
  void drop() {
    if (session_.stopped) return;
    flush_errors();
    if (buffer_.front().kind != TokenKind::End) buffer_.pop_front();
  }
  // Consumes the next token (End is never consumed).
  Token take() {
    if (session_.stopped) return end_;
    flush_errors();
    if (buffer_.front().kind == TokenKind::End) return buffer_.front();
    Token t = std::move(buffer_.front());
    buffer_.pop_front();
    return t;
  }
  bool at(TokenKind kind) { return peek().kind == kind; }

  SourceLoc loc(const Token& t) const { return SourceLoc{file_, t.line, t.col}; }
  void error(const Token& t, std::string message) { session_.report(loc(t), std::move(message)); }

  // ---- recovery ----------------------------------------------------------

  // Skips everything up to the close matching an opening bracket already
  // taken (or to end of file), counting all bracket kinds alike.
  void skip_to_close() {
    std::size_t depth = 1;
    while (depth > 0) {
      const Token& t = peek();
      if (t.kind == TokenKind::End) return;
      if (opens(t)) ++depth;
      else if (closes(t)) --depth;
      drop();
    }
  }
  // Skips the opening bracket ahead and its whole group.
  void skip_group() {
    drop();
    skip_to_close();
  }
  // After a broken statement: skips the rest of `line`, and any group opened
  // on it. Stops before a `}` that would close the enclosing scope.
  void skip_line(std::uint32_t line) {
    while (true) {
      const Token& t = peek();
      if (t.kind == TokenKind::End || t.line != line || t.kind == TokenKind::RBrace) return;
      if (opens(t)) skip_group();
      else drop();
    }
  }

  // ---- statements --------------------------------------------------------

  // Statements until end of file, or until the `}` matching `open` when open
  // is set (then `keyword` names the scope for the error if it never comes).
  void parse_statements(Scope& scope, int nesting, const Token* keyword) {
    while (true) {
      const Token& t = peek();
      switch (t.kind) {
        case TokenKind::End:
          if (keyword && !session_.stopped)
            error(*keyword, fmt::format("{} scope is never closed: missing '}}'", describe(*keyword)));
          return;
        case TokenKind::RBrace:
          if (keyword) {
            take();
            return;
          }
          error(t, "unexpected '}': no scope is open here");
          take();
          break;
        case TokenKind::Semicolon:
          error(t, "unexpected ';': statements have no terminator; remove it");
          take();
          break;
        case TokenKind::Word:
          if (is_include_keyword(t))
            parse_include(scope, nesting);
          else
            parse_statement(scope, nesting);
          break;
        default: {
          Token bad = take();
          error(bad, fmt::format("unexpected {} where a statement was expected", describe(bad)));
          if (opens(bad)) {
            // The group it opened belongs to the broken statement.
            skip_to_close();
          }
          skip_line(bad.line);
          break;
        }
      }
    }
  }

  void parse_statement(Scope& scope, int nesting) {
    const Token& first = peek();
    const Token& second = peek(1);
    if (second.kind == TokenKind::Equals) {
      parse_assignment(scope, nesting);
      return;
    }
    if (second.kind == TokenKind::LBrace) {
      Token keyword = take();
      parse_scope_body(scope, nesting, std::move(keyword), std::nullopt);
      return;
    }
    if (is_name(second) && second.line == first.line && peek(2).kind == TokenKind::LBrace) {
      Token keyword = take();
      Token name = take();
      parse_scope_body(scope, nesting, std::move(keyword), std::move(name));
      return;
    }
    Token keyword = take();
    if (is_name(second) && second.line == keyword.line)
      error(keyword, fmt::format("expected '=' after {} or '{{' after {}", describe(keyword), describe(peek())));
    else
      error(keyword, fmt::format("expected '=' or '{{' after {}", describe(keyword)));
    skip_line(keyword.line);
  }

  void parse_assignment(Scope& scope, int nesting) {
    Token name = take();
    Token eq = take();
    const Token& v = peek();
    if (!starts_value(v) || v.line != eq.line) {
      error(name, fmt::format("missing value after '=' for {}", describe(name)));
      skip_line(eq.line);
      return;
    }
    Assignment a;
    a.name = std::move(name.text);
    a.loc = loc(name);
    auto value = parse_value(nesting);
    if (!value) return;  // nested too deeply; reported
    a.value = std::move(*value);
    Scope::Item item;
    item.assignment = std::move(a);
    scope.items.push_back(std::move(item));
  }

  // `keyword` (and `name`) taken; the next token is `{`.
  void parse_scope_body(Scope& parent, int nesting, Token keyword, std::optional<Token> name) {
    if (nesting + 1 > kMaxNesting) {
      too_deep(peek());
      skip_group();
      return;
    }
    take();  // {
    Scope child;
    child.keyword = keyword.text;
    child.loc = loc(keyword);
    if (name) {
      child.name = name->text;
      child.name_loc = loc(*name);
    }
    parse_statements(child, nesting + 1, &keyword);
    Scope::Item item;
    item.scope = std::move(child);
    parent.items.push_back(std::move(item));
  }

  void too_deep(const Token& t) {
    error(t, fmt::format("nesting too deep: more than {} levels of '{{', '(' and '['", kMaxNesting));
  }

  // ---- values ------------------------------------------------------------

  // The next token starts a value. Nothing when it opens a bracket nested
  // too deeply (reported and skipped).
  std::optional<Value> parse_value(int nesting) {
    const Token& t = peek();
    if (t.kind == TokenKind::LParen) return parse_array(nesting);
    if (t.kind == TokenKind::LBracket) return parse_dict(nesting);
    Token s = take();
    Value v;
    v.kind = Value::Kind::Scalar;
    v.loc = loc(s);
    v.quoted = s.kind == TokenKind::String;
    v.text = std::move(s.text);
    return v;
  }

  std::optional<Value> parse_array(int nesting) {
    Value v;
    v.kind = Value::Kind::Array;
    v.loc = loc(peek());
    if (nesting + 1 > kMaxNesting) {
      too_deep(peek());
      skip_group();
      return std::nullopt;
    }
    Token open = take();
    while (true) {
      const Token& t = peek();
      switch (t.kind) {
        case TokenKind::RParen:
          take();
          return v;
        case TokenKind::Word:
        case TokenKind::String:
          if (t.kind == TokenKind::Word && peek(1).kind == TokenKind::Equals) {
            // `name =` inside an array: the array was never closed.
            not_closed_array(open);
            return v;
          }
          if (auto item = parse_value(nesting + 1)) v.items.push_back(std::move(*item));
          break;
        case TokenKind::LParen:
        case TokenKind::LBracket:
          if (auto item = parse_value(nesting + 1)) v.items.push_back(std::move(*item));
          break;
        case TokenKind::Comma:
          error(t, "unexpected ',' in array: array elements are separated by spaces, not commas");
          take();
          break;
        case TokenKind::LBrace:
        case TokenKind::RBrace:
        case TokenKind::End:
          not_closed_array(open);
          return v;
        default: {
          Token bad = take();
          error(bad, fmt::format("unexpected {} in array", describe(bad)));
          break;
        }
      }
    }
  }
  void not_closed_array(const Token& open) { error(open, "array is never closed: missing ')'"); }

  std::optional<Value> parse_dict(int nesting) {
    Value v;
    v.kind = Value::Kind::Dict;
    v.loc = loc(peek());
    if (nesting + 1 > kMaxNesting) {
      too_deep(peek());
      skip_group();
      return std::nullopt;
    }
    Token open = take();
    while (true) {
      const Token& t = peek();
      switch (t.kind) {
        case TokenKind::RBracket:
          take();
          return v;
        case TokenKind::Word:
        case TokenKind::String: {
          Token key = take();
          if (!at(TokenKind::Equals)) {
            error(key, fmt::format("expected '=' after dictionary key {}", describe(key)));
            break;
          }
          Token eq = take();
          const Token& val = peek();
          if (!starts_value(val) || val.line != eq.line) {
            error(key, fmt::format("missing value after '=' for dictionary key {}", describe(key)));
            break;
          }
          auto value = parse_value(nesting + 1);
          if (!value) break;
          Value::Entry e;
          e.key = std::move(key.text);
          e.key_loc = loc(key);
          e.value = std::move(*value);
          v.entries.push_back(std::move(e));
          break;
        }
        case TokenKind::RParen:
        case TokenKind::LBrace:
        case TokenKind::RBrace:
        case TokenKind::End:
          error(open, "dictionary is never closed: missing ']'");
          return v;
        case TokenKind::Comma:
          error(t, "unexpected ',' in dictionary: entries are separated by spaces, not commas");
          take();
          break;
        default: {
          Token bad = take();
          error(bad, fmt::format("unexpected {} in dictionary: expected 'key = value' or ']'", describe(bad)));
          if (opens(bad)) skip_to_close();
          break;
        }
      }
    }
  }

  // ---- include -------------------------------------------------------------

  void parse_include(Scope& scope, int nesting) {
    Token keyword = take();
    const Token& path = peek();
    if (path.kind == TokenKind::Equals && path.line == keyword.line) {
      error(keyword, fmt::format("{} takes a path without '=': write {} \"path\"", describe(keyword), keyword.text));
      skip_line(keyword.line);
      return;
    }
    if (!is_name(path) || path.line != keyword.line) {
      error(keyword, fmt::format("missing path after {}", describe(keyword)));
      skip_line(keyword.line);
      return;
    }
    Token p = take();
    include(scope, nesting, keyword, p.text);
  }

  void include(Scope& scope, int nesting, const Token& keyword, const std::string& path) {
    if (!session_.loader) {
      error(keyword, fmt::format("cannot include '{}': includes are not available here", path));
      return;
    }
    if (include_depth_ + 1 > kMaxIncludeDepth) {
      error(keyword, fmt::format("includes nested too deeply: more than {} levels", kMaxIncludeDepth));
      return;
    }
    auto files = session_.loader(file_, path);
    if (!files) {
      error(keyword, files.error());
      return;
    }
    for (auto& f : *files) {
      if (session_.stopped) return;
      std::string normal = normal_path(f.path);
      bool cycle = false;
      for (const auto& open : session_.include_stack) cycle = cycle || open == normal;
      if (cycle) {
        error(keyword, fmt::format("include cycle: '{}' is already being included", f.path));
        continue;
      }
      if (++session_.included_files > kMaxIncludedFiles) {
        error(keyword, fmt::format("too many included files: more than {}", kMaxIncludedFiles));
        return;
      }
      session_.include_stack.push_back(std::move(normal));
      FileParser sub(session_, f.content, f.path, include_depth_ + 1);
      sub.parse_into(scope, nesting);
      session_.include_stack.pop_back();
    }
  }

  Session& session_;
  Lexer lexer_;
  std::string file_;
  int include_depth_;
  std::deque<Token> buffer_;  // lookahead, including unreported Error tokens
  Token end_;                 // returned once the session stopped
};

}  // namespace

ParseResult parse_text(std::string_view text, std::string filename, const IncludeLoader& loader) {
  Session session{loader, {}, {normal_path(filename)}, 0, false};
  ParseResult result;
  result.root.loc = SourceLoc{filename, 1, 1};
  FileParser parser(session, text, filename, 0);
  parser.parse_into(result.root, 0);
  result.errors = std::move(session.errors);
  return result;
}

}  // namespace impulse::config

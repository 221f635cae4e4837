// Tests for config/lexer.hpp: token kinds, texts and 1-based positions.
#include "config/lexer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace impulse::config {
namespace {

// "KIND:text@line:col" for every token up to and including End.
std::vector<std::string> lex_all(std::string_view text) {
  Lexer lexer(text);
  std::vector<std::string> out;
  while (true) {
    Token t = lexer.next();
    const char* kind = "";
    switch (t.kind) {
      case TokenKind::Word: kind = "W"; break;
      case TokenKind::String: kind = "S"; break;
      case TokenKind::Equals: kind = "="; break;
      case TokenKind::LBrace: kind = "{"; break;
      case TokenKind::RBrace: kind = "}"; break;
      case TokenKind::LParen: kind = "("; break;
      case TokenKind::RParen: kind = ")"; break;
      case TokenKind::LBracket: kind = "["; break;
      case TokenKind::RBracket: kind = "]"; break;
      case TokenKind::Semicolon: kind = ";"; break;
      case TokenKind::Comma: kind = ","; break;
      case TokenKind::Error: kind = "ERR"; break;
      case TokenKind::End: kind = "END"; break;
    }
    out.push_back(std::string(kind) + ":" + t.text + "@" + std::to_string(t.line) + ":" +
                  std::to_string(t.col));
    if (t.kind == TokenKind::End) break;
  }
  return out;
}

using V = std::vector<std::string>;

TEST(LexerTest, AssignmentWithBareWord) {
  EXPECT_EQ(lex_all("Gateway = 10.10.10.50\n"),
            (V{"W:Gateway@1:1", "=:=@1:9", "W:10.10.10.50@1:11", "END:@2:1"}));
}

TEST(LexerTest, PunctuationIsAlwaysItsOwnToken) {
  EXPECT_EQ(lex_all("a{b}c(d)e]f=g"),
            (V{"W:a@1:1", "{:{@1:2", "W:b@1:3", "}:}@1:4", "W:c@1:5", "(:(@1:6", "W:d@1:7", "):)@1:8",
               "W:e@1:9", "]:]@1:10", "W:f@1:11", "=:=@1:12", "W:g@1:13", "END:@1:14"}));
}

TEST(LexerTest, HashCommentRunsToEndOfLine) {
  EXPECT_EQ(lex_all("# whole line\nx = 1 # trailing = { (\ny"),
            (V{"W:x@2:1", "=:=@2:3", "W:1@2:5", "W:y@3:1", "END:@3:2"}));
}

TEST(LexerTest, HashEndsABareWord) {
  EXPECT_EQ(lex_all("abc#comment"), (V{"W:abc@1:1", "END:@1:12"}));
}

TEST(LexerTest, BlockCommentSpansLinesAndDoesNotNest) {
  EXPECT_EQ(lex_all("a /* one\n /* two\n*/ b */"),
            (V{"W:a@1:1", "W:b@3:4", "W:*/@3:6", "END:@3:8"}));
}

TEST(LexerTest, BlockCommentEndsABareWordButSlashIsText) {
  EXPECT_EQ(lex_all("127.0.0.0/8 a/*x*/b /x/"),
            (V{"W:127.0.0.0/8@1:1", "W:a@1:13", "W:b@1:19", "W:/x/@1:21", "END:@1:24"}));
}

TEST(LexerTest, HashInsideQuotedStringIsText) {
  EXPECT_EQ(lex_all("x = \"#smpp#air2web /* no */\""),
            (V{"W:x@1:1", "=:=@1:3", "S:#smpp#air2web /* no */@1:5", "END:@1:29"}));
}

TEST(LexerTest, StringEscapes) {
  EXPECT_EQ(lex_all(R"("a\"b\\c\nd\te")"), (V{"S:a\"b\\c\nd\te@1:1", "END:@1:16"}));
}

TEST(LexerTest, UnknownEscapesAreKeptForRegexes) {
  EXPECT_EQ(lex_all(R"("/^mx\d+\.example\.com$/")"),
            (V{R"(S:/^mx\d+\.example\.com$/@1:1)", "END:@1:26"}));
}

TEST(LexerTest, QuoteEndsABareWord) {
  EXPECT_EQ(lex_all("ab\"c d\"e"), (V{"W:ab@1:1", "S:c d@1:3", "W:e@1:8", "END:@1:9"}));
}

TEST(LexerTest, UnterminatedStringIsReportedAtItsOpeningQuote) {
  EXPECT_EQ(lex_all("x = \"abc\ny = 2"),
            (V{"W:x@1:1", "=:=@1:3", "ERR:unterminated string: missing closing '\"' on this line@1:5",
               "S:abc@1:5", "W:y@2:1", "=:=@2:3", "W:2@2:5", "END:@2:6"}));
}

TEST(LexerTest, UnterminatedStringAtEndOfInput) {
  EXPECT_EQ(lex_all("\"abc"),
            (V{"ERR:unterminated string: missing closing '\"' on this line@1:1", "S:abc@1:1",
               "END:@1:5"}));
}

TEST(LexerTest, EscapedLineEndDoesNotContinueAString) {
  EXPECT_EQ(lex_all("\"a\\\nb"),
            (V{"ERR:unterminated string: missing closing '\"' on this line@1:1", "S:a\\@1:1", "W:b@2:1",
               "END:@2:2"}));
}

TEST(LexerTest, UnterminatedCommentIsReportedWhereItOpens) {
  EXPECT_EQ(lex_all("a\n  /* never\nclosed"),
            (V{"W:a@1:1", "ERR:unterminated comment: '/*' has no matching '*/'@2:3", "END:@3:7"}));
}

TEST(LexerTest, Ipv6LiteralIsOneWordWithItsPort) {
  EXPECT_EQ(lex_all("Gateway = [::1]:2525"),
            (V{"W:Gateway@1:1", "=:=@1:9", "W:[::1]:2525@1:11", "END:@1:21"}));
  EXPECT_EQ(lex_all("( [fe80::a00:1] [2001:db8::1.2.3.4] )"),
            (V{"(:(@1:1", "W:[fe80::a00:1]@1:3", "W:[2001:db8::1.2.3.4]@1:17", "):)@1:37", "END:@1:38"}));
}

TEST(LexerTest, BracketedIpv4LiteralIsOneWord) {
  EXPECT_EQ(lex_all("[10.0.0.1]:25 [abc]"), (V{"W:[10.0.0.1]:25@1:1", "W:[abc]@1:15", "END:@1:20"}));
}

TEST(LexerTest, Ipv6LiteralInsideAWord) {
  EXPECT_EQ(lex_all("smtp://[::1]:25/x"), (V{"W:smtp://[::1]:25/x@1:1", "END:@1:18"}));
}

TEST(LexerTest, BracketWithoutIpv6OpensADictionary) {
  EXPECT_EQ(lex_all("[k=v]"), (V{"[:[@1:1", "W:k@1:2", "=:=@1:3", "W:v@1:4", "]:]@1:5", "END:@1:6"}));
  EXPECT_EQ(lex_all("[ ::1 ]"), (V{"[:[@1:1", "W:::1@1:3", "]:]@1:7", "END:@1:8"}));
  EXPECT_EQ(lex_all("[xyz]"), (V{"[:[@1:1", "W:xyz@1:2", "]:]@1:5", "END:@1:6"}));
  EXPECT_EQ(lex_all("[]"), (V{"[:[@1:1", "]:]@1:2", "END:@1:3"}));
  EXPECT_EQ(lex_all("[::1"), (V{"[:[@1:1", "W:::1@1:2", "END:@1:5"}));
}

TEST(LexerTest, TrailingSemicolonAndCommaAreSeparateTokens) {
  EXPECT_EQ(lex_all("x = 1;"), (V{"W:x@1:1", "=:=@1:3", "W:1@1:5", ";:;@1:6", "END:@1:7"}));
  EXPECT_EQ(lex_all("(a, b ,c)"),
            (V{"(:(@1:1", "W:a@1:2", ",:,@1:3", "W:b@1:5", ",:,@1:7", "W:c@1:8", "):)@1:9", "END:@1:10"}));
  EXPECT_EQ(lex_all("a;;"), (V{"W:a@1:1", ";:;@1:2", ";:;@1:3", "END:@1:4"}));
}

TEST(LexerTest, SemicolonAndCommaInsideAWordAreText) {
  EXPECT_EQ(lex_all("a,b c;d e;,f"), (V{"W:a,b@1:1", "W:c;d@1:5", "W:e;,f@1:9", "END:@1:13"}));
}

TEST(LexerTest, CrLfAndLoneCrEndLines) {
  EXPECT_EQ(lex_all("a\r\nb\rc\n\rd"), (V{"W:a@1:1", "W:b@2:1", "W:c@3:1", "W:d@5:1", "END:@5:2"}));
}

TEST(LexerTest, CrLfInsideBlockCommentCountsOnce) {
  EXPECT_EQ(lex_all("/*\r\n\r\n*/x"), (V{"W:x@3:3", "END:@3:4"}));
}

TEST(LexerTest, NulAndInvalidUtf8AreWordBytes) {
  std::string in("a\0b \xff\xfe", 6);
  Lexer lexer(in);
  Token t = lexer.next();
  EXPECT_EQ(t.kind, TokenKind::Word);
  EXPECT_EQ(t.text, std::string("a\0b", 3));
  t = lexer.next();
  EXPECT_EQ(t.kind, TokenKind::Word);
  EXPECT_EQ(t.text, "\xff\xfe");
  EXPECT_EQ(t.col, 5u);
}

TEST(LexerTest, ByteOrderMarkIsSkipped) {
  EXPECT_EQ(lex_all("\xEF\xBB\xBFx"), (V{"W:x@1:1", "END:@1:2"}));
}

TEST(LexerTest, EndIsReturnedForever) {
  Lexer lexer("");
  EXPECT_EQ(lexer.next().kind, TokenKind::End);
  EXPECT_EQ(lexer.next().kind, TokenKind::End);
}

TEST(LexerTest, DescribeQuotesEscapesAndCuts) {
  Token t;
  t.kind = TokenKind::Word;
  t.text = std::string("a\x01\x7f", 3);
  EXPECT_EQ(describe(t), "'a\\x01\\x7f'");
  t.kind = TokenKind::String;
  t.text = "x y";
  EXPECT_EQ(describe(t), "\"x y\"");
  t.kind = TokenKind::Word;
  t.text = std::string(50, 'z');
  EXPECT_EQ(describe(t), "'" + std::string(40, 'z') + "...'");
  t.kind = TokenKind::End;
  EXPECT_EQ(describe(t), "end of file");
}

}  // namespace
}  // namespace impulse::config

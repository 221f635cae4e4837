// Template substitution of Momentum's REST injector and CRLF normalisation.
#include "protocol/inject_template.hpp"

#include <gtest/gtest.h>

namespace impulse::protocol {
namespace {

TEST(InjectTemplate, ReplacesBothPlaceholderFormsWithOptionalSpaces) {
  const TemplateKeys keys = {{"name", "Ann"}, {"to", "ann@example.com"}, {"x.y-z_1", "V"}};
  auto out = substitute_template("To: <%= :to %>\nHi [%= :name %], <%=:name%>/[%=  :x.y-z_1  %]!", keys);
  ASSERT_TRUE(out.has_value()) << out.error();
  EXPECT_EQ(*out, "To: ann@example.com\nHi Ann, Ann/V!");
}

TEST(InjectTemplate, MalformedPlaceholdersAreCopiedUnchanged) {
  const TemplateKeys keys = {{"a", "1"}};
  const std::string text = "a <b> [c] <% :a %> <%= a %> <%= :a > [%= :a %> <%= : %> <%= :a %";
  auto out = substitute_template(text, keys);
  ASSERT_TRUE(out.has_value()) << out.error();
  EXPECT_EQ(*out, text);
}

TEST(InjectTemplate, UnknownKeyIsAnError) {
  auto out = substitute_template("Hello <%= :missing %>", {{"a", "1"}});
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), "no value for template key 'missing'");
}

TEST(InjectTemplate, FirstValueWinsAndValuesAreNotRescanned) {
  auto out = substitute_template("<%= :k %>", {{"k", "[%= :k %]"}, {"k", "second"}});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, "[%= :k %]");
}

TEST(NormaliseCrlf, BareLfAndCrBecomeCrlfAndAFinalCrlfIsAdded) {
  EXPECT_EQ(normalise_crlf("a\nb\rc\r\nd"), "a\r\nb\r\nc\r\nd\r\n");
  EXPECT_EQ(normalise_crlf("a\r\n"), "a\r\n");
  EXPECT_EQ(normalise_crlf(""), "");
  EXPECT_EQ(normalise_crlf("\n\n"), "\r\n\r\n");
  EXPECT_EQ(normalise_crlf(".\n"), ".\r\n");  // no dot-stuffing here
}

}  // namespace
}  // namespace impulse::protocol

// Tests for `include` / `readonly_include`: filesystem_loader() and
// parse_file() on real files in a temporary directory (removed afterwards),
// and parse_text() with test IncludeLoaders.
#include "config/parser.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

namespace fs = std::filesystem;

// `name=value@file:line:col` for every assignment, depth first; scopes as
// `Keyword{...}`.
std::string render(const Scope& s) {
  std::string out;
  for (const auto& item : s.items) {
    if (!out.empty()) out += " ";
    if (item.assignment) {
      const auto& a = *item.assignment;
      out += a.name + "=" + a.value.text + "@" + a.loc.file + ":" + std::to_string(a.loc.line) + ":" +
             std::to_string(a.loc.col);
    } else {
      out += item.scope->keyword + "{" + render(*item.scope) + "}";
    }
  }
  return out;
}

using Errors = std::vector<std::string>;

class IncludeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "impulse-include-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // Writes `content` to dir_/rel (creating directories); returns the path.
  std::string write(const std::string& rel, const std::string& content) {
    fs::path p = fs::path(dir_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path(const std::string& rel) const { return (fs::path(dir_) / rel).string(); }

  std::string dir_;
};

TEST_F(IncludeTest, FileIsIncludedInPlaceRelativeToTheIncluder) {
  std::string main = write("main.conf", "a = 1\ninclude \"sub/b.conf\"\nc = 3\n");
  write("sub/b.conf", "b = 2\n  include c.conf\n");
  write("sub/c.conf", "x = 9\n");
  auto r = parse_file(main);
  EXPECT_EQ(errors_of(r), Errors{});
  EXPECT_EQ(render(r.root), "a=1@" + main + ":1:1 b=2@" + path("sub/b.conf") + ":1:1 x=9@" +
                                path("sub/c.conf") + ":1:1 c=3@" + main + ":3:1");
}

TEST_F(IncludeTest, IncludeInsideAScopeContributesToThatScope) {
  std::string main = write("main.conf", "Domain d {\n  include d.conf\n  z = 0\n}\n");
  write("d.conf", "Gateway = 10.0.0.1\nHost h { y = 1 }\n");
  auto r = parse_file(main);
  EXPECT_EQ(errors_of(r), Errors{});
  EXPECT_EQ(render(r.root), "Domain{Gateway=10.0.0.1@" + path("d.conf") + ":1:1 Host{y=1@" + path("d.conf") +
                                ":2:10} z=0@" + main + ":3:3}");
}

TEST_F(IncludeTest, DirectoryIncludesItsFilesInLexicalOrderSkippingDotFiles) {
  std::string main = write("main.conf", "include conf.d\nlast = 1\n");
  write("conf.d/20-b.conf", "b = 2\n");
  write("conf.d/10-a.conf", "a = 1\n");
  write("conf.d/B-upper", "u = 3\n");
  write("conf.d/.hidden.conf", "hidden = 1\n");
  write("conf.d/sub/z.conf", "nested = 1\n");
  auto r = parse_file(main);
  EXPECT_EQ(errors_of(r), Errors{});
  EXPECT_EQ(render(r.root), "a=1@" + path("conf.d/10-a.conf") + ":1:1 b=2@" + path("conf.d/20-b.conf") +
                                ":1:1 u=3@" + path("conf.d/B-upper") + ":1:1 last=1@" + main + ":2:1");
}

TEST_F(IncludeTest, EmptyDirectoryIncludesNothing) {
  std::string main = write("main.conf", "include \"empty/\"\na = 1\n");
  fs::create_directories(path("empty"));
  auto r = parse_file(main);
  EXPECT_EQ(errors_of(r), Errors{});
  EXPECT_EQ(render(r.root), "a=1@" + main + ":2:1");
}

TEST_F(IncludeTest, ReadonlyIncludeIncludesToo) {
  std::string main = write("main.conf", "READONLY_INCLUDE \"r.conf\"\n");
  write("r.conf", "r = 1\n");
  auto r = parse_file(main);
  EXPECT_EQ(errors_of(r), Errors{});
  EXPECT_EQ(render(r.root), "r=1@" + path("r.conf") + ":1:1");
}

TEST_F(IncludeTest, AbsolutePathIgnoresTheIncludersDirectory) {
  std::string other = write("elsewhere/o.conf", "o = 1\n");
  std::string main = write("sub/main.conf", "include \"" + other + "\"\n");
  auto r = parse_file(main);
  EXPECT_EQ(errors_of(r), Errors{});
  EXPECT_EQ(render(r.root), "o=1@" + other + ":1:1");
}

TEST_F(IncludeTest, MissingIncludeIsReportedAtTheKeywordWithResolvedPathAndReason) {
  std::string main = write("main.conf", "a = 1\n  include \"nope/missing.conf\"\nb = 2\n");
  auto r = parse_file(main);
  EXPECT_EQ(errors_of(r), Errors{main + ":2:3: error: cannot read '" + path("nope/missing.conf") +
                                 "': No such file or directory"});
  EXPECT_EQ(render(r.root), "a=1@" + main + ":1:1 b=2@" + main + ":3:1");
}

TEST_F(IncludeTest, IncludedFileThatIsNotRegularIsRefused) {
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  std::string main = write("main.conf", "include fifo\n");
  EXPECT_EQ(errors_of(parse_file(main)),
            Errors{main + ":1:1: error: cannot read '" + path("fifo") + "': not a regular file"});
}

TEST_F(IncludeTest, ErrorsInIncludedFilesNameThoseFilesInOrder) {
  std::string main = write("main.conf", "a = 1;\ninclude b.conf\nc = 3;\n");
  write("b.conf", "Domain x {\n  y = \"open\n}\n}\n");
  auto r = parse_file(main);
  EXPECT_EQ(errors_of(r),
            (Errors{main + ":1:6: error: unexpected ';': statements have no terminator; remove it",
                    path("b.conf") + ":2:7: error: unterminated string: missing closing '\"' on this line",
                    path("b.conf") + ":4:1: error: unexpected '}': no scope is open here",
                    main + ":3:6: error: unexpected ';': statements have no terminator; remove it"}));
}

TEST_F(IncludeTest, IncludedFileCannotCloseTheIncludersScope) {
  std::string main = write("main.conf", "Domain d {\n  include b.conf\n  x = 1\n}\n");
  write("b.conf", "}\nBinding b {\n");
  auto r = parse_file(main);
  EXPECT_EQ(errors_of(r), (Errors{path("b.conf") + ":1:1: error: unexpected '}': no scope is open here",
                                  path("b.conf") + ":2:1: error: 'Binding' scope is never closed: missing '}'"}));
  EXPECT_EQ(render(r.root), "Domain{Binding{} x=1@" + main + ":3:3}");
}

TEST_F(IncludeTest, CycleIsReportedAtTheIncludeThatCloses) {
  std::string main = write("main.conf", "a = 1\ninclude b.conf\n");
  write("b.conf", "b = 2\ninclude \"./sub/../main.conf\"\n");
  auto r = parse_file(main);
  EXPECT_EQ(errors_of(r), Errors{path("b.conf") + ":2:1: error: include cycle: '" + path("main.conf") +
                                 "' is already being included"});
  EXPECT_EQ(render(r.root), "a=1@" + main + ":1:1 b=2@" + path("b.conf") + ":1:1");
}

TEST_F(IncludeTest, DirectoryIncludingItself) {
  std::string main = write("conf.d/a.conf", "a = 1\ninclude \".\"\n");
  auto r = parse_file(main);
  EXPECT_EQ(errors_of(r), Errors{main + ":2:1: error: include cycle: '" + main + "' is already being included"});
}

TEST_F(IncludeTest, NestingDeeperThanSixteenFilesIsAnError) {
  for (int i = 0; i <= 17; ++i)
    write("f" + std::to_string(i) + ".conf",
          "v" + std::to_string(i) + " = 1\ninclude f" + std::to_string(i + 1) + ".conf\n");
  auto r = parse_file(path("f0.conf"));
  EXPECT_EQ(errors_of(r), Errors{path("f16.conf") + ":2:1: error: includes nested too deeply: more than 16 levels"});
  EXPECT_EQ(r.root.items.size(), 17u);  // f0 .. f16
}

TEST_F(IncludeTest, UnreadableTopLevelFile) {
  auto r = parse_file(path("nope.conf"));
  EXPECT_EQ(errors_of(r),
            Errors{path("nope.conf") + ":1:1: error: cannot read '" + path("nope.conf") + "': No such file or directory"});
  EXPECT_TRUE(r.root.items.empty());
}

TEST_F(IncludeTest, TopLevelDirectoryIsNotAFile) {
  EXPECT_EQ(errors_of(parse_file(dir_)),
            Errors{dir_ + ":1:1: error: cannot read '" + dir_ + "': Is a directory"});
}

TEST(IncludeLoaderTest, RelativePathsJoinTheIncludersDirectory) {
  auto loader = filesystem_loader();
  auto r = loader("etc/impulse.conf", "./conf.d/../x.conf");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), "cannot read 'etc/x.conf': No such file or directory");
  auto top = loader("impulse.conf", "x.conf");
  ASSERT_FALSE(top.has_value());
  EXPECT_EQ(top.error(), "cannot read 'x.conf': No such file or directory");
}

TEST(IncludeLoaderTest, ParseTextUsesTheGivenLoaderWithTheIncludersName) {
  std::vector<std::string> calls;
  IncludeLoader loader = [&](std::string_view from, std::string_view p)
      -> impulse::expected<std::vector<LoadedFile>, std::string> {
    calls.push_back(std::string(from) + " -> " + std::string(p));
    if (p == "two") return std::vector<LoadedFile>{{"mem/one", "one = 1\ninclude bad\n"}, {"mem/two", "two = 2"}};
    return impulse::unexpected(std::string("cannot read 'mem/bad': Permission denied"));
  };
  auto r = parse_text("include two\nmain = 0\n", "mem/main", loader);
  EXPECT_EQ(calls, (std::vector<std::string>{"mem/main -> two", "mem/one -> bad"}));
  EXPECT_EQ(errors_of(r), Errors{"mem/one:2:1: error: cannot read 'mem/bad': Permission denied"});
  EXPECT_EQ(render(r.root), "one=1@mem/one:1:1 two=2@mem/two:1:1 main=0@mem/main:2:1");
}

TEST(IncludeLoaderTest, NestingCarriesIntoIncludedFiles) {
  // An included file continues at the includer's bracket depth.
  IncludeLoader loader = [](std::string_view, std::string_view)
      -> impulse::expected<std::vector<LoadedFile>, std::string> {
    return std::vector<LoadedFile>{{"inc", "x = ( ( 1 ) )"}};
  };
  std::string text;
  for (int i = 0; i < 63; ++i) text += "a {\n";
  text += "include inc\n";
  for (int i = 0; i < 63; ++i) text += "}\n";
  EXPECT_EQ(errors_of(parse_text(text, "top", loader)),
            Errors{"inc:1:7: error: nesting too deep: more than 64 levels of '{', '(' and '['"});
}

}  // namespace
}  // namespace impulse::config

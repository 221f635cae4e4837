// load_config / load_config_text (config.hpp): parse (parser.hpp), validate
// (validator.hpp) and freeze (config_impl.hpp). Parse and validation errors
// are reported together, ordered by file (main file first, then included
// files in the order they were read), line and column.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "config/config.hpp"
#include "config/config_impl.hpp"
#include "config/parser.hpp"
#include "config/validator.hpp"

namespace impulse::config {

namespace {

// Wraps `inner`, recording every file it returns (for Config::files()).
IncludeLoader recording(IncludeLoader inner, std::vector<std::string>& files) {
  return [inner = std::move(inner), &files](std::string_view from, std::string_view path)
             -> impulse::expected<std::vector<LoadedFile>, std::string> {
    auto r = inner(from, path);
    if (r)
      for (const auto& f : *r)
        if (std::find(files.begin(), files.end(), f.path) == files.end()) files.push_back(f.path);
    return r;
  };
}

void sort_in_file_order(Diagnostics& diags, const std::vector<std::string>& files) {
  auto rank = [&](const std::string& file) {
    auto it = std::find(files.begin(), files.end(), file);
    return static_cast<std::size_t>(it - files.begin());
  };
  std::stable_sort(diags.begin(), diags.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    auto ra = rank(a.loc.file), rb = rank(b.loc.file);
    if (ra != rb) return ra < rb;
    if (a.loc.line != b.loc.line) return a.loc.line < b.loc.line;
    return a.loc.col < b.loc.col;
  });
}

impulse::expected<ConfigPtr, Diagnostics> finish(ParseResult parsed, std::vector<std::string> files) {
  auto v = validate(parsed.root);
  Diagnostics all = std::move(parsed.errors);
  for (auto& d : v.errors) all.push_back(std::move(d));
  if (!all.empty()) {
    for (auto& d : v.warnings) all.push_back(std::move(d));  // printed among the errors
    sort_in_file_order(all, files);
    return impulse::unexpected(std::move(all));
  }
  sort_in_file_order(v.warnings, files);
  return ConfigPtr(std::make_shared<const ConfigImpl>(std::move(v.root), std::move(files), std::move(v.warnings)));
}

}  // namespace

impulse::expected<ConfigPtr, Diagnostics> load_config(const std::string& path) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path, ec)) {
    // Let the parser word the failure the way it words include failures.
    auto parsed = parse_file(path);
    if (!parsed.errors.empty()) return impulse::unexpected(std::move(parsed.errors));
    return finish(std::move(parsed), {path});
  }
  std::vector<std::string> files{path};
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto parsed = parse_text(content, path, recording(filesystem_loader(), files));
  return finish(std::move(parsed), std::move(files));
}

impulse::expected<ConfigPtr, Diagnostics> load_config_text(std::string_view text, const std::string& filename) {
  std::vector<std::string> files{filename};
  auto parsed = parse_text(text, filename, recording(filesystem_loader(), files));
  return finish(std::move(parsed), std::move(files));
}

}  // namespace impulse::config

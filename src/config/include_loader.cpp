// The filesystem side of config/parser.hpp: filesystem_loader() resolves and
// reads `include` targets, parse_file() reads the top-level file. Relative
// include paths are joined to the including file's directory; a directory
// yields its regular files in lexical (byte) order, dot-files skipped,
// subdirectories not entered (reference/momentum.md §1.1, SPEC §10). Only
// regular files are read (a FIFO or device never blocks or streams forever).
// Failures are values: "cannot read 'PATH': REASON" with the OS reason.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "config/parser.hpp"

namespace impulse::config {
namespace {

namespace fs = std::filesystem;

std::string os_reason(int err) { return std::error_code(err, std::generic_category()).message(); }

std::string cannot_read(const std::string& path, const std::string& reason) {
  return fmt::format("cannot read '{}': {}", path, reason);
}

// Reads a whole regular file.
impulse::expected<std::string, std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return impulse::unexpected(cannot_read(path, os_reason(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return impulse::unexpected(cannot_read(path, os_reason(err)));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return impulse::unexpected(cannot_read(path, os_reason(EISDIR)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return impulse::unexpected(cannot_read(path, "not a regular file"));
  }
  std::string content;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return impulse::unexpected(cannot_read(path, os_reason(err)));
    }
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return content;
}

impulse::expected<std::vector<LoadedFile>, std::string> load(std::string_view from_file,
                                                            std::string_view written) {
  fs::path target(written);
  if (target.is_relative()) target = fs::path(from_file).parent_path() / target;
  std::string path = target.lexically_normal().string();

  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return impulse::unexpected(cannot_read(path, os_reason(errno)));

  std::vector<LoadedFile> out;
  if (!S_ISDIR(st.st_mode)) {
    auto content = read_file(path);
    if (!content) return impulse::unexpected(std::move(content.error()));
    out.push_back(LoadedFile{path, std::move(*content)});
    return out;
  }

  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(target, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;  // subdirectories are not entered
    names.push_back(std::move(name));
  }
  if (ec) return impulse::unexpected(cannot_read(path, ec.message()));
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::string file = (target / name).lexically_normal().string();
    auto content = read_file(file);
    if (!content) return impulse::unexpected(std::move(content.error()));
    out.push_back(LoadedFile{std::move(file), std::move(*content)});
  }
  return out;
}

}  // namespace

IncludeLoader filesystem_loader() { return load; }

ParseResult parse_file(const std::string& path) {
  auto content = read_file(path);
  if (!content) {
    ParseResult result;
    result.root.loc = SourceLoc{path, 1, 1};
    result.errors.push_back(Diagnostic{SourceLoc{path, 1, 1}, content.error()});
    return result;
  }
  return parse_text(*content, path, filesystem_loader());
}

}  // namespace impulse::config

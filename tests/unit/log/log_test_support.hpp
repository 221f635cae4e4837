// Helpers shared by the log tests: a private temporary directory, reading a
// file back as lines, splitting records on '@', and a ProblemReporter that
// records what it is told.
#pragma once

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "log/problem_reporter.hpp"

namespace impulse::log::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "impulse-log-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    if (p) path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The wall time `s` seconds after the epoch.
inline impulse::WallTime at(std::int64_t s) { return impulse::WallTime{std::chrono::seconds(s)}; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Lines of a file; the file must end with '\n' (checked by callers).
inline std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::string all = read_file(path);
  std::size_t pos = 0;
  while (pos < all.size()) {
    auto nl = all.find('\n', pos);
    if (nl == std::string::npos) {
      lines.push_back(all.substr(pos));
      break;
    }
    lines.push_back(all.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

inline std::vector<std::string> fields(const std::string& line, char sep = '@') {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto pos = line.find(sep, start);
    if (pos == std::string::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, pos - start));
    start = pos + 1;
  }
}

class RecordingReporter final : public ProblemReporter {
 public:
  void report(std::string_view text) noexcept override {
    std::lock_guard lock(mu_);
    lines_.emplace_back(text);
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace impulse::log::testing

// The config tests' shared helpers: load configuration text and read back
// what a user would see (the "file:line:col: error: ..." lines), and look an
// option up in the registry. One copy here, not one per test file (a unity
// build puts several test files in one translation unit).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/parser.hpp"
#include "config/registry.hpp"

namespace impulse::config::testing {

// The configuration `text` loaded as file `file`; nullptr, with each error
// reported as a test failure, when it does not load.
inline ConfigPtr load_ok(std::string_view text, const std::string& file = "t.conf") {
  auto r = load_config_text(text, file);
  if (!r) {
    for (const auto& d : r.error()) ADD_FAILURE() << d.str();
    return nullptr;
  }
  return *r;
}

// The error lines of loading `text`; empty when it loads.
inline std::vector<std::string> errors_of(std::string_view text, const std::string& file = "t.conf") {
  auto r = load_config_text(text, file);
  std::vector<std::string> out;
  if (!r)
    for (const auto& d : r.error()) out.push_back(d.str());
  return out;
}

// The warning lines of `text`, which must load ({"(invalid)"} and a test
// failure per error when it does not).
inline std::vector<std::string> warnings_of(std::string_view text) {
  auto r = load_config_text(text, "t.conf");
  if (!r) {
    for (const auto& d : r.error()) ADD_FAILURE() << d.str();
    return {"(invalid)"};
  }
  std::vector<std::string> out;
  for (const auto& w : (*r)->warnings()) out.push_back(w.str());
  return out;
}

// The error lines of a parse.
inline std::vector<std::string> errors_of(const ParseResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.str());
  return out;
}

// The registered option `name` (a test failure and an empty definition when
// it is not registered).
inline const OptionDef& def(std::string_view name) {
  const OptionDef* d = registry().find(name);
  if (!d) ADD_FAILURE() << "not registered: " << name;
  static const OptionDef kMissing;
  return d ? *d : kMissing;
}

}  // namespace impulse::config::testing

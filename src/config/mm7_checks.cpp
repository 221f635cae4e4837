// Implementation of config/mm7_checks.hpp.
#include "config/mm7_checks.hpp"

namespace impulse::config {
namespace {

bool status_code(std::string_view s) {
  if (s.empty() || s.size() > 4) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

void check_mm7_node(const ScopeNode& node, Diagnostics& errors) {
  for (std::string_view option : {"mm7_permanent_status_codes", "mm7_temporary_status_codes"}) {
    if (const OptionValue* v = own_value(node, option)) {
      for (const std::string& item : v->as_list())
        if (!status_code(item))
          errors.push_back(Diagnostic{v->loc, std::string(option) + ": \"" + item +
                                                  "\" is not an MM7 status code (0-9999)"});
    }
  }
  if (const OptionValue* v = own_value(node, "mm7_vasp_path"); v && !v->as_string().empty()) {
    const std::string& path = v->as_string();
    if (path.front() != '/' || path.find_first_of("{}?# \t") != std::string::npos)
      errors.push_back(Diagnostic{v->loc, "mm7_vasp_path \"" + path +
                                              "\" must be an absolute path without '{', '}', '?', '#' or spaces"});
  }
  if (const OptionValue* v = own_value(node, "mm7_vasp_basic_auth");
      v && !v->as_string().empty() && v->as_string().find(':') == std::string::npos)
    errors.push_back(Diagnostic{v->loc, "mm7_vasp_basic_auth must be \"user:password\""});
  for (const auto& child : node.children) check_mm7_node(*child, errors);
}

}  // namespace

void check_mm7(const ScopeNode& root, Diagnostics& errors) { check_mm7_node(root, errors); }

}  // namespace impulse::config

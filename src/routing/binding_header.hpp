// The binding-assignment headers a relay client may put in a message
// (Impulse extension; reference/momentum.md §4 "assignment is done by
// policy"): `X-Impulse-Binding: NAME` and `X-Impulse-Binding-Group: NAME`.
// strip_binding_headers() finds them in the header section of the data
// (up to the first empty line; RFC 5322 §2.2 field names compared
// case-insensitively, folded continuation lines belong to their field),
// removes every occurrence (they never reach the next hop) and returns the
// first value of each, unfolded and trimmed.
//
// Leaves to others: what the names mean and whether the client may use them
// (binding_header_policy.hpp); the rest of the message is not touched.
// Pure functions over CRLF-normalised data; any thread; no failure modes
// (data without a header section is left alone).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace impulse::routing {

inline constexpr std::string_view kBindingHeader = "X-Impulse-Binding";
inline constexpr std::string_view kBindingGroupHeader = "X-Impulse-Binding-Group";

struct BindingHeaders {
  std::optional<std::string> binding;  // first X-Impulse-Binding value
  std::optional<std::string> group;    // first X-Impulse-Binding-Group value
  bool any() const { return binding.has_value() || group.has_value(); }
};

// Removes both headers from `data` (every occurrence) and returns their
// first values. Data without either header is returned unchanged.
BindingHeaders strip_binding_headers(std::string& data);

}  // namespace impulse::routing

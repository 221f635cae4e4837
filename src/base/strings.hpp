// Small string helpers shared by every library: ASCII case folding and
// comparison (config keywords and SMTP verbs are ASCII case-insensitive),
// trimming and splitting. Pure functions, no allocation beyond the results.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace impulse {

char ascii_lower(char c);
// SP or HTAB: RFC 5234 WSP.
inline bool is_wsp(char c) { return c == ' ' || c == '\t'; }
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
// Levenshtein distance, case-insensitive; used for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace impulse

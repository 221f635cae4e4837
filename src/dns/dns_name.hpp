// Domain-name text helpers shared by the resolver and its parsers: the
// absolute, lower-cased form a query is asked (and merged) under, and the
// display form answers carry (lower-case, no trailing dot). Names are in
// presentation format (RFC 1035 §5.1): "\." and "\DDD" escapes are kept as
// they are, and an escaped final dot is not a trailing dot. ASCII case
// folding only (RFC 4343); IDN conversion belongs to the caller. Pure; no
// executor; never fails.
#pragma once

#include <string>
#include <string_view>

namespace impulse::dns {

// True when `name` ends with a dot that is not escaped ("a." yes, "a\." no).
bool has_trailing_dot(std::string_view name);

// "Example.COM" -> "example.com."; "example.com." unchanged; "" -> ".".
std::string absolute_name(std::string_view name);

// "Example.COM." -> "example.com"; "." -> "" (the root).
std::string display_name(std::string_view name);

// True when `name` (absolute or not) can be encoded: labels of 1-63 octets
// ("\DDD" and "\X" count one octet; DDD at most 255), 255 octets in all.
bool is_valid_name(std::string_view name);

}  // namespace impulse::dns

// DKIM signing names (RFC 6376 §3.5, SPEC §19): which dkim_domain stanza
// signs for a From: domain (exact, then parent domains), the `key` path
// macros %{d} (signing domain) and %{s} (selector), and the `headerlist`
// option normalised for the signer (lower-case field names, From always
// present; From is also over-signed by the signer).
// Leaves the key files to src/dkim/dkim_keys.hpp and the option lookups to
// src/dkim/dkim_settings.hpp.
// Pure: no I/O, any thread; fuzzed (tests/fuzz/fuzz_protocol_dkim_inputs.cpp).
// Failure modes: an unknown %{x} macro or a header name the signer cannot
// take: an error text for --check.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace impulse::protocol {

// SPEC §19 default `headerlist`.
inline constexpr std::string_view kDkimDefaultHeaders = "from to subject date message-id mime-version content-type";

// `domain` then each parent domain: "a.b.example.com" -> a.b.example.com,
// b.example.com, example.com, com. Empty for an empty domain.
std::vector<std::string> dkim_domain_candidates(std::string_view domain);

// `pattern` with %{d} -> domain and %{s} -> selector. Error: "unknown macro %{x}".
impulse::expected<std::string, std::string> dkim_expand_key_path(std::string_view pattern, std::string_view domain,
                                                                  std::string_view selector);

// Lower-cased names in order, duplicates dropped, "from" first when missing.
// Error: "header name \"x y\" ..." for a name that is not letters, digits,
// '-' and '_'.
impulse::expected<std::vector<std::string>, std::string> dkim_header_list(const std::vector<std::string>& names);

}  // namespace impulse::protocol

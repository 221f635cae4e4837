// Fuzz target: the DKIM header builder's inputs (SPEC §19): the message's
// From: field (protocol/dkim_from.hpp), the dkim_domain candidates, key
// path macros and header list (dkim_names.hpp), the PEM key kind
// (dkim_key.hpp) and the DKIM-Signature field layout (dkim_field.hpp).
// Invariants: an error is never empty; a From: domain is lower-case LDH
// with dots, no leading/trailing dot or hyphen, and its first candidate is
// itself, the last a single label; an expanded key path without '%' in the
// pattern is the pattern; a header list starts with or holds "from" and
// has no duplicates; a built field starts "DKIM-Signature: ", ends in CRLF,
// has no bare CR or LF and every CRLF inside is followed by WSP.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/dkim_field.hpp"
#include "protocol/dkim_from.hpp"
#include "protocol/dkim_key.hpp"
#include "protocol/dkim_names.hpp"

namespace {

void check_domain(const std::string& d) {
  if (d.empty() || d.front() == '.' || d.back() == '.' || d.front() == '-' || d.back() == '-') std::abort();
  for (char c : d)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) std::abort();
  auto candidates = impulse::protocol::dkim_domain_candidates(d);
  if (candidates.empty() || candidates.front() != d || candidates.back().find('.') != std::string::npos) std::abort();
}

void check_field(std::string_view text) {
  auto field = impulse::protocol::dkim_signature_field(text);
  if (!field) {
    if (field.error().empty()) std::abort();
    return;
  }
  const std::string& f = *field;
  if (!f.starts_with("DKIM-Signature: ") || f.size() < 18 || !f.ends_with("\r\n")) std::abort();
  for (std::size_t i = 0; i + 2 < f.size(); ++i) {
    if (f[i] == '\r' && f[i + 1] != '\n') std::abort();
    if (f[i] == '\n' && (i == 0 || f[i - 1] != '\r')) std::abort();
    if (f[i] == '\r' && f[i + 2] != ' ' && f[i + 2] != '\t') std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (dkim_header_section(text).size() > text.size()) std::abort();
  auto domain = dkim_from_domain(text);
  if (domain) check_domain(*domain);
  else if (domain.error().empty()) std::abort();

  auto path = dkim_expand_key_path(text, "example.com", "s1");
  if (path && text.find('%') == std::string_view::npos && *path != text) std::abort();
  if (!path && path.error().empty()) std::abort();

  std::vector<std::string> names;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    names.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  auto list = dkim_header_list(names);
  if (list) {
    if (std::find(list->begin(), list->end(), "from") == list->end()) std::abort();
    if (std::set<std::string>(list->begin(), list->end()).size() != list->size()) std::abort();
  } else if (list.error().empty()) {
    std::abort();
  }

  auto kind = dkim_pem_key_kind(text);
  if (!kind && kind.error().empty()) std::abort();

  check_field(text);
  return 0;
}

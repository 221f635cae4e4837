// Fuzz target: the DKIM header builder's inputs (SPEC §19): the message's
// From: field (protocol/dkim_from.hpp), the dkim_domain candidates, key
// path macros and header list (dkim_names.hpp), the PEM key kind
// (dkim_key.hpp), the DKIM-Signature field layout (dkim_field.hpp), and
// canonicalization with header selection (dkim_canon.hpp).
// Invariants: an error is never empty; a From: domain is lower-case LDH
// with dots, no leading/trailing dot or hyphen, and its first candidate is
// itself, the last a single label; an expanded key path without '%' in the
// pattern is the pattern; a header list starts with or holds "from" and
// has no duplicates; a built field starts "DKIM-Signature: ", ends in CRLF,
// has no bare CR or LF and every CRLF inside is followed by WSP; the
// message's fields and body lie inside it, in order; a canonical body is
// empty or ends in CRLF with no empty line before its end ("\r\n" alone
// for simple) and no LF without its CR, relaxed has no tab and no space
// before a CRLF or another space; a
// relaxed header is one line "name:value" CRLF with a lower-case name; a
// selection never takes one field twice.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/dkim_canon.hpp"
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

void check_body(const std::string& b, impulse::protocol::DkimCanon canon) {
  using impulse::protocol::DkimCanon;
  if (b.empty()) {
    if (canon == DkimCanon::kSimple) std::abort();
    return;
  }
  if (!b.ends_with("\r\n")) std::abort();
  if (b != "\r\n" && b.ends_with("\r\n\r\n")) std::abort();
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r')) std::abort();
    if (canon == DkimCanon::kRelaxed) {
      if (b[i] == '\t') std::abort();
      if (b[i] == ' ' && i + 1 < b.size() && (b[i + 1] == ' ' || b.compare(i + 1, 2, "\r\n") == 0)) std::abort();
    }
  }
}

void check_canon(std::string_view text) {
  using namespace impulse::protocol;
  const DkimMessageParts parts = split_dkim_message(text);
  const char* last = text.data();
  for (const auto& f : parts.fields) {
    if (f.field.data() < last || f.field.data() + f.field.size() > text.data() + text.size()) std::abort();
    if (f.name.size() > f.field.size() || f.name.data() != f.field.data()) std::abort();
    last = f.field.data() + f.field.size();
    const std::string relaxed = canonical_dkim_header(f.field, DkimCanon::kRelaxed);
    if (!relaxed.ends_with("\r\n") || relaxed.find(':') == std::string::npos) std::abort();
    if (relaxed.find_first_of("\r\n") != relaxed.size() - 2) std::abort();
    for (char c : relaxed.substr(0, relaxed.find(':')))
      if (c >= 'A' && c <= 'Z') std::abort();
    if (!canonical_dkim_header(f.field, DkimCanon::kSimple).ends_with("\r\n")) std::abort();
  }
  if (!parts.body.empty() && (parts.body.data() < last || parts.body.data() + parts.body.size() != text.data() + text.size()))
    std::abort();
  check_body(canonical_dkim_body(parts.body, DkimCanon::kSimple), DkimCanon::kSimple);
  check_body(canonical_dkim_body(parts.body, DkimCanon::kRelaxed), DkimCanon::kRelaxed);
  std::vector<std::string> names;
  for (const auto& f : parts.fields) names.emplace_back(f.name);
  names.emplace_back("from");
  auto picked = select_dkim_headers(parts, names);
  if (std::set<const DkimHeaderField*>(picked.begin(), picked.end()).size() != picked.size()) std::abort();
  if (picked.size() > parts.fields.size()) std::abort();
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
  check_canon(text);
  return 0;
}

// Fuzz target for protocol/rest_inject.hpp, protocol/inject_template.hpp and
// protocol/base64.hpp (client data from the HTTP listener): every body must
// parse or fail cleanly; what parses gives messages with CRLF-only line
// ends ending in CRLF, at least one recipient each, and addresses without
// line breaks or angle brackets; substitution never fails for a template
// without placeholders and leaves such text unchanged.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/base64.hpp"
#include "protocol/inject_template.hpp"
#include "protocol/rest_inject.hpp"

namespace {

using namespace impulse::protocol;

void check_address_text(const std::string& a) {
  for (char c : a)
    if (c == '\r' || c == '\n' || c == '<' || c == '>') std::abort();
}

void check_message(const PreparedMessage& m) {
  if (m.recipients.empty() || m.data.empty()) std::abort();
  if (!m.data.ends_with("\r\n")) std::abort();
  for (std::size_t i = 0; i < m.data.size(); ++i) {
    if (m.data[i] == '\n' && (i == 0 || m.data[i - 1] != '\r')) std::abort();
    if (m.data[i] == '\r' && (i + 1 == m.data.size() || m.data[i + 1] != '\n')) std::abort();
  }
  check_address_text(m.sender);
  for (const auto& r : m.recipients) {
    check_address_text(r);
    if (r.empty()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto r = parse_rest_inject(body)) {
    if (r->recipients.empty()) std::abort();
    if (auto msgs = prepare_rest_inject(*r)) {
      if (msgs->size() != r->recipients.size()) std::abort();
      for (const auto& m : *msgs) check_message(m);
    }
  }
  if (auto m = parse_message_request(body)) check_message(m->message);

  auto text = substitute_template(body, {{"to", "a@b"}, {"k", "v"}});
  if (body.find_first_of("<[") == std::string_view::npos && (!text || *text != body)) std::abort();
  (void)decode_base64(body);
  (void)normalise_crlf(body);
  return 0;
}

// Fuzz target: the MMSC's SubmitRsp / Fault parser and the SPEC §14 status
// classes (protocol/mm7_response.hpp). Input layout: the first line is the
// HTTP Content-Type, the rest the body. A parsed SubmitRsp always has a
// status code; every code has exactly one class, 1000/1100 success unless
// overridden, and an override list always wins.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/mm7_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const std::string_view type = input.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  auto r = parse_mm7_response(body, type);
  if (!r) {
    if (r.error().empty()) std::abort();
    return 0;
  }
  if (r->kind == Mm7ResponseKind::kSubmitRsp && !r->status_code) std::abort();
  if (r->kind == Mm7ResponseKind::kSubmitRsp && !r->fault_string.empty()) std::abort();
  if (r->status_code) {
    const int code = *r->status_code;
    const auto plain = mm7_status_class(code);
    if ((code == 1000 || code == 1100) != (plain == Mm7StatusClass::kSuccess)) std::abort();
    if (mm7_status_class(code, {{code}, {}}) != Mm7StatusClass::kPermanent) std::abort();
    if (mm7_status_class(code, {{}, {code}}) != Mm7StatusClass::kTransient) std::abort();
  }
  return 0;
}

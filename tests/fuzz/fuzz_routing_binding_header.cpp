// fuzz-sources: src/routing/binding_header.cpp src/base/strings.cpp
// Fuzz target for routing/binding_header.hpp (client data: the header
// section of a relayed message): any data must be handled, and afterwards
// neither header is left in the header section, stripping again finds
// nothing and changes nothing, values carry no line breaks, and the data
// never grows.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "routing/binding_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::routing;
  std::string text(reinterpret_cast<const char*>(data), size);
  const std::size_t before = text.size();
  const BindingHeaders found = strip_binding_headers(text);
  if (text.size() > before) std::abort();
  for (const auto* value : {&found.binding, &found.group}) {
    if (*value && value->value().find_first_of("\r\n") != std::string::npos) std::abort();
  }
  const std::string once = text;
  const BindingHeaders again = strip_binding_headers(text);
  if (again.any() || text != once) std::abort();
  return 0;
}

// Fuzz target for protocol/data_reader.hpp. The first input octet picks a
// split point and a size limit; the rest is DATA content. Checks: the same
// result whether fed whole or in two pieces; stored data has only CRLF line
// ends; the limit is respected; consumption stops at the end of data.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/data_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using impulse::protocol::DataReader;
  if (size == 0) return 0;
  const unsigned selector = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::uint64_t limit = (selector & 1) ? (selector >> 1) : 0;

  DataReader whole(limit);
  const std::size_t used_whole = whole.feed(input);
  if (used_whole > input.size()) std::abort();
  if (!whole.done() && used_whole != input.size()) std::abort();

  const std::size_t cut = input.empty() ? 0 : (selector * 7u) % (input.size() + 1);
  DataReader split(limit);
  std::size_t used_split = split.feed(input.substr(0, cut));
  if (!split.done()) used_split += split.feed(input.substr(used_split));
  if (used_split != used_whole || split.done() != whole.done() || split.data() != whole.data() ||
      split.too_big() != whole.too_big() || split.line_too_long() != whole.line_too_long() ||
      split.size() != whole.size())
    std::abort();

  const std::string& d = whole.data();
  if (limit != 0 && d.size() > limit) std::abort();
  if (!whole.too_big() && d.size() != whole.size()) std::abort();
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (d[i] == '\r' && (i + 1 >= d.size() || d[i + 1] != '\n')) {
      // A CR may only be cut off by the size limit or still be pending.
      if (!(whole.too_big() || (!whole.done() && i + 1 == d.size()))) std::abort();
    }
    if (d[i] == '\n' && (i == 0 || d[i - 1] != '\r')) std::abort();
  }
  if (whole.done() && !whole.too_big() && !d.empty() && (d.size() < 2 || d.substr(d.size() - 2) != "\r\n"))
    std::abort();
  return 0;
}

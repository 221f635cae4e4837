// Fuzz target for the spool record codec (spool/record.hpp) and the printable
// message id parser. Any input must decode to a value or an Error, never a
// crash; whatever decodes must re-encode to something that decodes to the
// same value. The payload decoder is driven directly too, so mutations reach
// the field parser without having to forge the checksum.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spool/message_id.hpp"
#include "spool/record.hpp"

using impulse::spool::decode_record;
using impulse::spool::decode_record_payload;
using impulse::spool::encode_record;
using impulse::spool::encode_record_payload;
using impulse::spool::MessageId;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  if (auto m = decode_record(bytes)) {
    auto again = decode_record(encode_record(*m));
    if (!again || !(*again == *m)) std::abort();
  }
  if (auto m = decode_record_payload(bytes)) {
    auto again = decode_record(encode_record(*m));
    if (!again || !(*again == *m)) std::abort();
    if (!decode_record_payload(encode_record_payload(*m))) std::abort();
  }
  if (auto id = MessageId::parse(bytes)) {
    auto again = MessageId::parse(id->to_string());
    if (!again || *again != *id) std::abort();
    auto key = id->to_key();
    auto from_key = MessageId::from_key(std::string_view(key.data(), key.size()));
    if (!from_key || *from_key != *id) std::abort();
  }
  return 0;
}

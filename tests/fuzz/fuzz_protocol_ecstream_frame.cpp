// Fuzz target for protocol/ecstream_frame.hpp (client or server bytes off
// the wire). The first input octet picks a split point and small limits;
// the rest is a byte stream. Checks: the same frames (or the same error)
// whether fed whole or in two pieces; no frame payload over the limit;
// every frame that parses re-encodes to the bytes it came from (the codec
// is canonical), so a client in another language is held to one layout.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/ecstream_frame.hpp"

namespace {

using namespace impulse::protocol::ecstream;

struct Run {
  std::vector<Frame> frames;
  std::string error;
};

Run decode(const Limits& limits, std::string_view input, std::size_t cut) {
  Run run;
  FrameDecoder d(limits);
  auto drain = [&] {
    for (;;) {
      auto f = d.next();
      if (!f) {
        run.error = f.error().reason;
        return;
      }
      if (!*f) return;
      run.frames.push_back(std::move(**f));
    }
  };
  d.feed(input.substr(0, cut));
  drain();
  if (run.error.empty()) {
    d.feed(input.substr(cut));
    drain();
  }
  return run;
}

template <class T>
void check_canonical(const Decoded<T>& parsed, const Frame& f) {
  if (!parsed) return;
  const std::string again = encode(*parsed);
  if (again.substr(kHeaderSize) != f.payload || static_cast<std::uint8_t>(again[0]) != static_cast<std::uint8_t>(f.type))
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  Limits limits;
  if (selector & 1) limits = Limits{.max_payload = 256u + selector, .max_field = 16u + (selector >> 2), .max_recipients = 4};

  const Run whole = decode(limits, input, input.size());
  const std::size_t cut = input.empty() ? 0 : (selector * 13u) % (input.size() + 1);
  const Run split = decode(limits, input, cut);
  if (whole.error != split.error || whole.frames.size() != split.frames.size()) std::abort();
  for (std::size_t i = 0; i < whole.frames.size(); ++i) {
    const Frame& f = whole.frames[i];
    if (f.payload != split.frames[i].payload || f.type != split.frames[i].type) std::abort();
    if (f.payload.size() > limits.max_payload) std::abort();
    switch (f.type) {
      case FrameType::kGreeting: check_canonical(parse_greeting(f.payload, limits), f); break;
      case FrameType::kHello: check_canonical(parse_hello(f.payload, limits), f); break;
      case FrameType::kMessage: {
        auto m = parse_message(f.payload, limits);
        if (m && (m->recipients.empty() || m->recipients.size() > limits.max_recipients)) std::abort();
        check_canonical(m, f);
        break;
      }
      case FrameType::kReply: check_canonical(parse_reply(f.payload, limits), f); break;
      case FrameType::kGoaway: check_canonical(parse_goaway(f.payload, limits), f); break;
      case FrameType::kError: check_canonical(parse_error(f.payload, limits), f); break;
    }
  }
  return 0;
}

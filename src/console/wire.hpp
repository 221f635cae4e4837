// The console wire protocol between impulsectl and Control_Listener.
// Momentum's ec_console channel is unpublished, so Impulse defines its own,
// kept trivially scriptable:
//   client -> server: one command per line, "WORD WORD...\n" (UTF-8, no NUL)
//   server -> client: "IMPULSE-REPLY <status> <length>\n" then exactly
//                     <length> bytes of output text (status 0 = ok, 1 = the
//                     command failed: unknown command, bad argument, ...)
// Several commands may follow on one connection (interactive mode).
// A Listen with Enable_Authentication wants a `login` line first
// (console/login.hpp); the framing is the same.
// Pure encoder/decoder; no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace impulse::console {

inline constexpr std::size_t kMaxCommandLine = 8192;
inline constexpr std::size_t kMaxReplyBytes = 64u << 20;

struct Reply {
  bool ok = true;
  std::string text;  // output as the console prints it, normally ending in '\n'
};

std::string encode_reply(const Reply& r);

// Incremental decoder for the client side: feed bytes, take replies.
class ReplyDecoder {
 public:
  void feed(std::string_view bytes) { buf_.append(bytes); }
  // A complete reply if one is buffered; std::nullopt if more bytes are
  // needed. Sets failed() on a malformed header.
  std::optional<Reply> next();
  bool failed() const { return failed_; }

 private:
  std::string buf_;
  bool failed_ = false;
};

}  // namespace impulse::console

// Implementation of log/paniclog.hpp.
#include "log/paniclog.hpp"

namespace impulse::log {

void Paniclog::write(std::string_view text) const {
  if (!file_) {
    fallback_->report(text);
    return;
  }
  file_->append(format_panic(clock_->wall_now(), text, timestamps_));
  file_->flush();
}

void Paniclog::report(std::string_view text) noexcept {
  try {
    write(text);
  } catch (...) {
    fallback_->report(text);
  }
}

}  // namespace impulse::log

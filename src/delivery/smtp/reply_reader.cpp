// Implementation of delivery/smtp/reply_reader.hpp.
#include "delivery/smtp/reply_reader.hpp"

namespace impulse::delivery::smtp {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string_view reply_error_text(ReplyError error) {
  switch (error) {
    case ReplyError::kLineTooLong: return "reply line too long";
    case ReplyError::kBadLine: return "malformed reply line";
    case ReplyError::kCodeMismatch: return "reply lines carry different codes";
    case ReplyError::kTooManyLines: return "reply has too many lines";
  }
  return "malformed reply";
}

void ReplyReader::feed(std::string_view bytes) {
  if (error_) return;
  // Drop what was consumed before growing, so the buffer stays small.
  if (pos_ > 0 && (pos_ == buffer_.size() || pos_ >= 4096)) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes.data(), bytes.size());
}

impulse::expected<std::optional<Reply>, ReplyError> ReplyReader::next() {
  using Result = impulse::expected<std::optional<Reply>, ReplyError>;
  auto fail = [this](ReplyError e) -> Result {
    error_ = e;
    partial_ = Reply{};
    partial_bytes_ = 0;
    return impulse::unexpected<ReplyError>(e);
  };
  if (error_) return impulse::unexpected<ReplyError>(*error_);

  while (true) {
    const std::size_t eol = buffer_.find('\n', pos_);
    if (eol == std::string::npos) {
      if (buffer_.size() - pos_ >= kMaxReplyLineLength) return fail(ReplyError::kLineTooLong);
      return Result(std::optional<Reply>());
    }
    if (eol + 1 - pos_ > kMaxReplyLineLength) return fail(ReplyError::kLineTooLong);
    std::string_view line(buffer_.data() + pos_, eol - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !is_digit(line[1]) || !is_digit(line[2])) {
      return fail(ReplyError::kBadLine);
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    bool last = true;
    if (line.size() > 3) {
      if (line[3] == '-') {
        last = false;
      } else if (line[3] != ' ') {
        return fail(ReplyError::kBadLine);
      }
    }
    if (!partial_.lines.empty() && partial_.code != code) return fail(ReplyError::kCodeMismatch);
    if (partial_.lines.size() >= kMaxReplyLines) return fail(ReplyError::kTooManyLines);

    partial_.code = code;
    partial_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
    if (!partial_.text.empty()) partial_.text += "\r\n";
    partial_.text.append(line.data(), line.size());
    partial_bytes_ += eol + 1 - pos_;
    pos_ = eol + 1;

    if (last) {
      Reply done = std::move(partial_);
      partial_ = Reply{};
      partial_bytes_ = 0;
      return Result(std::optional<Reply>(std::move(done)));
    }
  }
}

bool Reply::too_many_recipients() const {
  if (code == 452) return true;
  if (code != 552) return false;
  // An enhanced code, if the first line starts with one, decides: only
  // 5.5.3 ("too many recipients") keeps the legacy meaning.
  const std::string_view first = lines.empty() ? std::string_view() : std::string_view(lines.front());
  const auto space = first.find(' ');
  const std::string_view token = first.substr(0, space);
  const bool looks_enhanced = token.size() >= 5 && token[1] == '.' &&
                              token.find_first_not_of("0123456789.") == std::string_view::npos;
  return !looks_enhanced || token == "5.5.3";
}

}  // namespace impulse::delivery::smtp

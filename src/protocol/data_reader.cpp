// Implementation of protocol/data_reader.hpp.
#include "protocol/data_reader.hpp"

namespace impulse::protocol {

void DataReader::put(char c) {
  ++size_;
  ++line_length_;
  if (line_length_ + 2 > kMaxTextLine) line_too_long_ = true;
  if (max_size_ != 0 && size_ > max_size_) too_big_ = true;
  if (!too_big_) data_ += c;
}

void DataReader::put_run(std::string_view run) {
  // put() for each octet of `run` (none of them CR or LF), at once.
  const std::uint64_t before = size_;
  size_ += run.size();
  line_length_ += run.size();
  if (line_length_ + 2 > kMaxTextLine) line_too_long_ = true;
  if (too_big_) return;
  if (max_size_ != 0 && size_ > max_size_) {
    too_big_ = true;
    if (before < max_size_) data_.append(run.data(), static_cast<std::size_t>(max_size_ - before));
    return;
  }
  data_.append(run);
}

void DataReader::put_line_end() {
  line_length_ = 0;
  size_ += 2;
  if (max_size_ != 0 && size_ > max_size_) too_big_ = true;
  if (!too_big_) data_ += "\r\n";
}

std::size_t DataReader::feed(std::string_view input) {
  std::size_t i = 0;
  while (i < input.size() && state_ != State::Done) {
    const char c = input[i++];
    switch (state_) {
      case State::LineStart:
        if (c == '.') {
          state_ = State::Dot;
          break;
        }
        [[fallthrough]];
      case State::LooseStart:
      case State::InLine:
        if (c == '\r') {
          state_ = State::Cr;
        } else if (c == '\n') {  // bare LF
          put_line_end();
          state_ = State::LooseStart;
        } else {
          // c and every octet after it up to the next CR or LF: one run.
          std::size_t end = i;
          while (end < input.size() && input[end] != '\r' && input[end] != '\n') ++end;
          put_run(input.substr(i - 1, end - (i - 1)));
          i = end;
          state_ = State::InLine;
        }
        break;
      case State::Cr:
        if (c == '\n') {
          put_line_end();
          state_ = State::LineStart;
        } else {  // bare CR: end the line, then c starts a loose line
          put_line_end();
          --i;
          state_ = State::LooseStart;
        }
        break;
      case State::Dot:
        if (c == '\r') {
          state_ = State::DotCr;
        } else if (c == '\n') {  // ".\n": not the end; keep the dot
          put('.');
          put_line_end();
          state_ = State::LooseStart;
        } else {  // stuffed dot removed; c is the line's first octet
          --i;
          state_ = State::InLine;
        }
        break;
      case State::DotCr:
        if (c == '\n') {
          state_ = State::Done;
        } else {  // ".\r" then something: keep the dot, bare CR ends the line
          put('.');
          put_line_end();
          --i;
          state_ = State::LooseStart;
        }
        break;
      case State::Done:
        break;
    }
  }
  return i;
}

}  // namespace impulse::protocol

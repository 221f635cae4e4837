#include "dns/dns_name.hpp"

namespace impulse::dns {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

bool has_trailing_dot(std::string_view name) {
  if (name.empty() || name.back() != '.') return false;
  // The dot is escaped when an odd number of backslashes precede it.
  std::size_t backslashes = 0;
  for (std::size_t i = name.size() - 1; i > 0 && name[i - 1] == '\\'; --i) ++backslashes;
  return backslashes % 2 == 0;
}

std::string absolute_name(std::string_view name) {
  std::string out = lower(name);
  if (!has_trailing_dot(out)) out += '.';
  return out;
}

std::string display_name(std::string_view name) {
  std::string out = lower(name);
  if (has_trailing_dot(out)) out.pop_back();
  return out;
}

bool is_valid_name(std::string_view name) {
  if (name == "." || name.empty()) return true;
  std::size_t wire = 1;   // the root label
  std::size_t label = 0;  // octets in the current label
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '.') {
      if (label == 0) return false;  // empty label
      wire += 1 + label;
      label = 0;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= name.size()) return false;
      if (name[i + 1] >= '0' && name[i + 1] <= '9') {
        if (i + 3 >= name.size()) return false;  // \DDD needs three digits
        int value = 0;
        for (std::size_t k = i + 1; k <= i + 3; ++k) {
          if (name[k] < '0' || name[k] > '9') return false;
          value = value * 10 + (name[k] - '0');
        }
        if (value > 255) return false;
        i += 3;
      } else {
        i += 1;
      }
    }
    if (++label > 63) return false;
  }
  if (label > 0) wire += 1 + label;  // a last label without trailing dot
  return wire <= 255;
}

}  // namespace impulse::dns

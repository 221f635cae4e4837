// Error: the value carried by every expected failure in Impulse
// (impulse::Result<T>). A message for people, plus an optional errno-style
// code for callers that branch on the kind. No I/O, no ownership rules.
#pragma once

#include <string>

#include "base/expected.hpp"

namespace impulse {

struct Error {
  std::string message;
  int code = 0;  // errno value or a component-specific code; 0 = unspecified
};

template <class T>
using Result = expected<T, Error>;

inline unexpected<Error> fail(std::string message, int code = 0) {
  return unexpected<Error>(Error{std::move(message), code});
}

}  // namespace impulse

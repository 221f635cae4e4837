// Implementation of base/hostname.hpp.
#include "base/hostname.hpp"

#include <unistd.h>

#include <climits>

namespace impulse {

std::string local_hostname() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace impulse

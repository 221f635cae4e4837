// Implementation of password.hpp.
#include "password.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>

namespace impulsectl {

namespace {

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

impulse::expected<std::string, std::string> read_password(const std::string& user) {
  if (const char* env = std::getenv("IMPULSE_CONSOLE_PASSWORD"); env) return std::string(env);
  const int tty = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty < 0)
    return impulse::unexpected<std::string>("no terminal to read the password of " + user +
                                            " from; set IMPULSE_CONSOLE_PASSWORD");
  write_all(tty, "Password for " + user + ": ");
  termios saved{};
  const bool restore = ::tcgetattr(tty, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  std::string password;
  bool ended = false;
  for (char c; !ended;) {
    const ssize_t n = ::read(tty, &c, 1);
    if (n <= 0) break;
    if (c == '\n') ended = true;
    else password += c;
  }
  if (restore) ::tcsetattr(tty, TCSAFLUSH, &saved);
  ::close(tty);
  if (!ended && password.empty()) return impulse::unexpected<std::string>("no password given for " + user);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

}  // namespace impulsectl

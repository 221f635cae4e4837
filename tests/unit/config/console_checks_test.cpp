// --check's console access rule (config/console_checks.hpp; SPEC §7): a
// Control_Listener TCP Listen off loopback is an error at the Listen unless
// it has authentication, a password file and TLS (authentication without
// TLS: "in the clear"); loopback and Unix sockets pass; Enable_Authentication
// without a password file, TLS on a socket, an unreadable
// Console_Password_File are errors. Also reload path confinement
// (config/reload_path.hpp).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "config/console_checks.hpp"
#include "config/reload_path.hpp"
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

TEST(ConsoleCheck, LoopbackAndUnixSocketsPass) {
  EXPECT_EQ(errors_of("Control_Listener {\n  Listen \"127.0.0.1:2025\" { }\n  Listen \"[::1]:2026\" { }\n"
                      "  Listen \"/tmp/2025\" { }\n  Listen \"unix:/tmp/x\" { }\n}\n"),
            std::vector<std::string>{});
}

TEST(ConsoleCheck, AnyOtherTcpAddressIsAnErrorAtItsListen) {
  auto errs = errors_of("Control_Listener {\n  Listen \"0.0.0.0:2025\" { }\n}\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].rfind("t.conf:2:3: error: Control_Listener Listen \"0.0.0.0:2025\" is not a loopback address", 0),
            0u)
      << errs[0];
  EXPECT_NE(errs[0].find("Enable_Authentication = true"), std::string::npos);
  EXPECT_NE(errs[0].find("Console_Password_File"), std::string::npos);
  EXPECT_EQ(errors_of("Control_Listener {\n  Listen \"[::]:2025\" { }\n}\n").size(), 1u);
  EXPECT_EQ(errors_of("Control_Listener {\n  Listen \"192.0.2.1:2025\" { }\n}\n").size(), 1u);
  EXPECT_EQ(errors_of("Control_Listener {\n  Listen \"[::2]:2025\" { }\n}\n").size(), 1u);
}

TEST(ConsoleCheck, AuthenticationWithoutPasswordFileIsNotEnough) {
  EXPECT_EQ(errors_of("Control_Listener {\n  Listen \"10.0.0.1:2025\" { Enable_Authentication = true }\n}\n").size(),
            1u);
}

TEST(ConsoleCheck, UnreadablePasswordFileIsAnErrorAtTheOption) {
  auto errs = errors_of(
      "Control_Listener {\n  Listen \"127.0.0.1:2025\" { Console_Password_File = \"/nonexistent/pw\" }\n}\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].rfind("t.conf:2:", 0), 0u) << errs[0];
  EXPECT_NE(errs[0].find("error: console_password_file /nonexistent/pw: cannot be read"), std::string::npos) << errs[0];
}

// A password file with one valid sha512-crypt line (alice:wonderland), for the rules that need one.
std::string password_file() {
  const auto path = std::filesystem::temp_directory_path() / ("impulse-console-pw-" + std::to_string(::getpid()));
  std::ofstream(path) << "alice:$6$saltsalt$pqxtaP8VN9msji06dnBCbUbaSGTOXyo9jZDqZxik1rPexoqRIW4UKuiD0ZHZchCSd7S4/HoRU8bcFbnz2ihUr.\n";
  return path.string();
}

TEST(ConsoleCheck, RemoteListenWithLoginAndTlsPasses) {
  const std::string pw = password_file();
  EXPECT_EQ(errors_of("Control_Listener {\n  Listen \"0.0.0.0:2025\" {\n    Enable_Authentication = true\n"
                      "    Console_Password_File = \"" + pw + "\"\n    TLS_Certificate = \"/etc/c.pem\"\n"
                      "    TLS_Key = \"/etc/k.pem\"\n  }\n}\n"),
            std::vector<std::string>{});
  // The options may sit on the Control_Listener itself; its certificate is for its TCP Listens only.
  EXPECT_EQ(errors_of("Control_Listener {\n  Enable_Authentication = true\n  Console_Password_File = \"" + pw +
                      "\"\n  TLS_Certificate = \"/etc/c.pem\"\n  Listen \"[::]:2025\" { }\n"
                      "  Listen \"/tmp/2025\" { }\n}\n"),
            std::vector<std::string>{});
}

TEST(ConsoleCheck, RemoteListenWithLoginButNoTlsIsAnErrorAtItsListen) {
  const std::string pw = password_file();
  auto errs = errors_of("Control_Listener {\n  Listen \"0.0.0.0:2025\" { Enable_Authentication = true "
                        "Console_Password_File = \"" + pw + "\" }\n}\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].rfind("t.conf:2:3: error: Control_Listener Listen \"0.0.0.0:2025\" is not a loopback address "
                          "and has no TLS", 0),
            0u)
      << errs[0];
  EXPECT_NE(errs[0].find("in the clear"), std::string::npos);
  EXPECT_NE(errs[0].find("add tls_certificate and tls_key"), std::string::npos);
}

TEST(ConsoleCheck, TlsWithoutLoginOffLoopbackIsStillAnError) {
  auto errs = errors_of("Control_Listener {\n  Listen \"0.0.0.0:2025\" { TLS_Certificate = \"/etc/c.pem\" }\n}\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("is not a loopback address: anyone who reaches it"), std::string::npos) << errs[0];
}

TEST(ConsoleCheck, AuthenticationWithoutPasswordFileOnLoopbackIsAnError) {
  auto errs = errors_of("Control_Listener {\n  Listen \"127.0.0.1:2025\" { Enable_Authentication = true }\n}\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("error: Enable_Authentication on a Control_Listener needs Console_Password_File"),
            std::string::npos)
      << errs[0];
  const std::string pw = password_file();
  EXPECT_EQ(errors_of("Control_Listener {\n  Listen \"127.0.0.1:2025\" { Enable_Authentication = true "
                      "Console_Password_File = \"" + pw + "\" }\n}\n"),
            std::vector<std::string>{});
}

TEST(ConsoleCheck, TlsOnAUnixSocketAndAKeyWithoutCertificateAreErrors) {
  auto errs = errors_of("Control_Listener {\n  Listen \"/tmp/2025\" { TLS_Certificate = \"/etc/c.pem\" }\n}\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("TLS is for TCP Listens"), std::string::npos) << errs[0];
  errs = errors_of("Control_Listener {\n  Listen \"127.0.0.1:2025\" { TLS_Key = \"/etc/k.pem\" }\n}\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("tls_key on a Control_Listener Listen needs tls_certificate"), std::string::npos) << errs[0];
}

TEST(ConsoleCheck, LoopbackRule) {
  EXPECT_TRUE(is_loopback_listen("127.1.2.3:1"));
  EXPECT_TRUE(is_loopback_listen("[::1]:1"));
  EXPECT_FALSE(is_loopback_listen("128.0.0.1:1"));
  EXPECT_FALSE(is_loopback_listen("localhost:1"));
  EXPECT_TRUE(is_console_socket_path("/tmp/2025"));
  EXPECT_FALSE(is_console_socket_path("0.0.0.0:2025"));
}

TEST(ReloadPath, OnlyUnderTheRunningConfigurationsDirectory) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("impulse-reload-path-" + std::to_string(::getpid()));
  fs::create_directories(dir / "sub");
  fs::create_directories(dir.string() + "2");
  const std::string running = (dir / "impulse.conf").string();
  EXPECT_EQ(confine_reload_path(running, "").value(), running);
  EXPECT_EQ(confine_reload_path(running, (dir / "sub/../other.conf").string()).value(),
            fs::weakly_canonical(dir / "other.conf").string());
  EXPECT_FALSE(confine_reload_path(running, "/etc/passwd"));
  EXPECT_FALSE(confine_reload_path(running, (dir / "../x.conf").string()));
  EXPECT_FALSE(confine_reload_path(running, dir.string() + "2/x.conf"));  // a sibling sharing the prefix
  EXPECT_FALSE(confine_reload_path(running, dir.string()));               // the directory itself
  fs::create_symlink("/etc/passwd", dir / "link.conf");
  auto r = confine_reload_path(running, (dir / "link.conf").string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("passwd"), std::string::npos);
  fs::remove_all(dir);
  fs::remove_all(dir.string() + "2");
}

}  // namespace
}  // namespace impulse::config

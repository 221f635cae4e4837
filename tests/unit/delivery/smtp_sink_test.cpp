// SmtpConnection against a real receiver: Postfix's smtp-sink (unpacked
// privately under .tools by scripts/install-deps.sh), started per test on
// 127.0.0.1 at a free port, dumping each transaction to a file, stopped by
// PID. Checks what smtp-sink recorded, not only what it answered.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "client_harness.hpp"
#include "delivery/smtp/smtp_connection.hpp"

extern char** environ;

namespace impulse::delivery::smtp {
namespace {

using namespace testing;
namespace fs = std::filesystem;

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool accepts_connections(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

class SmtpSink {
 public:
  explicit SmtpSink(std::vector<std::string> extra_args = {}) {
    binary_ = std::string(IMPULSE_SOURCE_DIR) + "/.tools/bin/smtp-sink";
    if (!fs::exists(binary_)) return;
    char tmpl[] = "/tmp/impulse-smtp-sink-XXXXXX";
    if (!::mkdtemp(tmpl)) return;
    dir_ = tmpl;
    for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) {
      port_ = free_port();
      std::vector<std::string> args = {binary_, "-u", "root", "-d", (dir_ / "%M.").string()};
      args.insert(args.end(), extra_args.begin(), extra_args.end());
      args.push_back("127.0.0.1:" + std::to_string(port_));
      args.push_back("16");
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      const std::string log = (dir_ / "sink.log").string();
      posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      pid_t pid = 0;
      const int rc = posix_spawn(&pid, binary_.c_str(), &actions, nullptr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&actions);
      if (rc != 0) return;
      // Readiness probe (not synchronisation of behaviour): until it listens
      // or exits (port taken: try another).
      for (int i = 0; i < 1000; ++i) {
        if (accepts_connections(port_)) {
          pid_ = pid;
          break;
        }
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) break;
        struct timespec ts{0, 10'000'000};
        ::nanosleep(&ts, nullptr);
      }
      if (pid_ <= 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
    }
  }
  ~SmtpSink() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  bool running() const { return pid_ > 0; }
  std::string binary() const { return binary_; }
  std::uint16_t port() const { return port_; }

  // The dumped transactions, in no particular order.
  std::vector<std::string> dumps() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().filename() == "sink.log") continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      out.push_back(ss.str());
    }
    return out;
  }

 private:
  std::string binary_;
  fs::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

#define REQUIRE_SINK(sink)                                                             \
  if (!fs::exists(sink.binary())) GTEST_SKIP() << "run scripts/install-deps.sh first"; \
  ASSERT_TRUE(sink.running()) << "smtp-sink did not start"

TEST(SmtpSink, DeliversAMessageThatSmtpSinkRecords) {
  SmtpSink sink;
  REQUIRE_SINK(sink);
  const std::string body = "Subject: real peer\r\n\r\n.leading dot\r\nline two\r\n";
  const auto s = session(sink.port(), test_settings(), {make_job({"a@example.test", "b@example.test"}, body)});
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply;
  EXPECT_TRUE(s.caps.pipelining);
  for (const auto& o : s.results.at(0).outcomes) {
    EXPECT_TRUE(o.delivered()) << o.reply;
    EXPECT_EQ(o.reply, "250 2.0.0 Ok");
  }
  const auto dumps = sink.dumps();
  ASSERT_EQ(dumps.size(), 1u);
  const std::string& d = dumps[0];
  EXPECT_NE(d.find("X-Helo-Args: client.test\n"), std::string::npos) << d;
  EXPECT_NE(d.find("X-Mail-Args: <sender@origin.test>\n"), std::string::npos) << d;
  EXPECT_NE(d.find("X-Rcpt-Args: <a@example.test>\nX-Rcpt-Args: <b@example.test>\n"), std::string::npos) << d;
  // smtp-sink removed the stuffed dot and writes lines with LF.
  EXPECT_NE(d.find("Subject: real peer\n\n.leading dot\nline two\n"), std::string::npos) << d;
}

TEST(SmtpSink, SeveralMessagesOnOneConnection) {
  SmtpSink sink;
  REQUIRE_SINK(sink);
  std::vector<SmtpJob> jobs;
  for (int i = 0; i < 5; ++i) {
    jobs.push_back(make_job({"r" + std::to_string(i) + "@example.test"}, "Subject: " + std::to_string(i) + "\r\n\r\nx\r\n"));
  }
  const auto s = session(sink.port(), test_settings(), jobs);
  ASSERT_FALSE(s.open_failure);
  ASSERT_EQ(s.results.size(), 5u);
  for (const auto& r : s.results) EXPECT_TRUE(r.outcomes.at(0).delivered()) << r.outcomes.at(0).reply;
  EXPECT_EQ(sink.dumps().size(), 5u);
}

TEST(SmtpSink, RejectedRecipientIsPermanent) {
  SmtpSink sink({"-f", "RCPT"});  // every RCPT gets a hard error
  REQUIRE_SINK(sink);
  const auto s = session(sink.port(), test_settings(), {make_job({"a@example.test"})});
  ASSERT_FALSE(s.open_failure);
  const auto& o = s.results.at(0).outcomes.at(0);
  EXPECT_TRUE(o.permanent()) << o.reply;
  EXPECT_EQ(o.stage, queue::Stage::kDuringRcptTo);
  EXPECT_EQ(o.reply, "500 5.3.0 Error: command failed");
}

TEST(SmtpSink, SoftRejectedDotIsTransient) {
  SmtpSink sink({"-r", "."});  // a soft error after the final dot
  REQUIRE_SINK(sink);
  const auto s = session(sink.port(), test_settings(), {make_job({"a@example.test", "b@example.test"})});
  ASSERT_FALSE(s.open_failure);
  for (const auto& o : s.results.at(0).outcomes) {
    EXPECT_TRUE(o.transient()) << o.reply;
    EXPECT_EQ(o.stage, queue::Stage::kReadingConfirmation);
    EXPECT_EQ(o.reply, "450 4.3.0 Error: command failed");
  }
}

TEST(SmtpSink, LmtpPerRecipientReplies) {
  SmtpSink sink({"-L"});
  REQUIRE_SINK(sink);
  auto settings = test_settings();
  settings->protocol = SessionProtocol::kLmtp;
  const auto s = session(sink.port(), settings, {make_job({"a@store.test", "b@store.test", "c@store.test"})});
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply;
  for (const auto& o : s.results.at(0).outcomes) EXPECT_TRUE(o.delivered()) << o.reply;
  const auto dumps = sink.dumps();
  ASSERT_EQ(dumps.size(), 1u);
  EXPECT_NE(dumps[0].find("X-Client-Proto: LMTP"), std::string::npos) << dumps[0];
}

TEST(SmtpSink, XclientAnsweredWith250IsAccepted) {
  SmtpSink sink;  // advertises "XCLIENT NAME HELO" and answers 250, like Postfix before 2.3
  REQUIRE_SINK(sink);
  auto settings = test_settings();
  settings->xclient = XclientMode::kRequired;
  const auto s = session(sink.port(), settings, {make_job({"a@example.test"})});
  ASSERT_FALSE(s.open_failure);
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered()) << s.results.at(0).outcomes.at(0).reply;
}

}  // namespace
}  // namespace impulse::delivery::smtp

// WriterEventLog: the queue's records reach the real mainlog and bouncelog
// files in Momentum's formats; problems reach the reporter.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>

#include "log/bouncelog.hpp"
#include "log/log_file.hpp"
#include "log/mainlog.hpp"
#include "queue/writer_event_log.hpp"

namespace impulse::queue {
namespace {

class Dir {
 public:
  Dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "impulse-queue-XXXXXX").string();
    if (::mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~Dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class Problems final : public log::ProblemReporter {
 public:
  void report(std::string_view text) noexcept override {
    std::lock_guard lock(mu);
    seen.emplace_back(text);
  }
  std::mutex mu;
  std::vector<std::string> seen;
};

TEST(WriterEventLog, RecordsGoToTheirFiles) {
  Dir dir;
  Problems problems;
  auto main_file = log::LogFile::open({.path = dir.file("mainlog"), .name = "mainlog"}, &problems);
  auto bounce_file = log::LogFile::open({.path = dir.file("bouncelog"), .name = "bouncelog"}, &problems);
  ASSERT_TRUE(main_file && bounce_file);
  log::Mainlog mainlog(main_file->get(), {});
  log::Bouncelog bouncelog(bounce_file->get(), {});
  WriterEventLog sink(mainlog, bouncelog, problems);

  const WallTime t{std::chrono::seconds(1'700'000'000)};
  sink.reception(log::ReceptionRecord{t, "ID1", "", "", "bob", "example.com", "alice", "sender.example",
                                      "198.51.100.7", 10, "esmtp", "", "default"});
  sink.delivery(log::DeliveryRecord{t, "ID1", "", "c1", "example.com", 10, "", "default", 0, t, "192.0.2.1", false,
                                    {}, {}, {}, {}, {}});
  log::FailureRecord failure{t, "ID2", "", "c2", "example.com", 0, "", "default", 9, 1, t, "192.0.2.1", "451 later",
                             {}, {}, 0};
  log::BounceRecord bounce{t,         "ID2", "",  "c2", log::BounceKind::kTransient, "bob", "example.com", "alice",
                           "sender.example", "", "default", 9, 70, 10, "192.0.2.1", "451 later"};
  sink.transient(failure, bounce);
  failure.response = bounce.response = "550 no";
  bounce.kind = log::BounceKind::kBounce;
  bounce.classification = 40;
  sink.permanent(failure, bounce);
  sink.problem("ID3: something odd");
  (*main_file)->flush();
  (*bounce_file)->flush();

  EXPECT_EQ(slurp(dir.file("mainlog")),
            "1700000000@ID1@@@R@bob@example.com@alice@sender.example@198.51.100.7@10@esmtp@default@default\n"
            "1700000000@ID1@@c1@D@example.com@10@default@default@0@0@192.0.2.1\n"
            "1700000000@ID2@@c2@T@example.com@0@default@default@9@1@0@192.0.2.1@451 later\n"
            "1700000000@ID2@@c2@P@example.com@0@default@default@9@1@0@192.0.2.1@550 no\n");
  EXPECT_EQ(slurp(dir.file("bouncelog")),
            "1700000000@ID2@@c2@T@bob@example.com@alice@sender.example@default@default@9@70@10@192.0.2.1@451 later\n"
            "1700000000@ID2@@c2@B@bob@example.com@alice@sender.example@default@default@9@40@10@192.0.2.1@550 no\n");
  ASSERT_EQ(problems.seen.size(), 1u);
  EXPECT_EQ(problems.seen[0], "ID3: something odd");
}

}  // namespace
}  // namespace impulse::queue

// Unit tests for delivery/smtp/mta_sts_store.hpp: the cache file format,
// freshness by max_age, and files in a temporary directory (saved policies
// load back; corrupt files and odd domain names read as absent).
#include "delivery/smtp/mta_sts_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace impulse::delivery::smtp {
namespace {

const CachedMtaSts kCached{"20240101T000000", 1700000000,
                           {protocol::MtaStsMode::kEnforce, 86400, {"mx.example.com", "*.example.net"}}};

TEST(MtaStsCacheFormat, RoundTrips) {
  auto back = parse_cached_mta_sts(format_cached_mta_sts(kCached));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, kCached);
  EXPECT_FALSE(parse_cached_mta_sts("version: STSv1\nmode: none\nmax_age: 1\n"));
  EXPECT_FALSE(parse_cached_mta_sts("id: x\nfetched: soon\n\nversion: STSv1\nmode: none\nmax_age: 1\n"));
}

TEST(MtaStsCacheFormat, FreshForMaxAge) {
  EXPECT_TRUE(cached_mta_sts_fresh(kCached, 1700000000 + 86399));
  EXPECT_FALSE(cached_mta_sts_fresh(kCached, 1700000000 + 86400));
}

class MtaStsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("impulse-mta-sts-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(MtaStsStoreTest, SavedPolicyLoadsBackCaseInsensitively) {
  MtaStsStore store(dir_);
  ASSERT_TRUE(store.save("Example.COM", kCached));
  auto loaded = store.load("example.com");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, kCached);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "example.com.tmp"));
  EXPECT_FALSE(store.load("example.org"));
}

TEST_F(MtaStsStoreTest, CorruptFileReadsAsAbsent) {
  std::ofstream(dir_ / "broken.test") << "garbage";
  EXPECT_FALSE(MtaStsStore(dir_).load("broken.test"));
}

TEST_F(MtaStsStoreTest, RefusesPathLikeDomains) {
  MtaStsStore store(dir_);
  EXPECT_FALSE(store.save("../escape", kCached));
  EXPECT_FALSE(store.save("a/b", kCached));
  EXPECT_FALSE(store.load(".."));
}

}  // namespace
}  // namespace impulse::delivery::smtp

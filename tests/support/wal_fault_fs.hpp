// WalFaultFs: a RocksDB file system for unit tests whose write-ahead-log
// files (*.log) call `hook` before every Append, Sync and Fsync. The hook
// returns a non-OK IOStatus to fail the write (a full or broken disk), or
// blocks to make it hang; OK lets it through to the real file system.
//
//   std::atomic<bool> failing{false};
//   auto env = rocksdb::NewCompositeEnv(std::make_shared<WalFaultFs>([&] {
//     return failing ? rocksdb::IOStatus::NoSpace("test: disk full") : rocksdb::IOStatus::OK();
//   }));
//   ... open the database with env.get() ...
#pragma once

#include <rocksdb/file_system.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace impulse::testing {

class WalFaultFs final : public rocksdb::FileSystemWrapper {
 public:
  using Hook = std::function<rocksdb::IOStatus()>;
  explicit WalFaultFs(Hook hook)
      : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()), hook_(std::move(hook)) {}
  const char* Name() const override { return "WalFaultFs"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override {
    auto s = target()->NewWritableFile(name, options, file, dbg);
    if (s.ok() && name.ends_with(".log")) *file = std::make_unique<File>(std::move(*file), hook_);
    return s;
  }

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, const Hook& hook)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(f)), hook_(hook) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (auto s = hook_(); !s.ok()) return s;
      return target()->Append(data, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
      if (auto s = hook_(); !s.ok()) return s;
      return target()->Append(data, o, info, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (auto s = hook_(); !s.ok()) return s;
      return target()->Sync(o, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (auto s = hook_(); !s.ok()) return s;
      return target()->Fsync(o, dbg);
    }

   private:
    const Hook& hook_;  // the file system's, which outlives its files
  };
  Hook hook_;
};

}  // namespace impulse::testing

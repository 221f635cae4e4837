// RocksDbInfoLog: RocksDB's info log (the `LOG` file in the spool
// directory), written by Impulse instead of RocksDB's own file logger.
//
// Why: RocksDB's logger asserts on its second write after a failed one
// (WritableFileWriter::AssertFalseAndGetStatusForPrevError, compiled in by
// Debian's librocksdb), so a full spool disk aborted impulsed from inside a
// log call, even at start-up. This logger writes each line with one plain
// write(2) and drops what cannot be written (counted, never fatal, never
// retried), so the info log can never take the spool down.
//
// Rolling: when the file would pass max_bytes it is renamed to `LOG.old`
// (replacing an older one) and a new `LOG` is started: at most twice
// max_bytes on the spool disk. RocksDB's own LOG.old.<time> files from
// earlier versions are left alone.
//
// Leaves to others: what RocksDB logs (its info_log_level), the spool
// itself (spool/rocksdb_store.hpp).
// Threading: Logv may be called from any RocksDB thread at once (one mutex).
// Failure modes: none visible. A file that cannot be opened or written
// drops its lines; dropped_lines() says how many; writing resumes by itself
// (every line tries again) once the disk has room.
#pragma once

#include <rocksdb/env.h>

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace impulse::spool {

class RocksDbInfoLog final : public rocksdb::Logger {
 public:
  // `path` is the log file (e.g. SPOOL/LOG); it is created if missing and
  // appended to. Never fails: without a file, lines are dropped.
  RocksDbInfoLog(std::string path, std::size_t max_bytes,
                 rocksdb::InfoLogLevel level = rocksdb::InfoLogLevel::INFO_LEVEL);
  ~RocksDbInfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override;
  std::size_t GetLogFileSize() const override;

  std::uint64_t dropped_lines() const;

 protected:
  rocksdb::Status CloseImpl() override;

 private:
  void write_line(const std::string& line);  // mu_ held
  void roll();                               // mu_ held

  const std::string path_;
  const std::size_t max_bytes_;
  mutable std::mutex mu_;
  int fd_ = -1;
  std::size_t size_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace impulse::spool

// Helpers shared by the store's unit tests: temporary directories, helpers
// that damage files on purpose (leveldb log_test style), a scripted
// FaultInjector for the file I/O seam, and a power-loss model that keeps only
// what was fsynced.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/file_io.h"
#include "store/partition.h"
#include "store/partition_reader.h"
#include "store/recovery.h"
#include "store/status.h"
#include "store/store.h"

namespace topicfs::test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// Whole-file helpers; they fail the current test (ADD_FAILURE) on error.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, std::string_view bytes);
void AppendToFile(const std::string& path, std::string_view bytes);
bool FileExists(const std::string& path);
int64_t FileSize(const std::string& path);
void RemoveFile(const std::string& path);
void RemoveTree(const std::string& path);
// Sorted names in `dir` (no "." or "..").
std::vector<std::string> ListDir(const std::string& dir);

// Damage, on purpose.
void TruncateFile(const std::string& path, int64_t size);
void OverwriteAt(const std::string& path, int64_t pos, std::string_view bytes);
void FlipByte(const std::string& path, int64_t pos);

// "<prefix><i>\n" for i in [first, first+count), zero-padded so every record
// of one call has the same length when `width` > 0.
std::string MakeRecords(int64_t first, int64_t count, std::string_view prefix = "rec-",
                        int width = 8, char delim = '\n');
// Splits `data` at `delim`, keeping the delimiter on each record; a trailing
// partial record is returned as the last element.
std::vector<std::string> SplitRecords(std::string_view data, char delim = '\n');

// The big-endian bytes of an index entry, written out by hand for layout tests.
std::string HexBytes(std::string_view bytes);

// A FaultInjector driven by rules. Paths match by suffix (".log", ".index",
// "/00000000000000000000.log", or "" for every file). A rule fires on the
// `skip`-th matching call after it was added (0 = the next one) and, unless
// `sticky`, only once.
class ScriptedFaultInjector : public store::Env {
 public:
  // The write places `allowed` bytes (clamped to the length) and then fails with `err`.
  void FailWrite(std::string path_suffix, size_t allowed, int err, int skip = 0,
                 bool sticky = false);
  // fsync fails with `err`.
  void FailSync(std::string path_suffix, int err, int skip = 0, bool sticky = false);
  // Opening a segment or index file fails with `err`.
  void FailOpen(std::string path_suffix, int err, int skip = 0, bool sticky = false);
  void Clear();

  int writes() const;
  int syncs() const;
  int fired() const;

  size_t BeforeWrite(const std::string& path, size_t len, int* err) override;
  int BeforeSync(const std::string& path) override;
  int BeforeOpen(const std::string& path) override;

 private:
  struct Rule {
    std::string suffix;
    size_t allowed;
    int err;
    int skip;
    bool sticky;
  };
  // The errno of the first rule of `rules` that fires for `path`, or 0
  // (called with mu_ held).
  int Fire(std::vector<Rule>& rules, const std::string& path);
  mutable std::mutex mu_;
  std::vector<Rule> write_rules_;
  std::vector<Rule> sync_rules_;
  std::vector<Rule> open_rules_;
  int writes_ = 0;
  int syncs_ = 0;
  int fired_ = 0;
};

// The Env every store and descriptor cache of a test is opened with
// (OpenStore, and Store::Options::env where a test opens one itself): it
// lets everything through until a ScopedFaultInjector installs an injector,
// and then forwards the fault seam's hooks to it. The store holds no global;
// the tests share this one Env per process (ctest runs each test alone).
store::Env& TestEnv();

// Installs `injector` (an Env whose hooks fail I/O) into TestEnv() for the
// lifetime of the object.
class ScopedFaultInjector {
 public:
  explicit ScopedFaultInjector(store::Env* injector);
  ~ScopedFaultInjector();
  ScopedFaultInjector(const ScopedFaultInjector&) = delete;
  ScopedFaultInjector& operator=(const ScopedFaultInjector&) = delete;
};

// The power-loss model: every successful fsync of a file under `root` copies
// that file's bytes into a shadow tree; PowerLoss() then puts back, for every
// regular file under root/topics, the last synced bytes (or nothing, when the
// file was never synced). RocksDB's own files are left alone: RocksDB syncs
// its WAL itself, and a catalog newer than the files is one of the states
// recovery must handle.
class PowerLossInjector : public store::Env {
 public:
  PowerLossInjector(std::string root, std::string shadow);
  size_t BeforeWrite(const std::string& path, size_t len, int* err) override;
  int BeforeSync(const std::string& path) override;
  // syncfs makes every file of the store durable at once.
  int BeforeSyncFilesystem(const std::string& dir) override;
  // Call with the store closed (or its process gone).
  void PowerLoss() const;

 private:
  std::string root_;
  std::string shadow_;
};

// Store helpers. OpenStore fails the test (and returns null) on error.
// A non-empty `boot_id` stands in for the kernel's (a reboot, to the store).
std::unique_ptr<store::Store> OpenStore(const std::string& data_dir, bool full_recovery = false,
                                        store::RecoveryReporter* reporter = nullptr,
                                        const std::string& boot_id = "");
// A TopicConfig from "name=value" pairs; fails the test on a bad pair.
store::TopicConfig Config(std::initializer_list<std::pair<const char*, const char*>> values);
// Every byte of the partition from record `offset` to the log end, read
// through a PartitionReader.
std::string ReadFrom(const std::shared_ptr<store::Partition>& p, int64_t offset);
std::string ReadAll(const std::shared_ptr<store::Partition>& p);
// Appends whole records; fails the test unless every byte was taken.
void AppendOk(store::Partition& p, std::string_view records, int64_t now_ms);
// The partition directory of a topic inside a data directory.
std::string PartitionDir(const std::string& data_dir, std::string_view topic, int p);
// The segment files of a partition directory, by kind.
std::vector<std::string> LogFiles(const std::string& partition_dir);

// Collects what recovery reports.
class CollectingReporter : public store::RecoveryReporter {
 public:
  struct CutEntry {
    std::string path;
    int64_t bytes;
    std::string why;
  };
  void Cut(const std::string& path, int64_t bytes, std::string_view why) override {
    std::lock_guard<std::mutex> l(mu_);
    cuts_.push_back({path, bytes, std::string(why)});
  }
  std::vector<CutEntry> cuts() const {
    std::lock_guard<std::mutex> l(mu_);
    return cuts_;
  }
  void Scanned(const std::string& log_path) override {
    std::lock_guard<std::mutex> l(mu_);
    scanned_.push_back(log_path);
  }
  std::vector<std::string> scanned() const {
    std::lock_guard<std::mutex> l(mu_);
    return scanned_;
  }
  // Bytes reported cut from `path`.
  int64_t BytesCut(const std::string& path) const;

 private:
  mutable std::mutex mu_;
  std::vector<CutEntry> cuts_;
  std::vector<std::string> scanned_;
};

// Runs `body` in a forked child that ends with _exit (no destructors, no
// clean close: a crash as far as the store can tell). Returns the exit code;
// the child exits 0 when `body` returns true, 1 when false, 2 on exception.
// Call with no store open in this process.
int RunInChild(const std::function<bool()>& body);

}  // namespace topicfs::test

// Recovery (DESIGN §4): the pure scanner, and LoadPartition through
// Store::Open after damage done on purpose: torn tails at every byte, garbage
// and NUL runs, indexes missing, truncated, out of order or pointing past the
// data, a lost or stale meta/, segments removed behind the store's back, a
// killed process (the same kernel boot: every acknowledged byte is kept), and
// the power-loss model (a new boot: only what was fsynced survives).
#include "store/recovery.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/boot_id.h"
#include "store/names.h"
#include "store/store.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

namespace fs = std::filesystem;
using test::AppendOk;
using test::CollectingReporter;
using test::Config;
using test::MakeRecords;
using test::ReadAll;
using test::ReadFile;
using test::SplitRecords;

constexpr int64_t kT0 = 1'700'000'000'000;

// ---------------------------------------------------------------- ScanLog

TEST(ScanLogTest, WholeRecordsAreKept) {
  LogScan scan = ScanLog("a\nbb\n\nccc\n", '\n');
  EXPECT_EQ(scan.valid_bytes, 10);
  EXPECT_EQ(scan.records, 4);
  EXPECT_TRUE(scan.cut_reason.empty());
  LogScan empty = ScanLog("", '\n');
  EXPECT_EQ(empty.valid_bytes, 0);
  EXPECT_EQ(empty.records, 0);
  EXPECT_TRUE(empty.cut_reason.empty());
}

TEST(ScanLogTest, TornTailAtEveryBytePositionOfTheLastRecordIsCut) {
  const std::string whole = MakeRecords(0, 5);
  const std::string last = "the-last-record\n";
  for (size_t k = 0; k <= last.size(); ++k) {
    LogScan scan = ScanLog(whole + last.substr(0, k), '\n');
    if (k < last.size()) {
      EXPECT_EQ(scan.valid_bytes, static_cast<int64_t>(whole.size())) << k;
      EXPECT_EQ(scan.records, 5) << k;
      EXPECT_EQ(scan.cut_reason.empty(), k == 0) << k;
    } else {
      EXPECT_EQ(scan.valid_bytes, static_cast<int64_t>(whole.size() + last.size()));
      EXPECT_EQ(scan.records, 6);
    }
  }
}

TEST(ScanLogTest, GarbageAfterTheLastRecordIsCut) {
  const std::string whole = MakeRecords(0, 3);
  LogScan scan = ScanLog(whole + "\x01\x02garbage with no end", '\n');
  EXPECT_EQ(scan.valid_bytes, static_cast<int64_t>(whole.size()));
  EXPECT_EQ(scan.records, 3);
  EXPECT_FALSE(scan.cut_reason.empty());
}

TEST(ScanLogTest, NulRunAtTheTailIsCut) {
  const std::string whole = MakeRecords(0, 3);
  for (const std::string& tail : {std::string(4096, '\0'), std::string(100, '\0') + "\n",
                                  std::string(10, '\0') + "\n" + MakeRecords(3, 2)}) {
    LogScan scan = ScanLog(whole + tail, '\n');
    EXPECT_EQ(scan.valid_bytes, static_cast<int64_t>(whole.size())) << tail.size();
    EXPECT_EQ(scan.records, 3);
    EXPECT_FALSE(scan.cut_reason.empty());
  }
  LogScan only_nul = ScanLog(std::string(512, '\0'), '\n');
  EXPECT_EQ(only_nul.valid_bytes, 0);
  EXPECT_EQ(only_nul.records, 0);
}

// recovery.h: "In a newline topic a record holding a NUL byte starts the
// garbage (a NUL run from a crash)": zero-filled blocks need not start at a
// record boundary.
TEST(ScanLogTest, RecordHoldingANulRunStartsTheGarbage) {
  const std::string whole = MakeRecords(0, 3);
  std::string damaged = whole + "rec-0000" + std::string(512, '\0') + "0003\n" + MakeRecords(4, 2);
  LogScan scan = ScanLog(damaged, '\n');
  EXPECT_EQ(scan.valid_bytes, static_cast<int64_t>(whole.size()));
  EXPECT_EQ(scan.records, 3);
}

TEST(ScanLogTest, NulDelimitedTopicCutsOnlyTheTornTail) {
  std::string data("a\nb\0\0c\0d", 8);  // records "a\nb\0", "\0", "c\0", partial "d"
  LogScan scan = ScanLog(data, '\0');
  EXPECT_EQ(scan.valid_bytes, 7);
  EXPECT_EQ(scan.records, 3);
}

// DESIGN §4: while the machine has not restarted, the page cache holds every
// acknowledged byte; NULs are record bytes and only a partial last record goes.
TEST(ScanLogTest, SameBootKeepsNulRunsAndCutsOnlyAfterTheLastDelimiter) {
  const std::string nul_record = "b" + std::string(kNulRunBytes * 4, '\0') + "c\n";
  const std::string whole = "a\n" + nul_record + std::string(64, '\0') + "\n" + "d\ne\n";
  for (int64_t trusted : {0, 1, 5}) {
    LogScan kept = ScanLog(whole, '\n', trusted, TailTrust::kSameBoot);
    EXPECT_EQ(kept.valid_bytes, static_cast<int64_t>(whole.size())) << trusted;
    EXPECT_EQ(kept.records, 5);
    EXPECT_TRUE(kept.cut_reason.empty());
  }
  LogScan torn = ScanLog(whole + std::string(4096, '\0'), '\n', 0, TailTrust::kSameBoot);
  EXPECT_EQ(torn.valid_bytes, static_cast<int64_t>(whole.size()));
  EXPECT_EQ(torn.records, 5);
  EXPECT_FALSE(torn.cut_reason.empty());
  // The same bytes after a new boot: the NUL-bearing record starts the loss.
  LogScan rebooted = ScanLog(whole, '\n', 1, TailTrust::kNewBoot);
  EXPECT_EQ(rebooted.valid_bytes, 2);
  EXPECT_EQ(rebooted.records, 1);
}

// Whatever the bytes, the scan keeps a prefix of whole records.
TEST(ScanLogTest, InvariantsHoldOnRandomData) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 3000; ++round) {
    const char delim = round % 3 == 0 ? '\0' : '\n';
    std::string data(rng() % 300, '\0');
    for (char& c : data) {
      unsigned r = rng() % 16;
      c = r == 0 ? '\n' : r == 1 ? '\0' : static_cast<char>('a' + r);
    }
    LogScan scan = ScanLog(data, delim);
    ASSERT_GE(scan.valid_bytes, 0);
    ASSERT_LE(scan.valid_bytes, static_cast<int64_t>(data.size()));
    if (scan.valid_bytes > 0) {
      ASSERT_EQ(data[scan.valid_bytes - 1], delim);
    }
    ASSERT_EQ(scan.records, std::count(data.begin(), data.begin() + scan.valid_bytes, delim));
    ASSERT_EQ(scan.cut_reason.empty(), scan.valid_bytes == static_cast<int64_t>(data.size()));
  }
}

// ---------------------------------------------------------- Store-level

class RecoveryTest : public ::testing::Test {
 protected:
  std::string data() const { return dir_.Sub("data"); }
  std::string pdir(int p = 0, const char* topic = "t") const {
    return test::PartitionDir(data(), topic, p);
  }
  std::string Marker() const { return data() + "/clean-shutdown"; }
  void MakeUnclean() {
    if (test::FileExists(Marker())) test::RemoveFile(Marker());
  }

  // Creates topic t (one partition) holding `n` 13-byte records appended one
  // batch of `batch` at a time, then closes cleanly. Returns the log bytes.
  std::string Populate(int64_t n, const TopicConfig& config, int64_t batch = 7) {
    auto store = test::OpenStore(data());
    if (!store) return "";
    EXPECT_TRUE(store->CreateTopic("t", 1, config).ok());
    auto p = store->FindPartition("t", 0);
    std::string log;
    for (int64_t i = 0; i < n; i += batch) {
      std::string recs = MakeRecords(i, std::min(batch, n - i));
      AppendOk(*p, recs, kT0 + i);
      log += recs;
    }
    EXPECT_TRUE(store->Close().ok());
    return log;
  }
  // Like Populate, but the process "crashes" after appending: nothing is
  // flushed, so every record lies above the recovery point.
  std::string PopulateUnflushed(int64_t n, const TopicConfig& config, int64_t batch = 7) {
    std::string log;
    for (int64_t i = 0; i < n; i += batch) log += MakeRecords(i, std::min(batch, n - i));
    int code = test::RunInChild([&] {
      auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
      if (!opened.ok()) return false;
      Store* store = opened->release();
      if (!store->CreateTopic("t", 1, config).ok()) return false;
      auto p = store->FindPartition("t", 0);
      for (int64_t i = 0; i < n; i += batch) {
        std::string recs = MakeRecords(i, std::min(batch, n - i));
        if (p->Append(recs, {}, kT0 + i).bytes != recs.size()) return false;
      }
      return true;
    });
    EXPECT_EQ(code, 0);
    return log;
  }
  static TopicConfig SmallSegments() {
    return Config({{"segment.bytes", "500"}, {"index.interval.bytes", "60"}});
  }

  // Opens as the daemon does after kill -9: the same kernel boot.
  std::unique_ptr<Store> Reopen(bool full = false) {
    reporter_ = std::make_unique<CollectingReporter>();
    return test::OpenStore(data(), full, reporter_.get());
  }
  // Opens as after an operating-system crash or power loss: a new boot id.
  std::unique_ptr<Store> ReopenAfterReboot() {
    reporter_ = std::make_unique<CollectingReporter>();
    return test::OpenStore(data(), false, reporter_.get(), "boot-" + std::to_string(++boots_));
  }

  // Checks the reopened store holds exactly `log`, verifies clean, and takes
  // a new record at the end.
  void ExpectIntact(Store& store, const std::string& log) {
    auto p = store.FindPartition("t", 0);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(ReadAll(p), log);
    EXPECT_EQ(p->log_end_offset() - p->log_start_offset(),
              static_cast<int64_t>(SplitRecords(log).size()));
    for (const VerifyProblem& problem : store.Verify()) {
      ADD_FAILURE() << "verify: " << problem.path << ": " << problem.what;
    }
    AppendOk(*p, "one-more\n", NowMs());
    EXPECT_EQ(ReadAll(p), log + "one-more\n");
  }

  std::vector<std::string> Logs() const { return test::LogFiles(pdir()); }
  static std::string IndexOf(const std::string& log_path) {
    return log_path.substr(0, log_path.size() - 4) + ".index";
  }
  static std::string TimeIndexOf(const std::string& log_path) {
    return log_path.substr(0, log_path.size() - 4) + ".timeindex";
  }

  test::TempDir dir_;
  std::unique_ptr<CollectingReporter> reporter_;
  int boots_ = 0;
};

TEST_F(RecoveryTest, CleanCloseLeavesAMarkerThatTheNextOpenConsumes) {
  Populate(10, TopicConfig());
  EXPECT_TRUE(test::FileExists(Marker()));
  {
    auto store = Reopen();
    ASSERT_NE(store, nullptr);
    EXPECT_FALSE(store->recovered());
    EXPECT_FALSE(test::FileExists(Marker()));  // a crash from here on is unclean
    EXPECT_TRUE(reporter_->cuts().empty());
  }
  EXPECT_TRUE(test::FileExists(Marker()));
  MakeUnclean();
  auto store = Reopen();
  EXPECT_TRUE(store->recovered());
}

// With the marker the catalog is trusted and nothing is scanned: damage that
// keeps the size is not even seen.
TEST_F(RecoveryTest, CleanOpenDoesNotScan) {
  Populate(20, TopicConfig());
  const std::string path = Logs().back();
  test::OverwriteAt(path, 13 * 15, std::string(13, '\0'));  // record 15 becomes zero fill
  auto store = Reopen();
  EXPECT_EQ(store->FindPartition("t", 0)->log_end_offset(), 20);
  EXPECT_TRUE(reporter_->cuts().empty());
}

// After an operating-system crash (a new boot), zero fill where unflushed
// records should be is cut, with everything after it.
TEST_F(RecoveryTest, ZeroFillInTheUnflushedTailIsCutAfterANewBoot) {
  const std::string log = PopulateUnflushed(20, TopicConfig());
  const std::string path = Logs().back();
  test::OverwriteAt(path, 13 * 15, std::string(13, '\0'));
  auto store = ReopenAfterReboot();
  EXPECT_TRUE(store->recovered());
  EXPECT_EQ(store->FindPartition("t", 0)->log_end_offset(), 15);
  EXPECT_EQ(reporter_->BytesCut(path), 13 * 5);
  ExpectIntact(*store, log.substr(0, 13 * 15));
}

TEST_F(RecoveryTest, TornTailAtEveryBytePositionOfTheLastRecordIsCut) {
  const std::string log = Populate(60, SmallSegments());
  const std::string pristine = dir_.Sub("pristine");
  fs::copy(data(), pristine, fs::copy_options::recursive);
  const std::string last = "rec-00000060\n";
  for (size_t k = 1; k < last.size(); ++k) {
    SCOPED_TRACE(k);
    test::RemoveTree(data());
    fs::copy(pristine, data(), fs::copy_options::recursive);
    const std::string active = Logs().back();
    test::AppendToFile(active, last.substr(0, k));
    MakeUnclean();
    auto store = Reopen();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(reporter_->BytesCut(active), static_cast<int64_t>(k));
    EXPECT_EQ(store->FindPartition("t", 0)->log_end_offset(), 60);
    ExpectIntact(*store, log);
  }
}

// Kafka LogSegmentTest.testRecoveryWithCorruptMessage: zero fill at a random
// place of the unflushed segment; recovery keeps exactly the records before
// the one it hits.
TEST_F(RecoveryTest, NulCorruptionAtARandomPlaceKeepsExactlyTheRecordsBeforeIt) {
  const std::string log = PopulateUnflushed(30, TopicConfig());  // one segment, 13-byte records
  const std::string pristine = dir_.Sub("pristine");
  fs::copy(data(), pristine, fs::copy_options::recursive);
  std::mt19937 rng(29);
  for (int round = 0; round < 8; ++round) {
    test::RemoveTree(data());
    fs::copy(pristine, data(), fs::copy_options::recursive);
    // A run of zeros (a crash leaves them in blocks; single NUL bytes are
    // record content), long enough to count as one.
    const int64_t len = 16 + static_cast<int64_t>(rng() % 40);
    const int64_t at = static_cast<int64_t>(rng() % (log.size() - len));
    const std::string path = Logs().back();
    test::OverwriteAt(path, at, std::string(len, '\0'));
    auto store = ReopenAfterReboot();
    SCOPED_TRACE("zeros at " + std::to_string(at));
    const int64_t kept = at / 13;  // the record holding byte `at` and all after it go
    EXPECT_EQ(store->FindPartition("t", 0)->log_end_offset(), kept);
    ExpectIntact(*store, log.substr(0, 13 * kept));
  }
}

// A crash during or right after recovery: the next recovery finds the same
// records.
TEST_F(RecoveryTest, RecoveryIsIdempotent) {
  const std::string log = Populate(100, SmallSegments());
  test::AppendToFile(Logs().back(), "torn-tai");
  test::RemoveFile(IndexOf(Logs()[1]));
  MakeUnclean();
  int code = test::RunInChild([&] {
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    (void)opened->release();  // recovered, then "crashed" without a close
    return true;
  });
  ASSERT_EQ(code, 0);
  EXPECT_FALSE(test::FileExists(Marker()));
  auto store = Reopen();
  ExpectIntact(*store, log);
}

// Recovery that cannot write (disk full) fails the open and changes no
// record; once space returns it completes.
TEST_F(RecoveryTest, RecoveryOnAFullDiskFailsCleanlyAndLaterSucceeds) {
  const std::string log = Populate(100, SmallSegments());
  test::AppendToFile(Logs().back(), "torn");
  test::RemoveFile(IndexOf(Logs()[0]));
  MakeUnclean();
  {
    test::ScriptedFaultInjector faults;
    test::ScopedFaultInjector install(&faults);
    faults.FailWrite("", 0, ENOSPC, 0, /*sticky=*/true);
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (opened.ok()) {
      // An open that succeeds anyway must still hold every record.
      EXPECT_EQ(ReadAll((*opened)->FindPartition("t", 0)), log);
      opened->reset();
    }
  }
  auto store = Reopen();
  ExpectIntact(*store, log);
}

TEST_F(RecoveryTest, TornTailIsCutEvenWithTheCleanMarker) {
  const std::string log = Populate(30, SmallSegments());
  test::AppendToFile(Logs().back(), "partial");
  auto store = Reopen();
  ExpectIntact(*store, log);
}

TEST_F(RecoveryTest, GarbageAndNulRunsAtTheTailAreCut) {
  const std::string log = Populate(30, SmallSegments());
  const std::string pristine = dir_.Sub("pristine");
  fs::copy(data(), pristine, fs::copy_options::recursive);
  const std::string nul_record = std::string(64, '\0') + "\n";
  for (const std::string& tail :
       {std::string("\x7f\x45garbage"), std::string(4096, '\0'), nul_record}) {
    for (bool reboot : {false, true}) {
      SCOPED_TRACE(testing::Message() << tail.size() << (reboot ? " new boot" : " same boot"));
      test::RemoveTree(data());
      fs::copy(pristine, data(), fs::copy_options::recursive);
      test::AppendToFile(Logs().back(), tail);
      MakeUnclean();
      auto store = reboot ? ReopenAfterReboot() : Reopen();
      // In the same boot a whole record of NULs is a record a writer sent.
      const bool kept = !reboot && tail == nul_record;
      EXPECT_EQ(reporter_->BytesCut(Logs().back()), kept ? 0 : static_cast<int64_t>(tail.size()));
      ExpectIntact(*store, kept ? log + tail : log);
    }
  }
}

// Every kind of index damage DESIGN §4 lists, in a sealed segment below the
// recovery point (trusted by the catalog) and in the active segment; the
// rebuilt .index is byte for byte the one the appends wrote.
struct IndexDamage {
  const char* name;
  void (*damage)(const std::string& path);
};
const IndexDamage kIndexDamages[] = {
    {"missing", [](const std::string& p) { test::RemoveFile(p); }},
    {"not a multiple of 8", [](const std::string& p) { test::AppendToFile(p, "\x01\x02\x03"); }},
    {"not increasing",
     [](const std::string& p) {
       std::string b = ReadFile(p);
       std::string swapped = b.substr(8, 8) + b.substr(0, 8) + b.substr(16);
       test::WriteFile(p, swapped);
     }},
    {"pointing past the data",
     [](const std::string& p) {
       test::AppendToFile(p, std::string("\x00\x00\x7f\x00\x00\x7f\x00\x00", 8));
     }},
    {"garbage", [](const std::string& p) { test::WriteFile(p, std::string(64, '\xee')); }},
};

TEST_F(RecoveryTest, DamagedOffsetIndexesAreRebuilt) {
  const std::string log = Populate(200, SmallSegments());
  const std::string pristine = dir_.Sub("pristine");
  fs::copy(data(), pristine, fs::copy_options::recursive);
  for (const IndexDamage& d : kIndexDamages) {
    for (bool clean : {true, false}) {
      for (size_t which : {size_t{0}, size_t{2}, size_t{99}}) {  // 99: the active segment
        SCOPED_TRACE(std::string(d.name) + (clean ? " clean" : " unclean") + " segment " +
                     std::to_string(which));
        test::RemoveTree(data());
        fs::copy(pristine, data(), fs::copy_options::recursive);
        std::vector<std::string> logs = Logs();
        const std::string target = IndexOf(logs[std::min(which, logs.size() - 1)]);
        const std::string want = ReadFile(target);
        if (want.size() < 16) continue;  // too few entries to damage this way
        d.damage(target);
        if (!clean) MakeUnclean();
        auto store = Reopen();
        ASSERT_NE(store, nullptr);
        // A sealed segment's indexes are checked by the first lookup through
        // them (index_check_test.cc), the active one's at open.
        auto p = store->FindPartition("t", 0);
        for (int64_t o = 0; o < 200; o += 5) ASSERT_TRUE(p->LocateOffset(o).ok());
        EXPECT_EQ(ReadFile(target), want) << "index not rebuilt";
        ExpectIntact(*store, log);
      }
    }
  }
}

const IndexDamage kTimeIndexDamages[] = {
    {"missing", [](const std::string& p) { test::RemoveFile(p); }},
    {"not a multiple of 12", [](const std::string& p) { test::AppendToFile(p, "\x01\x02"); }},
    {"decreasing",
     [](const std::string& p) {
       std::string b = ReadFile(p);
       test::WriteFile(p, b.substr(12, 12) + b.substr(0, 12) + b.substr(24));
     }},
    {"pointing past the data",
     [](const std::string& p) {
       test::AppendToFile(p, std::string("\x7f\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\x00", 12));
     }},
};

TEST_F(RecoveryTest, DamagedTimeIndexesAreRebuilt) {
  const std::string log = Populate(200, SmallSegments());
  const std::string pristine = dir_.Sub("pristine");
  fs::copy(data(), pristine, fs::copy_options::recursive);
  for (const IndexDamage& d : kTimeIndexDamages) {
    for (size_t which : {size_t{1}, size_t{99}}) {
      SCOPED_TRACE(std::string(d.name) + " segment " + std::to_string(which));
      test::RemoveTree(data());
      fs::copy(pristine, data(), fs::copy_options::recursive);
      std::vector<std::string> logs = Logs();
      const std::string log_path = logs[std::min(which, logs.size() - 1)];
      const std::string target = TimeIndexOf(log_path);
      if (ReadFile(target).size() < 24) continue;
      d.damage(target);
      MakeUnclean();
      auto store = Reopen();
      ASSERT_NE(store, nullptr);
      auto p = store->FindPartition("t", 0);
      auto seg =
          p->FindSegment(ParseSegmentFileName(fs::path(log_path).filename().string())->base_offset);
      ASSERT_NE(seg, nullptr);
      // Rebuilt times may be later than the real ones, never earlier: a
      // lookup may start early, never late. A sealed segment's time index is
      // checked by the first of these lookups that uses it.
      for (int64_t t = kT0; t < kT0 + 200; t += 3) {
        auto got = p->LocateTime(t);
        ASSERT_TRUE(got.ok());
        const int64_t want = ((t - kT0) + 6) / 7 * 7;  // batches of 7 appended at kT0 + i
        EXPECT_LE(got->offset, std::min<int64_t>(want, 200)) << t - kT0;
      }
      std::string rebuilt = ReadFile(target);
      EXPECT_TRUE(TimeIndex::Check(rebuilt, seg->base_offset(), seg->next_offset()).ok());
      ExpectIntact(*store, log);
    }
  }
}

// An entry that passes the cheap checks but points inside a record is found
// by Verify, and a full recovery rebuilds the index.
TEST_F(RecoveryTest, IndexEntryInsideARecordIsReportedAndFullRecoveryFixesIt) {
  const std::string log = Populate(200, SmallSegments());
  const std::string target = IndexOf(Logs()[1]);
  const std::string want = ReadFile(target);
  ASSERT_GE(want.size(), 8u);
  std::string bad = want;
  bad[7] = static_cast<char>(bad[7] + 1);  // position one byte into the record
  test::WriteFile(target, bad);
  {
    auto store = Reopen();
    bool reported = false;
    for (const VerifyProblem& problem : store->Verify()) reported |= problem.path == target;
    EXPECT_TRUE(reported) << "Verify did not name " << target;
  }
  auto store = Reopen(/*full=*/true);
  EXPECT_EQ(ReadFile(target), want);
  ExpectIntact(*store, log);
}

TEST_F(RecoveryTest, IndexWithoutItsLogIsRemoved) {
  const std::string log = Populate(20, TopicConfig());
  const std::string orphan = pdir() + "/00000000000000000500.index";
  test::WriteFile(orphan, std::string(8, '\0'));
  test::WriteFile(pdir() + "/00000000000000000500.timeindex", "");
  MakeUnclean();
  auto store = Reopen();
  EXPECT_FALSE(test::FileExists(orphan));
  ExpectIntact(*store, log);
}

TEST_F(RecoveryTest, DeletedMetaIsRebuiltFromTheFiles) {
  std::string logs[3];
  std::string nul_log;
  {
    auto store = test::OpenStore(data());
    ASSERT_TRUE(store->CreateTopic("t", 3, SmallSegments()).ok());
    ASSERT_TRUE(store->CreateTopic("z", 1, Config({{"record.delimiter", "nul"}})).ok());
    for (int p = 0; p < 3; ++p) {
      for (int i = 0; i < 40 * (p + 1); i += 5) {
        std::string recs = MakeRecords(i, 5, "p" + std::to_string(p) + "-");
        AppendOk(*store->FindPartition("t", p), recs, kT0 + i);
        logs[p] += recs;
      }
    }
    nul_log = MakeRecords(0, 10, "z", 3, '\0');
    AppendOk(*store->FindPartition("z", 0), nul_log, kT0);
  }
  test::RemoveTree(data() + "/meta");
  for (bool second_open : {false, true}) {
    SCOPED_TRACE(second_open ? "after a clean reopen" : "first open without meta/");
    auto store = Reopen();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->ListTopics(), (std::vector<std::string>{"t", "z"}));
    ASSERT_EQ(store->FindTopic("t")->partition_count(), 3);
    for (int p = 0; p < 3; ++p) {
      EXPECT_EQ(ReadAll(store->FindPartition("t", p)), logs[p]) << p;
      EXPECT_EQ(store->FindPartition("t", p)->log_end_offset(), 40 * (p + 1));
    }
    auto z = store->FindPartition("z", 0);
    EXPECT_EQ(z->delimiter(), '\0');
    EXPECT_EQ(z->log_end_offset(), 10);
    EXPECT_EQ(ReadAll(z), nul_log);
    EXPECT_TRUE(store->Verify().empty());
  }
}

// A topic's config overrides are kept on its directory too, so a rebuild of
// meta/ gives them back: a topic kept forever must not come back with the
// default 7-day retention and lose its old segments at the next check.
TEST_F(RecoveryTest, DeletedMetaGivesBackEveryConfigOverride) {
  {
    auto store = test::OpenStore(data());
    ASSERT_TRUE(store
                    ->CreateTopic("t", 2,
                                  Config({{"retention.ms", "-1"},
                                          {"segment.bytes", "500"},
                                          {"record.delimiter", "nul"}}))
                    .ok());
    ASSERT_TRUE(store->SetTopicConfig("t", "retention.bytes", "1G").ok());
    ASSERT_TRUE(store->UnsetTopicConfig("t", "segment.bytes").ok());
    ASSERT_TRUE(store->Close().ok());
  }
  test::RemoveTree(data() + "/meta");
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  auto topic = store->FindTopic("t");
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(topic->config().Serialize(),
            Config({{"retention.ms", "-1"}, {"retention.bytes", "1G"}, {"record.delimiter", "nul"}})
                .Serialize());
  EXPECT_EQ(topic->partition_count(), 2);
}

// Without meta/ the delimiter is inferred from the files; a nul topic whose
// partition 0 never got a record must not have its other partitions scanned
// as newline-delimited (which would cut every record as garbage).
TEST_F(RecoveryTest, DeletedMetaOfANulTopicWithAnEmptyPartitionZeroKeepsItsRecords) {
  const std::string recs = MakeRecords(0, 20, "z", 3, '\0');
  {
    auto store = test::OpenStore(data());
    ASSERT_TRUE(store->CreateTopic("z", 2, Config({{"record.delimiter", "nul"}})).ok());
    AppendOk(*store->FindPartition("z", 1), recs, kT0);
  }
  test::RemoveTree(data() + "/meta");
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  auto p1 = store->FindPartition("z", 1);
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(p1->delimiter(), '\0');
  EXPECT_EQ(p1->log_end_offset(), 20);
  EXPECT_EQ(ReadAll(p1), recs);
  EXPECT_EQ(ReadFile(test::LogFiles(test::PartitionDir(data(), "z", 1)).front()), recs)
      << "records were cut from the file";
}

// A meta/ from an earlier moment (restored from a backup, or RocksDB losing
// its unsynced tail): the files are the truth.
TEST_F(RecoveryTest, StaleMetaIsBroughtInLineWithTheFiles) {
  std::string log = Populate(50, SmallSegments());
  fs::copy(data() + "/meta", dir_.Sub("old-meta"), fs::copy_options::recursive);
  {
    auto store = Reopen();
    auto p = store->FindPartition("t", 0);
    std::string more = MakeRecords(50, 150);
    AppendOk(*p, more, kT0 + 100);
    log += more;
  }
  test::RemoveTree(data() + "/meta");
  fs::copy(dir_.Sub("old-meta"), data() + "/meta", fs::copy_options::recursive);
  MakeUnclean();
  auto store = Reopen();
  ExpectIntact(*store, log);
}

// The other way round: segment files restored from an older backup under a
// newer meta/. The log start the catalog holds wins; the files decide the end.
TEST_F(RecoveryTest, FilesOlderThanTheMetaAreBroughtInLine) {
  const std::string log = Populate(100, SmallSegments());
  fs::copy(data() + "/topics", dir_.Sub("old-topics"), fs::copy_options::recursive);
  int64_t start;
  {
    auto store = Reopen();
    auto p = store->FindPartition("t", 0);
    AppendOk(*p, MakeRecords(100, 100), kT0 + 100);
    ASSERT_TRUE(p->TrimSegment(0).ok());
    ASSERT_TRUE(p->TrimSegment(p->log_start_offset()).ok());
    start = p->log_start_offset();
    ASSERT_LT(start, 100);
  }
  test::RemoveTree(data() + "/topics");
  fs::copy(dir_.Sub("old-topics"), data() + "/topics", fs::copy_options::recursive);
  MakeUnclean();
  auto store = Reopen();
  auto p = store->FindPartition("t", 0);
  EXPECT_EQ(p->log_start_offset(), start);
  EXPECT_EQ(p->log_end_offset(), 100);
  ExpectIntact(*store, log.substr(13 * start));
}

TEST_F(RecoveryTest, OldestSegmentRemovedBehindTheStoresBack) {
  const std::string log = Populate(200, SmallSegments());
  std::vector<std::string> logs = Logs();
  ASSERT_GT(logs.size(), 3u);
  const int64_t second_base =
      ParseSegmentFileName(fs::path(logs[1]).filename().string())->base_offset;
  test::RemoveFile(logs[0]);
  test::RemoveFile(IndexOf(logs[0]));
  test::RemoveFile(TimeIndexOf(logs[0]));
  for (bool clean : {true, false}) {
    if (!clean) MakeUnclean();
    auto store = Reopen();
    auto p = store->FindPartition("t", 0);
    EXPECT_EQ(p->log_start_offset(), second_base);
    EXPECT_EQ(ReadAll(p), log.substr(13 * second_base));
    EXPECT_TRUE(p->LocateOffset(0).status().Is(Code::kOutOfRange));
    EXPECT_TRUE(store->Verify().empty());
  }
}

// A stray .log whose base falls inside the previous segment (a file put
// back by hand) must not cost the real segments after it: it is moved aside.
TEST_F(RecoveryTest, StrayOverlappingLogIsMovedAsideAndTheRealSegmentsStay) {
  const std::string log = Populate(200, SmallSegments());
  std::vector<std::string> logs = Logs();
  ASSERT_GT(logs.size(), 3u);
  const int64_t base2 = ParseSegmentFileName(fs::path(logs[2]).filename().string())->base_offset;
  const std::string stray =
      test::PartitionDir(data(), "t", 0) + "/" + SegmentFilePrefix(base2 - 1) + ".log";
  test::WriteFile(stray, "torn");
  auto store = Reopen(/*full=*/true);
  ASSERT_NE(store, nullptr);
  auto p = store->FindPartition("t", 0);
  EXPECT_EQ(ReadAll(p), log);
  EXPECT_EQ(p->log_end_offset(), 200);
  EXPECT_FALSE(test::FileExists(stray));
  EXPECT_TRUE(test::FileExists(stray + ".overlap"));
  EXPECT_TRUE(store->Verify().empty());
}

TEST_F(RecoveryTest, MiddleSegmentRemovedBehindTheStoresBack) {
  const std::string log = Populate(200, SmallSegments());
  std::vector<std::string> logs = Logs();
  ASSERT_GT(logs.size(), 3u);
  auto base_of = [](const std::string& path) {
    return ParseSegmentFileName(fs::path(path).filename().string())->base_offset;
  };
  const int64_t gap_from = base_of(logs[1]), gap_to = base_of(logs[2]);
  test::RemoveFile(logs[1]);
  MakeUnclean();
  auto store = Reopen();
  auto p = store->FindPartition("t", 0);
  EXPECT_FALSE(test::FileExists(IndexOf(logs[1])));  // its orphaned indexes went too
  // Reads skip the gap, as Kafka reads across one.
  EXPECT_EQ(ReadAll(p), log.substr(0, 13 * gap_from) + log.substr(13 * gap_to));
  auto in_gap = p->LocateOffset(gap_from + 1);
  ASSERT_TRUE(in_gap.ok());
  EXPECT_EQ(in_gap->segment->base_offset(), gap_to);
  EXPECT_EQ(in_gap->position, 0);
  // Verify names the jump.
  bool reported = false;
  for (const VerifyProblem& problem : store->Verify()) reported |= problem.path == logs[2];
  EXPECT_TRUE(reported);
  AppendOk(*p, "more\n", kT0);
  EXPECT_EQ(p->log_end_offset(), 201);
}

// A sealed segment damaged behind the store's back (cut short in the
// middle of a record) loses only its own records from the cut on: the
// segments after it were whole, and flushed, so they keep every record,
// after a gap in offsets, whether or not the machine restarted.
TEST_F(RecoveryTest, ADamagedSealedSegmentLosesOnlyItsOwnRecords) {
  for (bool reboot : {false, true}) {
    SCOPED_TRACE(reboot ? "after a reboot" : "in the same boot");
    test::RemoveTree(data());
    const std::string log = Populate(200, SmallSegments());
    std::vector<std::string> logs = Logs();
    ASSERT_GT(logs.size(), 3u);
    auto base_of = [](const std::string& path) {
      return ParseSegmentFileName(fs::path(path).filename().string())->base_offset;
    };
    const int64_t damaged = base_of(logs[1]), next = base_of(logs[2]);
    fs::resize_file(logs[1], 13 * 3 + 5);  // three records and part of a fourth
    auto store = reboot ? ReopenAfterReboot() : Reopen();
    ASSERT_NE(store, nullptr);
    auto p = store->FindPartition("t", 0);
    EXPECT_EQ(ReadAll(p), log.substr(0, 13 * (damaged + 3)) + log.substr(13 * next));
    EXPECT_EQ(p->log_end_offset(), 200);
    EXPECT_EQ(Logs().size(), logs.size()) << "no segment after the damaged one was removed";
    AppendOk(*p, "more\n", kT0);
    EXPECT_EQ(p->log_end_offset(), 201);
  }
}

// With meta/ lost, a segment's newest time comes from its .timeindex and
// its file's mtime, which the kernel stamps from a coarse clock, a few
// milliseconds behind the times the records got: the rebuilt catalog allows
// for that, so a time lookup never passes a segment by and starts late
// (DESIGN §1.4).
TEST_F(RecoveryTest, WithoutMetaATimeLookupNeverStartsLateThoughTheFilesLookOlder) {
  Populate(200, SmallSegments());  // records i..i+6 appended at kT0 + i
  test::RemoveTree(data() + "/meta");
  std::vector<std::string> logs = Logs();
  for (size_t i = 0; i < logs.size(); ++i) {
    const int64_t end = i + 1 < logs.size()
                            ? ParseSegmentFileName(fs::path(logs[i + 1]).filename().string())
                                  ->base_offset
                            : 200;
    const int64_t newest_ms = kT0 + (end - 1) / 7 * 7;  // its last record's batch
    const int64_t mtime_ms = newest_ms - 4;              // a coarse clock's lag
    const struct timespec times[2] = {{mtime_ms / 1000, mtime_ms % 1000 * 1000000},
                                      {mtime_ms / 1000, mtime_ms % 1000 * 1000000}};
    ASSERT_EQ(::utimensat(AT_FDCWD, logs[i].c_str(), times, 0), 0) << logs[i];
  }
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  auto p = store->FindPartition("t", 0);
  for (int64_t first = 0; first < 200; first += 7) {
    auto start = p->LocateTime(kT0 + first);
    ASSERT_TRUE(start.ok()) << start.status().ToString();
    EXPECT_LE(start->offset, first) << "since/" << kT0 + first << " starts after its record";
  }
}

// Kafka LogLoader: with every segment gone, the partition starts again,
// empty, at its log start, and offsets keep counting from there.
TEST_F(RecoveryTest, AllSegmentsRemovedBehindTheStoresBack) {
  Populate(200, SmallSegments());
  int64_t start;
  {
    auto store = Reopen();
    auto p = store->FindPartition("t", 0);
    ASSERT_TRUE(p->TrimSegment(0).ok());
    start = p->log_start_offset();
  }
  for (const std::string& name : test::ListDir(pdir())) test::RemoveFile(pdir() + "/" + name);
  MakeUnclean();
  auto store = Reopen();
  auto p = store->FindPartition("t", 0);
  EXPECT_EQ(p->log_start_offset(), start);
  EXPECT_EQ(p->log_end_offset(), start);
  AppendOk(*p, "again\n", kT0);
  EXPECT_EQ(test::ReadFrom(p, start), "again\n");
  EXPECT_TRUE(store->Verify().empty());
}

TEST_F(RecoveryTest, SegmentBelowTheLogStartLeftByACrashIsRemoved) {
  const std::string log = Populate(200, SmallSegments());
  const std::string saved = dir_.Sub("saved");
  fs::create_directories(saved);
  std::vector<std::string> logs = Logs();
  for (const std::string& p : {logs[0], IndexOf(logs[0]), TimeIndexOf(logs[0])}) {
    fs::copy(p, saved + "/" + fs::path(p).filename().string());
  }
  int64_t start;
  {
    auto store = Reopen();
    auto p = store->FindPartition("t", 0);
    ASSERT_TRUE(p->TrimSegment(0).ok());
    start = p->log_start_offset();
  }
  // The crash came between the catalog update and the unlink.
  for (const auto& e : fs::directory_iterator(saved))
    fs::copy(e.path(), pdir() + "/" + e.path().filename().string());
  MakeUnclean();
  auto store = Reopen();
  auto p = store->FindPartition("t", 0);
  EXPECT_EQ(p->log_start_offset(), start);
  EXPECT_FALSE(test::FileExists(logs[0]));
  ExpectIntact(*store, log.substr(13 * start));
}

// kill -9: every record whose append returned is in the OS cache and
// survives, whole, with no fsync at all.
TEST_F(RecoveryTest, KilledProcessKeepsEveryAppendedRecord) {
  const std::string log = MakeRecords(0, 300);
  int code = test::RunInChild([&] {
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    Store* store = opened->release();  // never closed: no marker, no flush
    if (!store->CreateTopic("t", 1, SmallSegments()).ok()) return false;
    auto p = store->FindPartition("t", 0);
    for (size_t i = 0; i < log.size(); i += 13 * 9) {
      std::string_view batch = std::string_view(log).substr(i, 13 * 9);
      if (p->Append(batch, {}, kT0).bytes != batch.size()) return false;
    }
    return true;
  });
  ASSERT_EQ(code, 0);
  EXPECT_FALSE(test::FileExists(Marker()));
  auto store = Reopen();
  EXPECT_TRUE(store->recovered());
  ExpectIntact(*store, log);
}

// DESIGN §4, issue 16 §4: after a crash only what changed since each
// partition's recovery point is read; the partitions nobody appended to
// are taken from the catalog, however many there are.
TEST_F(RecoveryTest, ACrashReadsOnlyThePartitionsAppendedToSinceTheirFlush) {
  constexpr int kTopics = 40;
  {
    auto store = Reopen();
    for (int t = 0; t < kTopics; ++t) {
      const std::string name = "t" + std::to_string(t);
      ASSERT_TRUE(store->CreateTopic(name, 1, TopicConfig()).ok());
      AppendOk(*store->FindPartition(name, 0), MakeRecords(t, 2), kT0);
    }
    ASSERT_TRUE(store->Close().ok());
  }
  int code = test::RunInChild([&] {
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    Store* store = opened->release();  // never closed: a crash
    auto p = store->FindPartition("t7", 0);
    return p->Append(MakeRecords(100, 3), {}, kT0).status.ok();
  });
  ASSERT_EQ(code, 0);
  auto store = Reopen();
  EXPECT_TRUE(store->recovered());
  const std::vector<std::string> scanned = reporter_->scanned();
  ASSERT_EQ(scanned.size(), 1u) << "read " << scanned.size() << " segments of " << kTopics;
  EXPECT_EQ(scanned[0], test::LogFiles(test::PartitionDir(data(), "t7", 0)).back());
  EXPECT_EQ(ReadAll(store->FindPartition("t7", 0)), MakeRecords(7, 2) + MakeRecords(100, 3));
  for (int t = 0; t < kTopics; ++t) {
    EXPECT_EQ(store->FindPartition("t" + std::to_string(t), 0)->log_end_offset(), t == 7 ? 5 : 2);
  }
}

// Issue 17 §1 at the store: kill -9 in the same boot keeps unflushed records
// whose bytes include a NUL run (NULs are data in a newline topic).
TEST_F(RecoveryTest, SameBootKeepsUnflushedRecordsHoldingNulRuns) {
  const std::string log = "a\n" + std::string("b") + std::string(8, '\0') + "c\n" + "d\ne\n" +
                          std::string(4096, '\0') + "\n" + MakeRecords(0, 5);
  int code = test::RunInChild([&] {
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    Store* store = opened->release();  // never closed, never flushed
    if (!store->CreateTopic("t", 1, TopicConfig()).ok()) return false;
    auto p = store->FindPartition("t", 0);
    for (const std::string& recs : SplitRecords(log)) {
      if (p->Append(recs, {}, kT0).bytes != recs.size()) return false;
    }
    return true;
  });
  ASSERT_EQ(code, 0);
  auto store = Reopen();
  EXPECT_TRUE(store->recovered());
  EXPECT_EQ(store->tail_trust(), TailTrust::kSameBoot);
  EXPECT_TRUE(reporter_->cuts().empty());
  ExpectIntact(*store, log);
}

// The other case of DESIGN §4: power loss after a flush. The filesystem kept
// the file's size but not the last blocks (zero fill, starting inside a
// record). A new boot keeps every flushed record, NUL runs included, and
// every whole unflushed record before the zero fill.
TEST_F(RecoveryTest, NewBootCutsAZeroFilledUnflushedTailAndKeepsFlushedNulRuns) {
  const std::string flushed = MakeRecords(0, 10) + "x" + std::string(16, '\0') + "y\n";
  const std::string unflushed = MakeRecords(10, 20);
  int code = test::RunInChild([&] {
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    Store* store = opened->release();
    if (!store->CreateTopic("t", 1, TopicConfig()).ok()) return false;
    auto p = store->FindPartition("t", 0);
    if (p->Append(flushed, {}, kT0).bytes != flushed.size() || !p->Flush().ok()) return false;
    return p->Append(unflushed, {}, kT0 + 1).bytes == unflushed.size();
  });
  ASSERT_EQ(code, 0);
  const std::string path = Logs().back();
  const int64_t lost_from = static_cast<int64_t>(flushed.size()) + 13 * 6 + 5;
  test::OverwriteAt(path, lost_from,
                    std::string(flushed.size() + unflushed.size() - lost_from, '\0'));
  auto store = ReopenAfterReboot();
  EXPECT_EQ(store->tail_trust(), TailTrust::kNewBoot);
  EXPECT_EQ(reporter_->BytesCut(path), static_cast<int64_t>(13 * 14));
  ExpectIntact(*store, flushed + unflushed.substr(0, 13 * 6));
}

// A store written before DATA/boot-id existed (or whose file was lost) is
// judged as after a new boot, as every unclean open was then; the open
// records the running boot for the next one.
TEST_F(RecoveryTest, MissingBootIdCountsAsANewBootAndIsRecorded) {
  const std::string records = MakeRecords(0, 3);
  const std::string log = records + "n" + std::string(8, '\0') + "\n" + MakeRecords(3, 2);
  int code = test::RunInChild([&] {
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    Store* store = opened->release();
    if (!store->CreateTopic("t", 1, TopicConfig()).ok()) return false;
    return store->FindPartition("t", 0)->Append(log, {}, kT0).bytes == log.size();
  });
  ASSERT_EQ(code, 0);
  EXPECT_EQ(ReadStoredBootId(data()), ReadKernelBootId());
  test::RemoveFile(data() + "/" + kBootIdFile);
  auto store = Reopen();
  EXPECT_EQ(store->tail_trust(), TailTrust::kNewBoot);
  ExpectIntact(*store, records);
  EXPECT_EQ(ReadStoredBootId(data()), ReadKernelBootId());
}

// After a reboot's recovery the store belongs to the new boot: a daemon
// crash later in that boot keeps every byte again.
TEST_F(RecoveryTest, AfterARebootTheNextCrashInThatBootKeepsEveryByte) {
  Populate(5, TopicConfig());
  MakeUnclean();
  ASSERT_NE(ReopenAfterReboot(), nullptr);  // boot-1
  EXPECT_EQ(ReadStoredBootId(data()), "boot-1");
  const std::string nul_record = std::string(32, '\0') + "\n";
  int code = test::RunInChild([&] {
    auto opened = Store::Open({.data_dir = data(), .boot_id = "boot-1", .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    Store* store = opened->release();
    auto p = store->FindPartition("t", 0);
    return p->Append(nul_record, {}, kT0).bytes == nul_record.size();
  });
  ASSERT_EQ(code, 0);
  reporter_ = std::make_unique<CollectingReporter>();
  auto store = test::OpenStore(data(), false, reporter_.get(), "boot-1");
  EXPECT_EQ(store->tail_trust(), TailTrust::kSameBoot);
  ExpectIntact(*store, MakeRecords(0, 5) + nul_record);
}

// DESIGN §4: a record survives once fsync() returned. Recovery rescans the
// active segment after a crash, but what was flushed is not "a torn tail"
// or "a NUL run" to be cut, whatever bytes the records hold (a NUL inside a
// newline-delimited line is just a byte of that record).
TEST_F(RecoveryTest, FlushedRecordsHoldingANulByteSurviveACrash) {
  const std::string log = std::string("bin\0ary\n", 8) + MakeRecords(0, 20);
  int code = test::RunInChild([&] {
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    Store* store = opened->release();
    if (!store->CreateTopic("t", 1, TopicConfig()).ok()) return false;
    auto p = store->FindPartition("t", 0);
    if (p->Append(log, {}, kT0).bytes != log.size()) return false;
    return p->Flush().ok();
  });
  ASSERT_EQ(code, 0);
  auto store = Reopen();
  auto p = store->FindPartition("t", 0);
  EXPECT_EQ(p->log_end_offset(), 21);
  EXPECT_EQ(ReadAll(p), log);
}

// The power-loss model: only bytes that were fsynced survive. Everything
// appended before a Flush() that returned OK is there, whole; what came
// after is a whole-record prefix of what was appended.
TEST_F(RecoveryTest, PowerLossKeepsEverythingFlushed) {
  const std::string flushed = MakeRecords(0, 120);
  const std::string after = MakeRecords(120, 80);
  test::PowerLossInjector power(data(), dir_.Sub("synced"));
  int code = test::RunInChild([&] {
    test::ScopedFaultInjector install(&power);
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    Store* store = opened->release();
    if (!store->CreateTopic("t", 1, SmallSegments()).ok()) return false;
    auto p = store->FindPartition("t", 0);
    for (size_t i = 0; i < flushed.size(); i += 13 * 5) {
      if (p->Append(std::string_view(flushed).substr(i, 13 * 5), {}, kT0).bytes != 13 * 5) {
        return false;
      }
    }
    if (!p->Flush().ok()) return false;
    for (size_t i = 0; i < after.size(); i += 13 * 5) {
      (void)p->Append(std::string_view(after).substr(i, 13 * 5), {}, kT0);
    }
    return true;
  });
  ASSERT_EQ(code, 0);
  power.PowerLoss();
  auto store = ReopenAfterReboot();
  ASSERT_NE(store, nullptr);
  auto p = store->FindPartition("t", 0);
  const std::string got = ReadAll(p);
  ASSERT_GE(got.size(), flushed.size());
  EXPECT_EQ(got.substr(0, flushed.size()), flushed);
  const std::string extra = got.substr(flushed.size());
  EXPECT_EQ(extra, after.substr(0, extra.size()));
  EXPECT_TRUE(extra.empty() || extra.back() == '\n');
  // Offsets stay gapless (DESIGN §1.2): the log end is the number of records.
  EXPECT_EQ(p->log_end_offset(), static_cast<int64_t>(SplitRecords(got).size()));
  for (const VerifyProblem& problem : store->Verify()) {
    ADD_FAILURE() << "verify: " << problem.path << ": " << problem.what;
  }
  AppendOk(*p, "next\n", kT0);
}

// Rounds of the power-loss model: random batches, rolls and flushes, then
// the power goes. Every record covered by a Flush() that returned OK is
// there; what follows is a whole-record prefix of what was appended; offsets
// stay gapless; Verify is clean; appending works.
TEST_F(RecoveryTest, RandomPowerLossRoundsKeepEveryFlushedRecord) {
  // TOPICFS_TEST_SEED explores other rounds; the default ones run in ctest.
  const char* seed_env = std::getenv("TOPICFS_TEST_SEED");
  const unsigned base_seed = seed_env ? static_cast<unsigned>(std::atoi(seed_env)) : 1000u;
  for (int round = 0; round < 8; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    test::RemoveTree(data());
    test::RemoveTree(dir_.Sub("synced"));
    const std::string durable_file = dir_.Sub("durable");
    test::WriteFile(durable_file, "0");
    std::mt19937 rng(base_seed + round);
    std::string log;
    const int batches = 20 + static_cast<int>(rng() % 40);
    std::vector<int> batch_sizes, flush_after;
    for (int b = 0; b < batches; ++b) {
      const int n = 1 + static_cast<int>(rng() % 15);
      log += MakeRecords(static_cast<int64_t>(SplitRecords(log).size()), n);
      batch_sizes.push_back(n);
      flush_after.push_back(rng() % 5 == 0);
    }
    test::PowerLossInjector power(data(), dir_.Sub("synced"));
    int code = test::RunInChild([&] {
      test::ScopedFaultInjector install(&power);
      auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
      if (!opened.ok()) return false;
      Store* store = opened->release();
      if (!store->CreateTopic("t", 1, SmallSegments()).ok()) return false;
      auto p = store->FindPartition("t", 0);
      int64_t records = 0;
      for (int b = 0; b < batches; ++b) {
        std::string recs = MakeRecords(records, batch_sizes[b]);
        if (p->Append(recs, {}, kT0 + b).bytes != recs.size()) return false;
        records += batch_sizes[b];
        if (flush_after[b]) {
          if (!p->Flush().ok()) return false;
          test::WriteFile(durable_file, std::to_string(records));
        }
      }
      return true;
    });
    ASSERT_EQ(code, 0);
    power.PowerLoss();
    const int64_t durable = std::stoll(ReadFile(durable_file));
    auto store = ReopenAfterReboot();
    ASSERT_NE(store, nullptr);
    auto p = store->FindPartition("t", 0);
    const std::string got = ReadAll(p);
    const int64_t kept = static_cast<int64_t>(SplitRecords(got).size());
    EXPECT_GE(kept, durable);
    EXPECT_EQ(got, log.substr(0, got.size()));
    EXPECT_TRUE(got.empty() || got.back() == '\n');
    EXPECT_EQ(p->log_end_offset(), kept);
    for (const VerifyProblem& problem : store->Verify()) {
      ADD_FAILURE() << "verify: " << problem.path << ": " << problem.what;
    }
    AppendOk(*p, "next\n", kT0);
    EXPECT_EQ(p->log_end_offset(), kept + 1);
  }
}

// A disk that fails writes now and then (short writes, ENOSPC, on the .log
// or an index), then kill -9: the partition holds exactly the records whose
// append was acknowledged, in order, none of the refused ones, nothing torn.
TEST_F(RecoveryTest, FailingWritesThenACrashKeepExactlyTheAcknowledgedRecords) {
  const char* seed_env = std::getenv("TOPICFS_TEST_SEED");
  const unsigned base_seed = seed_env ? static_cast<unsigned>(std::atoi(seed_env)) : 77u;
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    test::RemoveTree(data());
    const std::string acked_file = dir_.Sub("acked");
    int code = test::RunInChild([&] {
      std::mt19937 rng(base_seed + round);
      test::ScriptedFaultInjector faults;
      test::ScopedFaultInjector install(&faults);
      auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
      if (!opened.ok()) return false;
      Store* store = opened->release();
      if (!store->CreateTopic("t", 1, SmallSegments()).ok()) return false;
      auto p = store->FindPartition("t", 0);
      std::string acked;
      int64_t next = 0;
      for (int b = 0; b < 60; ++b) {
        if (rng() % 4 == 0) {
          const char* where[] = {".log", ".log", ".index", ".timeindex"};
          faults.FailWrite(where[rng() % 4], rng() % 40, rng() % 2 ? ENOSPC : EIO);
        }
        const int n = 1 + static_cast<int>(rng() % 12);
        std::string recs = MakeRecords(next, n);
        Partition::AppendResult r = p->Append(recs, {}, kT0 + b);
        if (r.bytes % 13 != 0 || r.bytes > recs.size()) return false;  // whole records only
        acked += recs.substr(0, r.bytes);
        next += static_cast<int64_t>(r.bytes / 13);
        if (!r.status.ok() && r.bytes == recs.size()) return false;
        faults.Clear();
      }
      test::WriteFile(acked_file, acked);
      return true;
    });
    ASSERT_EQ(code, 0);
    const std::string acked = ReadFile(acked_file);
    auto store = Reopen();
    ASSERT_NE(store, nullptr);
    auto p = store->FindPartition("t", 0);
    EXPECT_EQ(ReadAll(p), acked);
    EXPECT_EQ(p->log_end_offset(), static_cast<int64_t>(acked.size() / 13));
    for (const VerifyProblem& problem : store->Verify()) {
      ADD_FAILURE() << "verify: " << problem.path << ": " << problem.what;
    }
  }
}

// flush.messages=1: every append is synced before it returns, so every
// record survives power loss.
TEST_F(RecoveryTest, PowerLossWithFlushEveryMessageKeepsEveryRecord) {
  const std::string log = MakeRecords(0, 100);
  test::PowerLossInjector power(data(), dir_.Sub("synced"));
  int code = test::RunInChild([&] {
    test::ScopedFaultInjector install(&power);
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    Store* store = opened->release();
    TopicConfig config = SmallSegments();
    if (!config.Set("flush.messages", "1").ok()) return false;
    if (!store->CreateTopic("t", 1, config).ok()) return false;
    auto p = store->FindPartition("t", 0);
    for (size_t i = 0; i < log.size(); i += 13 * 3) {
      std::string_view batch = std::string_view(log).substr(i, 13 * 3);
      auto r = p->Append(batch, {}, kT0);
      if (!r.status.ok() || r.bytes != batch.size()) return false;
    }
    return true;
  });
  ASSERT_EQ(code, 0);
  power.PowerLoss();
  auto store = ReopenAfterReboot();
  ExpectIntact(*store, log);
}

// A Flush() that returned OK covers the indexes too (DESIGN §1.3: "segment,
// indexes and metadata"): after power loss every sealed segment keeps the
// index its appends wrote, so lookups stay one index interval long.
TEST_F(RecoveryTest, FlushMakesSealedSegmentIndexesDurable) {
  const std::string expected = dir_.Sub("expected");
  test::PowerLossInjector power(data(), dir_.Sub("synced"));
  int code = test::RunInChild([&] {
    test::ScopedFaultInjector install(&power);
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    Store* store = opened->release();
    if (!store->CreateTopic("t", 1, SmallSegments()).ok()) return false;
    auto p = store->FindPartition("t", 0);
    for (int i = 0; i < 200; i += 5) {
      if (!p->Append(MakeRecords(i, 5), {}, kT0 + i).status.ok()) return false;
    }
    if (!p->Flush().ok()) return false;
    fs::create_directories(expected);
    for (auto& seg : p->Segments()) {
      if (!seg->sealed()) continue;
      fs::copy(seg->index_path(), expected + "/" + fs::path(seg->index_path()).filename().string());
    }
    return true;
  });
  ASSERT_EQ(code, 0);
  power.PowerLoss();
  auto store = ReopenAfterReboot();
  ASSERT_NE(store, nullptr);
  int checked = 0;
  for (const auto& e : fs::directory_iterator(expected)) {
    const std::string name = e.path().filename().string();
    EXPECT_EQ(ReadFile(pdir() + "/" + name), ReadFile(e.path())) << name << " lost entries";
    ++checked;
  }
  EXPECT_GT(checked, 3);
}

// A failed fsync is reported and claims nothing: the records are kept as
// long as the process lives, and the next successful Flush covers them.
// After a failed fsync the partition takes nothing more, and its close
// leaves no clean marker; the next open (the daemon restarted in the same
// boot) recovers every acknowledged record and takes appends again.
TEST_F(RecoveryTest, AFailedFsyncStopsThePartitionUntilTheStoreIsOpenedAgain) {
  const std::string log = MakeRecords(0, 60);
  int code = test::RunInChild([&] {
    test::ScriptedFaultInjector faults;
    test::ScopedFaultInjector install(&faults);
    auto opened = Store::Open({.data_dir = data(), .env = &test::TestEnv()});
    if (!opened.ok()) return false;
    std::unique_ptr<Store> store = std::move(*opened);
    if (!store->CreateTopic("t", 1, SmallSegments()).ok()) return false;
    if (!store->CreateTopic("other", 1, TopicConfig()).ok()) return false;
    auto p = store->FindPartition("t", 0);
    if (!p->Append(log, {}, kT0).status.ok()) return false;
    faults.FailSync(".log", EIO);
    if (p->Flush().sys_errno() != EIO) return false;
    if (p->Append("late\n", {}, kT0).status.sys_errno() != EIO) return false;
    // Other partitions go on; the store reports the failure once.
    AppendOk(*store->FindPartition("other", 0), "o\n", kT0);
    std::vector<Status> failures = store->RunFlushPolicy(NowMs());
    if (failures.size() != 1 || failures[0].sys_errno() != EIO) return false;
    if (!store->RunFlushPolicy(NowMs()).empty()) return false;
    return !store->Close().ok();  // its flush fails too: no clean marker
  });
  ASSERT_EQ(code, 0);
  EXPECT_FALSE(test::FileExists(Marker()));
  auto store = Reopen();
  EXPECT_TRUE(store->recovered());
  ExpectIntact(*store, log);
  auto p = store->FindPartition("t", 0);
  EXPECT_TRUE(p->failure().ok());
  AppendOk(*p, "after\n", kT0);
  EXPECT_TRUE(p->Flush().ok());
  EXPECT_EQ(ReadAll(store->FindPartition("other", 0)), "o\n");
}

}  // namespace
}  // namespace topicfs::store

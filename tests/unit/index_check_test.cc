// Index files trusted from the catalog (DESIGN §4, docs/DECISIONS.md): a
// store opened after a clean stop, or after a crash for the segments below
// the recovery point, reads no sealed segment's index file; the first lookup
// through one checks it and rebuilds it from the .log when it is unsound.
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "store/file_io.h"
#include "store/index_format.h"
#include "store/names.h"
#include "store/offset_index.h"
#include "store/partition.h"
#include "store/segment.h"
#include "store/store.h"
#include "store/time_index.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

namespace fs = std::filesystem;
using test::AppendOk;
using test::MakeRecords;
using test::ReadFile;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kRecords = 200;  // 13 bytes each, appended 7 at a time

// Records the index files opened while it is installed.
class IndexOpenRecorder : public store::Env {
 public:
  size_t BeforeWrite(const std::string&, size_t len, int*) override { return len; }
  int BeforeSync(const std::string&) override { return 0; }
  int BeforeOpen(const std::string& path) override {
    if (path.ends_with(".index") || path.ends_with(".timeindex")) {
      std::lock_guard lock(mu_);
      opened_.insert(path);
    }
    return 0;
  }
  std::set<std::string> opened() {
    std::lock_guard lock(mu_);
    return opened_;
  }

 private:
  std::mutex mu_;
  std::set<std::string> opened_;
  test::ScopedFaultInjector installed_{this};  // last: the rest is ready
};

class IndexCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = test::OpenStore(data());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(
        store
            ->CreateTopic("t", 1,
                          test::Config({{"segment.bytes", "500"}, {"index.interval.bytes", "60"}}))
            .ok());
    auto p = store->FindPartition("t", 0);
    for (int64_t i = 0; i < kRecords; i += 7) {
      std::string recs = MakeRecords(i, std::min<int64_t>(7, kRecords - i));
      AppendOk(*p, recs, kT0 + i);
      log_ += recs;
    }
    ASSERT_TRUE(store->Close().ok());
    logs_ = test::LogFiles(pdir());
    ASSERT_GE(logs_.size(), 4u);
    fs::copy(data(), pristine(), fs::copy_options::recursive);
  }

  std::string data() const { return dir_.Sub("data"); }
  std::string pristine() const { return dir_.Sub("pristine"); }
  std::string pdir() const { return test::PartitionDir(data(), "t", 0); }
  void Restore() {
    test::RemoveTree(data());
    fs::copy(pristine(), data(), fs::copy_options::recursive);
  }
  void MakeUnclean() { test::RemoveFile(data() + "/clean-shutdown"); }
  static std::string Prefix(const std::string& log) { return log.substr(0, log.size() - 4); }
  static int64_t BaseOf(const std::string& log) {
    return ParseSegmentFileName(fs::path(log).filename().string())->base_offset;
  }
  // The offsets of the sealed segment `i` (not the last).
  std::pair<int64_t, int64_t> Offsets(size_t i) const {
    return {BaseOf(logs_[i]), BaseOf(logs_[i + 1])};
  }
  // A lookup of `offset` lands on that record.
  static void ExpectFound(Partition& p, int64_t offset) {
    Result<ReadStart> got = p.LocateOffset(offset);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->offset, offset);
    const std::string want = MakeRecords(offset, 1);
    std::string buf(want.size(), '\0');
    Result<size_t> n = got->segment->Read(buf.data(), buf.size(), got->position);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(buf, want) << "offset " << offset;
  }
  std::unique_ptr<Store> Reopen() {
    reporter_ = std::make_unique<test::CollectingReporter>();
    return test::OpenStore(data(), false, reporter_.get());
  }

  test::TempDir dir_;
  std::string log_;
  std::vector<std::string> logs_;
  std::unique_ptr<test::CollectingReporter> reporter_;
};

TEST_F(IndexCheckTest, CleanOpenReadsNoSealedIndexFileUntilALookupUsesIt) {
  for (bool clean : {true, false}) {
    SCOPED_TRACE(clean ? "clean" : "after a crash, below the recovery point");
    Restore();
    if (!clean) MakeUnclean();
    IndexOpenRecorder recorder;
    auto store = Reopen();
    ASSERT_NE(store, nullptr);
    std::set<std::string> at_open = recorder.opened();
    for (size_t i = 0; i + 1 < logs_.size(); ++i) {
      EXPECT_EQ(at_open.count(Prefix(logs_[i]) + ".index"), 0u) << logs_[i];
      EXPECT_EQ(at_open.count(Prefix(logs_[i]) + ".timeindex"), 0u) << logs_[i];
    }
    // The segment taking appends is checked at open, after a crash at least.
    if (!clean) {
      EXPECT_EQ(at_open.count(Prefix(logs_.back()) + ".index"), 1u);
    }
    auto [from, to] = Offsets(1);
    ExpectFound(*store->FindPartition("t", 0), from + (to - from) / 2);
    EXPECT_EQ(recorder.opened().count(Prefix(logs_[1]) + ".index"), 1u);
    EXPECT_EQ(recorder.opened().count(Prefix(logs_[2]) + ".index"), 0u);
  }
}

// A sealed segment opened from the catalog builds no index object until a
// lookup needs one (issue 13 §3): before any lookup it still names its
// files, reports its index sizes (from any thread), serves its bytes, and
// its first lookups, from several threads, find their records.
TEST_F(IndexCheckTest, SealedSegmentWithoutIndexObjectsServesReadsSizesAndLookups) {
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  auto p = store->FindPartition("t", 0);
  std::vector<std::shared_ptr<Segment>> chain = p->SegmentChain();
  ASSERT_EQ(chain.size(), logs_.size());
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    const Segment& seg = *chain[i];
    ASSERT_TRUE(seg.sealed());
    EXPECT_EQ(seg.log_path(), logs_[i]);
    EXPECT_EQ(seg.index_path(), Prefix(logs_[i]) + ".index");
    EXPECT_EQ(seg.time_index_path(), Prefix(logs_[i]) + ".timeindex");
    EXPECT_EQ(seg.index_bytes(), static_cast<int64_t>(ReadFile(seg.index_path()).size()));
    EXPECT_EQ(seg.time_index_bytes(), static_cast<int64_t>(ReadFile(seg.time_index_path()).size()));
    std::string bytes(seg.size(), '\0');
    Result<size_t> n = seg.Read(bytes.data(), bytes.size(), 0);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, bytes.size());
    EXPECT_EQ(bytes, ReadFile(logs_[i]));
  }
  // Sizes read without the lock while lookups build the index objects.
  auto [from, to] = Offsets(1);
  const int64_t index_size = static_cast<int64_t>(ReadFile(chain[1]->index_path()).size());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t o = from + t; o < to; o += 4) {
        EXPECT_EQ(chain[1]->index_bytes(), index_size);
        ExpectFound(*p, o);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(chain[1]->index_bytes(), index_size);
  // A sealed segment no lookup used answers its index objects too.
  EXPECT_EQ(chain[2]->offset_index().entries() * kOffsetIndexEntrySize,
            ReadFile(chain[2]->index_path()).size());
  EXPECT_EQ(test::ReadAll(p), log_);
  EXPECT_TRUE(p->Flush().ok());
  EXPECT_TRUE(store->Verify().empty());
}

struct Damage {
  const char* name;
  void (*apply)(const std::string& path);
};
const Damage kDamages[] = {
    {"not whole entries", [](const std::string& p) { test::AppendToFile(p, "\x01\x02\x03"); }},
    {"not increasing",
     [](const std::string& p) {
       std::string b = ReadFile(p);
       test::WriteFile(p, b.substr(8, 8) + b.substr(0, 8) + b.substr(16));
     }},
    {"pointing past the data",
     [](const std::string& p) {
       test::AppendToFile(p, std::string("\x00\x00\x7f\x00\x00\x00\x7f\x00", 8));
     }},
    {"garbage", [](const std::string& p) { test::WriteFile(p, std::string(64, '\xee')); }},
};

TEST_F(IndexCheckTest, DamagedSealedIndexIsUntouchedAtOpenAndRebuiltByTheFirstLookup) {
  const std::string target = Prefix(logs_[1]) + ".index";
  const std::string want = ReadFile(target);
  ASSERT_GE(want.size(), 16u);
  for (const Damage& d : kDamages) {
    for (bool clean : {true, false}) {
      SCOPED_TRACE(std::string(d.name) + (clean ? " clean" : " unclean"));
      Restore();
      d.apply(target);
      const bool existed = test::FileExists(target);
      const std::string damaged = existed ? ReadFile(target) : "";
      if (!clean) MakeUnclean();
      auto store = Reopen();
      ASSERT_NE(store, nullptr);
      EXPECT_TRUE(reporter_->cuts().empty());
      EXPECT_EQ(test::FileExists(target), existed);
      if (existed) {
        EXPECT_EQ(ReadFile(target), damaged) << "read at open";
      }
      auto p = store->FindPartition("t", 0);
      auto [from, to] = Offsets(1);
      for (int64_t o = from; o < to; ++o) ExpectFound(*p, o);
      EXPECT_EQ(ReadFile(target), want) << "not rebuilt by the lookup";
      EXPECT_TRUE(store->Verify().empty());
      EXPECT_EQ(test::ReadAll(p), log_);
    }
  }
}

TEST_F(IndexCheckTest, DamagedSealedTimeIndexIsRebuiltByTheFirstTimeLookup) {
  const std::string target = Prefix(logs_[1]) + ".timeindex";
  const std::string want = ReadFile(target);
  ASSERT_GE(want.size(), 24u);
  auto [from, to] = Offsets(1);
  // Out of order: the lookup must neither trust it nor start late.
  test::WriteFile(target, want.substr(12, 12) + want.substr(0, 12) + want.substr(24));
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  EXPECT_NE(ReadFile(target), want);
  auto p = store->FindPartition("t", 0);
  for (int64_t o = from; o < to; ++o) {
    // Batches of 7 records appended at kT0 + their first offset.
    const int64_t t = kT0 + o;
    Result<ReadStart> got = p->LocateTime(t);
    ASSERT_TRUE(got.ok());
    EXPECT_LE(got->offset, (o + 6) / 7 * 7) << o;
  }
  std::string rebuilt = ReadFile(target);
  EXPECT_TRUE(TimeIndex::Check(rebuilt, from, to).ok());
  EXPECT_TRUE(store->Verify().empty());
}

// `topicfs verify` reads the files, not the segment's memory: a damaged
// index that no lookup has used is reported, and is gone once one has.
TEST_F(IndexCheckTest, VerifyReportsADamagedSealedIndexAfterAnOpenFromTheCatalog) {
  const std::string target = Prefix(logs_[2]) + ".index";
  std::string b = ReadFile(target);
  ASSERT_GE(b.size(), 16u);
  test::WriteFile(target, b.substr(8, 8) + b.substr(0, 8) + b.substr(16));
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  bool reported = false;
  for (const VerifyProblem& problem : store->Verify()) reported |= problem.path == target;
  EXPECT_TRUE(reported) << "verify did not name " << target;
  auto [from, to] = Offsets(2);
  ExpectFound(*store->FindPartition("t", 0), to - 1);
  for (const VerifyProblem& problem : store->Verify()) {
    ADD_FAILURE() << problem.path << ": " << problem.what;
  }
}

// Lookups run the check from many threads at once: each gets the right
// record, and the index ends rebuilt once.
TEST_F(IndexCheckTest, ConcurrentFirstLookupsAllFindTheirRecord) {
  const std::string target = Prefix(logs_[1]) + ".index";
  const std::string want = ReadFile(target);
  test::WriteFile(target, std::string(64, '\xee'));
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  auto p = store->FindPartition("t", 0);
  auto [from, to] = Offsets(1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t o = from + t; o < to; o += 4) ExpectFound(*p, o);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ReadFile(target), want);
  EXPECT_FALSE(test::FileExists(target + ".rebuilt"));
}

// The directory listing tells a missing index file at no cost: that segment
// is recovered at open, as before, and a rebuilt index a crash left under
// its temporary name goes.
TEST_F(IndexCheckTest, MissingSealedIndexIsRebuiltAtOpen) {
  for (const char* suffix : {".index", ".timeindex"}) {
    SCOPED_TRACE(suffix);
    Restore();
    const std::string target = Prefix(logs_[1]) + suffix;
    const std::string want = ReadFile(target);
    test::RemoveFile(target);
    test::WriteFile(target + ".rebuilt", "left by a crash");
    auto store = Reopen();
    ASSERT_NE(store, nullptr);
    auto [from, to] = Offsets(1);
    if (std::string(suffix) == ".index") {
      EXPECT_EQ(ReadFile(target), want);
    } else {  // its times are upper bounds now (the log has none)
      EXPECT_FALSE(ReadFile(target).empty());
      EXPECT_TRUE(TimeIndex::Check(ReadFile(target), from, to).ok());
    }
    EXPECT_FALSE(test::FileExists(target + ".rebuilt"));
    EXPECT_TRUE(store->Verify().empty());
  }
}

}  // namespace
}  // namespace topicfs::store

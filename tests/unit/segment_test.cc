// One segment: bytes appended unchanged, the index-interval rule, lookups of
// every record, size limits, sealing with XXH3-64, reopening from the
// catalog entry, time lookups, and the fault-injection seam (a failed write
// leaves no partial record behind; a failed fsync is reported).
#include "store/segment.h"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t, to forge a saved state
#include <xxhash.h>

#include <cerrno>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/file_io.h"
#include "store/names.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

using test::MakeRecords;
using test::ReadFile;
using test::ScopedFaultInjector;
using test::ScriptedFaultInjector;
using test::SplitRecords;
using test::TempDir;

constexpr int64_t kIndexBytes = 10 * 1024 * 1024;
constexpr int64_t kT0 = 1'700'000'000'000;

AppendLimits Limits(int64_t segment_bytes = 1 << 30, int64_t interval = 4096, char delim = '\n') {
  return {segment_bytes, interval, delim};
}

class SegmentTest : public ::testing::Test {
 protected:
  std::shared_ptr<Segment> Create(int64_t base = 0, int64_t index_bytes = kIndexBytes) {
    auto seg = Segment::Create(dir_.path(), base, index_bytes, *files_);
    EXPECT_TRUE(seg.ok()) << seg.status().ToString();
    return seg.ok() ? *seg : nullptr;
  }
  // Appends all of `records`, failing the test if any part is refused.
  void AppendAll(Segment& seg, std::string_view records, int64_t now = kT0,
                 AppendLimits limits = Limits()) {
    Result<size_t> n = seg.Append(records, now, limits);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_EQ(*n, records.size());
  }
  std::string LogPath(int64_t base) { return dir_.Sub(SegmentFilePrefix(base) + ".log"); }
  std::string IndexPath(int64_t base) { return dir_.Sub(SegmentFilePrefix(base) + ".index"); }
  std::string TimeIndexPath(int64_t base) {
    return dir_.Sub(SegmentFilePrefix(base) + ".timeindex");
  }

  std::shared_ptr<DescriptorCache> files_ = DescriptorCache::Create(test::TestEnv(), 16);
  TempDir dir_;
};

// Byte position of every record start, plus the end.
std::vector<int64_t> RecordStarts(std::string_view log, char delim = '\n') {
  std::vector<int64_t> starts{0};
  for (size_t i = 0; i < log.size(); ++i) {
    if (log[i] == delim) starts.push_back(static_cast<int64_t>(i) + 1);
  }
  return starts;
}

// DESIGN §3.2: entries are record starts, strictly increasing, and each is
// the first record starting at least `interval` bytes after the previous
// entry (the segment's first record is the implicit first entry).
void ExpectIndexFollowsIntervalRule(Segment& seg, std::string_view log, int64_t interval,
                                    char delim = '\n') {
  std::vector<int64_t> starts = RecordStarts(log, delim);
  starts.pop_back();                     // the end is not a record
  std::map<int64_t, int64_t> offset_of;  // position -> offset
  for (size_t i = 0; i < starts.size(); ++i) offset_of[starts[i]] = seg.base_offset() + i;
  interval = std::max<int64_t>(1, interval);
  int64_t prev = 0;
  std::vector<OffsetIndexEntry> want;
  for (int64_t s : starts) {
    if (s >= prev + interval) {
      want.push_back({offset_of[s], static_cast<uint32_t>(s)});
      prev = s;
    }
  }
  OffsetIndex& index = seg.offset_index();
  ASSERT_EQ(index.entries(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(index.EntryAt(i), want[i]) << i;
}

TEST_F(SegmentTest, CreateMakesThreeEmptyFilesNamedByBaseOffset) {
  auto seg = Create(368769);
  ASSERT_NE(seg, nullptr);
  for (const std::string& p : {LogPath(368769), IndexPath(368769), TimeIndexPath(368769)}) {
    EXPECT_TRUE(test::FileExists(p)) << p;
    EXPECT_EQ(test::FileSize(p), 0) << p;
  }
  EXPECT_EQ(seg->base_offset(), 368769);
  EXPECT_EQ(seg->next_offset(), 368769);  // Kafka testNextOffsetCalculation: empty -> base
  EXPECT_EQ(seg->size(), 0);
  EXPECT_EQ(seg->max_timestamp_ms(), -1);
  EXPECT_FALSE(seg->sealed());
}

// Kafka LogSegmentTest testReadOnEmptySegment / testReadAfterLast.
TEST_F(SegmentTest, ReadOnAnEmptySegmentOrPastTheEndGivesNothing) {
  auto seg = Create();
  char buf[16];
  EXPECT_EQ(*seg->Read(buf, sizeof buf, 0), 0u);
  AppendAll(*seg, "abc\n");
  EXPECT_EQ(*seg->Read(buf, sizeof buf, 4), 0u);
  EXPECT_EQ(*seg->Read(buf, sizeof buf, 400), 0u);
  EXPECT_EQ(*seg->Read(buf, 2, 1), 2u);
  EXPECT_EQ(std::string(buf, 2), "bc");
  EXPECT_EQ(*seg->PositionOf(0, '\n'), 0);
  EXPECT_EQ(*seg->PositionOf(1, '\n'), 4);  // the end
}

TEST_F(SegmentTest, AppendedBytesAreStoredUnchanged) {
  auto seg = Create(50);
  std::string a = MakeRecords(0, 3), b = "x\n\ny\n";
  AppendAll(*seg, a);
  AppendAll(*seg, b);
  EXPECT_EQ(ReadFile(LogPath(50)), a + b);
  EXPECT_EQ(seg->next_offset(), 50 + 3 + 3);  // Kafka: 50..52 appended -> 53, here 6 records
  EXPECT_EQ(seg->size(), static_cast<int64_t>(a.size() + b.size()));
  char buf[64];
  auto n = seg->Read(buf, sizeof buf, 0);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), (a + b).substr(0, *n));
}

TEST_F(SegmentTest, EmptyRecordsAreRecords) {
  auto seg = Create();
  AppendAll(*seg, "\n\n\n");
  AppendAll(*seg, "a\n\n");
  EXPECT_EQ(seg->next_offset(), 5);
  const int64_t want[] = {0, 1, 2, 3, 5, 6};  // "\n\n\na\n\n"
  for (int64_t off = 0; off <= 5; ++off) {
    auto pos = seg->PositionOf(off, '\n');
    ASSERT_TRUE(pos.ok()) << off;
    EXPECT_EQ(*pos, want[off]) << off;
  }
}

TEST_F(SegmentTest, NulDelimitedRecords) {
  auto seg = Create();
  std::string recs("a\0bb\0\0ccc\0", 10);
  ASSERT_TRUE(seg->Append(recs, kT0, Limits(1 << 30, 1, '\0')).ok());
  EXPECT_EQ(seg->next_offset(), 4);
  EXPECT_EQ(*seg->PositionOf(2, '\0'), 5);
  EXPECT_EQ(*seg->PositionOf(3, '\0'), 6);
  ExpectIndexFollowsIntervalRule(*seg, recs, 1, '\0');
}

TEST_F(SegmentTest, IndexEntriesFollowTheIntervalRule) {
  for (int64_t interval : {0, 1, 7, 25, 100, 4096}) {
    TempDir dir;
    auto seg = *Segment::Create(dir.path(), 0, kIndexBytes, *files_);
    std::mt19937 rng(static_cast<unsigned>(interval));
    std::string log;
    for (int batch = 0; batch < 60; ++batch) {
      std::string recs;
      int n = 1 + static_cast<int>(rng() % 5);
      for (int i = 0; i < n; ++i) recs += std::string(rng() % 40, 'a' + i) + "\n";
      ASSERT_EQ(*seg->Append(recs, kT0, Limits(1 << 30, interval)), recs.size());
      log += recs;
    }
    SCOPED_TRACE(interval);
    ExpectIndexFollowsIntervalRule(*seg, log, interval);
  }
}

TEST_F(SegmentTest, IndexDoesNotDependOnHowRecordsWereBatched) {
  std::string all = MakeRecords(0, 500, "r", 5);  // 7-byte records
  std::vector<std::string> recs = SplitRecords(all);
  std::string index_bytes[3];
  for (int way = 0; way < 3; ++way) {
    TempDir dir;
    auto seg = *Segment::Create(dir.path(), 0, kIndexBytes, *files_);
    std::mt19937 rng(way);
    size_t i = 0;
    while (i < recs.size()) {
      size_t n = way == 0 ? recs.size() : way == 1 ? 1 : 1 + rng() % 30;
      std::string batch;
      for (size_t k = 0; k < n && i < recs.size(); ++k) batch += recs[i++];
      ASSERT_EQ(*seg->Append(batch, kT0, Limits(1 << 30, 100)), batch.size());
    }
    ASSERT_TRUE(seg->Sync().ok());
    index_bytes[way] = ReadFile(dir.Sub("00000000000000000000.index"));
  }
  EXPECT_FALSE(index_bytes[0].empty());
  EXPECT_EQ(index_bytes[0], index_bytes[1]);
  EXPECT_EQ(index_bytes[0], index_bytes[2]);
}

TEST_F(SegmentTest, PositionOfEveryRecordAndTheEnd) {
  auto seg = Create(1000);
  std::mt19937 rng(3);
  std::string log;
  for (int b = 0; b < 200; ++b) {
    std::string recs;
    for (int i = 0; i < 5; ++i) recs += std::string(rng() % 90, 'q') + "\n";
    AppendAll(*seg, recs, kT0, Limits(1 << 30, 128));
    log += recs;
  }
  std::vector<int64_t> starts = RecordStarts(log);
  ASSERT_EQ(static_cast<int64_t>(starts.size()) - 1, seg->next_offset() - 1000);
  for (size_t i = 0; i < starts.size(); ++i) {
    auto pos = seg->PositionOf(1000 + static_cast<int64_t>(i), '\n');
    ASSERT_TRUE(pos.ok()) << i << ": " << pos.status().ToString();
    ASSERT_EQ(*pos, starts[i]) << "offset " << 1000 + i;
  }
  EXPECT_TRUE(seg->PositionOf(999, '\n').status().Is(Code::kOutOfRange));
  EXPECT_TRUE(seg->PositionOf(seg->next_offset() + 1, '\n').status().Is(Code::kOutOfRange));
}

TEST_F(SegmentTest, AppendTakesOnlyWholeRecordsThatFitUnderSegmentBytes) {
  auto seg = Create();
  std::string recs = MakeRecords(0, 10, "r", 3);  // 5-byte records, 50 bytes
  auto n = seg->Append(recs, kT0, Limits(/*segment_bytes=*/23));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 20u);  // four whole records; the fifth would pass 23
  EXPECT_EQ(seg->next_offset(), 4);
  auto again = seg->Append(recs.substr(20), kT0, Limits(23));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);  // "roll first"
  EXPECT_EQ(ReadFile(LogPath(0)), recs.substr(0, 20));
}

TEST_F(SegmentTest, OneRecordLargerThanSegmentBytesFillsAnEmptySegment) {
  auto seg = Create();
  std::string big = std::string(100, 'b') + "\n";
  auto n = seg->Append(big + "c\n", kT0, Limits(/*segment_bytes=*/50));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, big.size());
  EXPECT_EQ(seg->next_offset(), 1);
}

TEST_F(SegmentTest, FullIndexStopsTheBatchAtARecordBoundary) {
  // 24 index bytes: 3 offset entries, 2 time entries (one kept free).
  auto seg = Create(0, 24);
  std::string recs = MakeRecords(0, 50, "r", 3);  // 5-byte records
  auto n = seg->Append(recs, kT0, Limits(1 << 30, 5));
  ASSERT_TRUE(n.ok());
  ASSERT_GT(*n, 0u);
  ASSERT_LT(*n, recs.size());
  EXPECT_EQ(*n % 5, 0u);
  EXPECT_TRUE(seg->ShouldRoll(kT0, 1LL << 40));
}

TEST_F(SegmentTest, ShouldRollOnAgeButNeverWhenEmpty) {
  auto seg = Create();
  EXPECT_FALSE(seg->ShouldRoll(kT0 + (1LL << 40), 1));
  AppendAll(*seg, "a\n", kT0);
  AppendAll(*seg, "b\n", kT0 + 500);
  EXPECT_FALSE(seg->ShouldRoll(kT0 + 999, 1000));
  EXPECT_TRUE(seg->ShouldRoll(kT0 + 1001, 1000));  // age counts from the first record
  EXPECT_EQ(seg->first_timestamp_ms(), kT0);
  EXPECT_EQ(seg->max_timestamp_ms(), kT0 + 500);
}

TEST_F(SegmentTest, SealComputesXxh3OfTheLogAndTrimsIndexes) {
  auto seg = Create();
  std::string log;
  for (int i = 0; i < 20; ++i) {
    std::string r = MakeRecords(i * 10, 10);
    AppendAll(*seg, r, kT0 + i, Limits(1 << 30, 64));
    log += r;
  }
  ASSERT_TRUE(seg->Seal().ok());
  EXPECT_TRUE(seg->sealed());
  EXPECT_EQ(seg->xxh3(), XXH3_64bits(log.data(), log.size()));
  EXPECT_EQ(test::FileSize(IndexPath(0)) % 8, 0);
  EXPECT_EQ(test::FileSize(IndexPath(0)), seg->index_bytes());
  EXPECT_EQ(test::FileSize(TimeIndexPath(0)), seg->time_index_bytes());
  EXPECT_GT(seg->index_bytes(), 0);
  // Lookups still work from the sealed (mapped) index.
  std::vector<int64_t> starts = RecordStarts(log);
  for (int64_t off = 0; off < seg->next_offset(); off += 7) {
    EXPECT_EQ(*seg->PositionOf(off, '\n'), starts[off]);
  }
}

TEST_F(SegmentTest, ReopenFromCatalogKeepsAppendingAndHashing) {
  std::string log;
  SegmentMeta meta;
  {
    auto seg = Create(10);
    std::string r = MakeRecords(0, 100);
    AppendAll(*seg, r, kT0, Limits(1 << 30, 100));
    log += r;
    ASSERT_TRUE(seg->Sync().ok());
    meta = seg->Meta(/*with_hash_state=*/true);
    EXPECT_FALSE(meta.hash_state.empty());
  }
  auto decoded = SegmentMeta::Decode(meta.Encode());
  ASSERT_TRUE(decoded.ok());
  auto seg = Segment::Open(dir_.path(), *decoded, kIndexBytes, *files_);
  ASSERT_TRUE(seg.ok()) << seg.status().ToString();
  EXPECT_EQ((*seg)->next_offset(), 110);
  std::string r = MakeRecords(100, 50);
  AppendAll(**seg, r, kT0 + 5, Limits(1 << 30, 100));
  log += r;
  ExpectIndexFollowsIntervalRule(**seg, log, 100);
  ASSERT_TRUE((*seg)->Seal().ok());
  EXPECT_EQ((*seg)->xxh3(), XXH3_64bits(log.data(), log.size()));
}

// A saved state from another libxxhash (its struct layout is private), or
// one that does not cover the file, must not seal a wrong hash.
TEST_F(SegmentTest, AHashStateFromAnotherLibraryOrLengthIsIgnored) {
  for (int damage : {0, 1}) {
    TempDir dir;
    std::string log = MakeRecords(0, 300);
    SegmentMeta meta;
    {
      auto seg = Segment::Create(dir.path(), 0, kIndexBytes, *files_);
      ASSERT_TRUE(seg.ok());
      AppendAll(**seg, log);
      meta = (*seg)->Meta(/*with_hash_state=*/true);
    }
    ASSERT_GT(meta.hash_state.size(), 4u);
    if (damage == 0) {
      meta.hash_state[3] ^= 0x01;  // the version tag: another library
    } else {
      // This library's tag, a state that covers 2 bytes, not the file's.
      XXH3_state_t other;
      XXH3_64bits_reset(&other);
      XXH3_64bits_update(&other, "x\n", 2);
      meta.hash_state = meta.hash_state.substr(0, 4) +
                        std::string(reinterpret_cast<const char*>(&other), sizeof other);
    }
    auto seg = Segment::Open(dir.path(), meta, kIndexBytes, *files_);
    ASSERT_TRUE(seg.ok());
    ASSERT_TRUE((*seg)->Seal().ok());
    EXPECT_EQ((*seg)->xxh3(), XXH3_64bits(log.data(), log.size())) << damage;
  }
}

TEST_F(SegmentTest, ReopenWithoutHashStateRehashesAtSeal) {
  std::string log = MakeRecords(0, 300);
  SegmentMeta meta;
  {
    auto seg = Create();
    AppendAll(*seg, log);
    meta = seg->Meta(/*with_hash_state=*/false);
  }
  auto seg = Segment::Open(dir_.path(), meta, kIndexBytes, *files_);
  ASSERT_TRUE(seg.ok());
  std::string more = "tail\n";
  AppendAll(**seg, more);
  ASSERT_TRUE((*seg)->Seal().ok());
  std::string all = log + more;
  EXPECT_EQ((*seg)->xxh3(), XXH3_64bits(all.data(), all.size()));
}

// Kafka testFindOffsetByTimestamp, adapted: the start returned for T is never
// after the first record appended at or after T, and at most one index
// interval (plus the record that crossed it) before it.
TEST_F(SegmentTest, OffsetNotAfterTimeIsAtMostOneIntervalEarly) {
  auto seg = Create(100);
  const std::string rec = "0123456789\n";  // 11 bytes
  const int64_t interval = 2 * rec.size();
  std::vector<int64_t> time_of;  // by relative offset
  for (int i = 0; i < 60; ++i) {
    AppendAll(*seg, rec, kT0 + i * 10, Limits(1 << 30, interval));
    time_of.push_back(kT0 + i * 10);
  }
  for (int64_t t = kT0 - 20; t <= kT0 + 590; ++t) {
    int64_t want = -1;  // first offset appended at or after t
    for (size_t i = 0; i < time_of.size(); ++i) {
      if (time_of[i] >= t) {
        want = 100 + static_cast<int64_t>(i);
        break;
      }
    }
    ASSERT_NE(want, -1);
    int64_t got = seg->OffsetNotAfterTime(t);
    ASSERT_LE(got, want) << "t=" << t - kT0;
    ASSERT_GE(got, 100);
    ASSERT_LE((want - got) * static_cast<int64_t>(rec.size()), interval + rec.size())
        << "t=" << t - kT0 << " got " << got << " want " << want;
  }
  // Before every entry: the segment's base.
  EXPECT_EQ(seg->OffsetNotAfterTime(kT0 - 1000), 100);
}

TEST_F(SegmentTest, TimeIndexGetsOneEntryPerNewTimestamp) {
  auto seg = Create();
  for (int i = 0; i < 40; ++i) AppendAll(*seg, "abcdefghi\n", kT0 + i / 4, Limits(1 << 30, 1));
  // 39 offset entries (every record but the first), time entries only when
  // the append time moved on.
  EXPECT_EQ(seg->offset_index().entries(), 39u);
  EXPECT_EQ(seg->time_index().entries(), 10u);
  ASSERT_TRUE(TimeIndex::Check(seg->time_index().file().bytes(), 0, seg->next_offset()).ok());
  ASSERT_TRUE(
      OffsetIndex::Check(seg->offset_index().file().bytes(), 0, seg->next_offset(), seg->size())
          .ok());
}

// Fault injection: a write that places part of the batch and then fails
// with ENOSPC leaves the file exactly as before, and the next append works.
TEST_F(SegmentTest, ShortWriteLeavesNoPartialRecordAndNextAppendWorks) {
  auto seg = Create();
  std::string first = MakeRecords(0, 20);
  AppendAll(*seg, first, kT0, Limits(1 << 30, 32));
  const std::string index_before = std::string(seg->offset_index().file().bytes());
  ScriptedFaultInjector faults;
  ScopedFaultInjector install(&faults);
  for (size_t allowed : {size_t{0}, size_t{1}, size_t{13}, size_t{50}}) {
    faults.FailWrite(".log", allowed, ENOSPC);
    auto n = seg->Append(MakeRecords(20, 10), kT0, Limits(1 << 30, 32));
    ASSERT_FALSE(n.ok()) << allowed;
    EXPECT_TRUE(n.status().Is(Code::kNoSpace)) << n.status().ToString();
    EXPECT_EQ(ReadFile(LogPath(0)), first) << allowed;
    EXPECT_EQ(seg->size(), static_cast<int64_t>(first.size()));
    EXPECT_EQ(seg->next_offset(), 20);
    EXPECT_EQ(std::string(seg->offset_index().file().bytes()), index_before);
  }
  EXPECT_EQ(faults.fired(), 4);
  std::string second = MakeRecords(20, 10);
  AppendAll(*seg, second, kT0, Limits(1 << 30, 32));
  EXPECT_EQ(ReadFile(LogPath(0)), first + second);
  ExpectIndexFollowsIntervalRule(*seg, first + second, 32);
  ASSERT_TRUE(seg->Seal().ok());
  std::string all = first + second;
  EXPECT_EQ(seg->xxh3(), XXH3_64bits(all.data(), all.size()));
}

// An index write that fails does not fail the append (the index can be
// rebuilt); the entry reaches the file with the next batch's index write.
TEST_F(SegmentTest, FailedIndexWriteIsRetriedLater) {
  auto seg = Create();
  ScriptedFaultInjector faults;
  ScopedFaultInjector install(&faults);
  faults.FailWrite(".index", 0, ENOSPC);
  std::string recs = MakeRecords(0, 40);
  AppendAll(*seg, recs, kT0, Limits(1 << 30, 50));
  EXPECT_EQ(faults.fired(), 1);
  EXPECT_EQ(test::FileSize(IndexPath(0)), 0);
  AppendAll(*seg, MakeRecords(40, 40), kT0, Limits(1 << 30, 50));
  EXPECT_EQ(ReadFile(IndexPath(0)), std::string(seg->offset_index().file().bytes()));
  EXPECT_GT(test::FileSize(IndexPath(0)), 0);
  ExpectIndexFollowsIntervalRule(*seg, recs + MakeRecords(40, 40), 50);
}

TEST_F(SegmentTest, FsyncFailureIsReported) {
  auto seg = Create();
  AppendAll(*seg, "a\n");
  ScriptedFaultInjector faults;
  ScopedFaultInjector install(&faults);
  faults.FailSync(".log", EIO);
  Status s = seg->Sync();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.sys_errno(), EIO);
  faults.FailSync(".timeindex", ENOSPC);
  s = seg->Sync();
  EXPECT_TRUE(s.Is(Code::kNoSpace)) << s.ToString();
  EXPECT_TRUE(seg->Sync().ok());
}

// The append path opens nothing while its descriptors are cached.
TEST_F(SegmentTest, AppendsReuseTheCachedDescriptors) {
  auto seg = Create();
  AppendAll(*seg, "first\n");
  const uint64_t opens = files_->opens();
  for (int i = 0; i < 100; ++i) AppendAll(*seg, MakeRecords(i * 50, 50), kT0, Limits(1 << 30, 100));
  EXPECT_EQ(files_->opens(), opens);
  EXPECT_GT(seg->offset_index().entries(), 0u);
}

// Two active segments sharing one descriptor take turns: each append
// reopens its file after the other evicted it, and nothing is lost.
TEST_F(SegmentTest, AnEvictedActiveSegmentReopensForItsNextAppend) {
  auto one = DescriptorCache::Create(test::TestEnv(), 1);
  TempDir other;
  auto a = *Segment::Create(dir_.path(), 0, kIndexBytes, *one);
  auto b = *Segment::Create(other.path(), 0, kIndexBytes, *one);
  std::string log_a, log_b;
  for (int i = 0; i < 20; ++i) {
    std::string ra = MakeRecords(i * 30, 30, "a"), rb = MakeRecords(i * 30, 30, "b");
    AppendAll(*a, ra, kT0, Limits(1 << 30, 100));
    AppendAll(*b, rb, kT0, Limits(1 << 30, 100));
    log_a += ra;
    log_b += rb;
    ASSERT_LE(one->open_count(), 1u);
  }
  ASSERT_TRUE(a->Sync().ok());
  ASSERT_TRUE(b->Sync().ok());
  EXPECT_EQ(test::ReadFile(LogPath(0)), log_a);
  EXPECT_EQ(test::ReadFile(other.Sub(SegmentFilePrefix(0) + ".log")), log_b);
  ExpectIndexFollowsIntervalRule(*a, log_a, 100);
  ASSERT_TRUE(a->Seal().ok());
  EXPECT_EQ(a->xxh3(), XXH3_64bits(log_a.data(), log_a.size()));
  std::string got(log_b.size(), '\0');
  ASSERT_EQ(*b->Read(got.data(), got.size(), 0), log_b.size());
  EXPECT_EQ(got, log_b);
}

}  // namespace
}  // namespace topicfs::store

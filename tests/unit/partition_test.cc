// A partition: consecutive offsets, lookups by offset at every boundary
// (segment and index), by time, rolls by size, age and index capacity (also
// in the middle of one batch), retention and trim, flush and its faults,
// and concurrent appends to many partitions.
#include "store/partition.h"

#include <cerrno>
#include <future>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "store/store.h"
#include "tests/support/store_fixture.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

using test::AppendOk;
using test::Config;
using test::MakeRecords;
using test::ReadAll;
using test::ReadFrom;
using test::ScopedFaultInjector;
using test::ScriptedFaultInjector;
using test::SplitRecords;

constexpr int64_t kT0 = 1'700'000'000'000;

class PartitionTest : public test::StoreTest {
 protected:
  // Byte position of every record start (and the end) of `log`.
  static std::vector<int64_t> Starts(std::string_view log, char delim = '\n') {
    std::vector<int64_t> out{0};
    for (size_t i = 0; i < log.size(); ++i) {
      if (log[i] == delim) out.push_back(static_cast<int64_t>(i) + 1);
    }
    return out;
  }

  // Checks that LocateOffset(offset) points at record `offset` (`starts` are
  // the record starts of the log from offset `first`).
  static void ExpectLocates(Partition& p, const std::vector<int64_t>& starts, int64_t first,
                            int64_t offset) {
    auto start = p.LocateOffset(offset);
    ASSERT_TRUE(start.ok()) << offset << ": " << start.status().ToString();
    EXPECT_EQ(start->offset, offset);
    EXPECT_EQ(start->stream_pos - ReadStartBase(p), starts[offset - first]) << "offset " << offset;
    EXPECT_EQ(start->stream_pos - start->position, start->segment->stream_base());
    EXPECT_LE(start->position, start->segment->size());
  }
  // The stream position of the log start (stream positions are partition-wide).
  static int64_t ReadStartBase(Partition& p) { return p.SegmentChain().front()->stream_base(); }
};

TEST_F(PartitionTest, AppendAssignsConsecutiveOffsetsFromZero) {
  auto p = Make(TopicConfig());
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->log_start_offset(), 0);
  EXPECT_EQ(p->log_end_offset(), 0);
  AppendOk(*p, "a\nb\n", kT0);
  AppendOk(*p, "\n", kT0);  // an empty line is a record
  AppendOk(*p, "c\n", kT0);
  EXPECT_EQ(p->log_end_offset(), 4);
  EXPECT_EQ(ReadAll(p), "a\nb\n\nc\n");
  EXPECT_EQ(ReadFrom(p, 2), "\nc\n");
  EXPECT_EQ(ReadFrom(p, 3), "c\n");
  EXPECT_EQ(ReadFrom(p, 4), "");
  EXPECT_EQ(p->size_bytes(), 7);
  EXPECT_EQ(p->stream_end(), 7);
}

TEST_F(PartitionTest, FirstAndLastRecordOfEverySegment) {
  auto p = Make(Config({{"segment.bytes", "1000"}, {"index.interval.bytes", "64"}}));
  std::string log;
  std::mt19937 rng(1);
  for (int i = 0; i < 400; ++i) {
    std::string rec = std::string(rng() % 60, 'a' + i % 26) + "\n";
    AppendOk(*p, rec, kT0);
    log += rec;
  }
  const std::vector<int64_t> starts = Starts(log);
  auto segs = p->Segments();
  ASSERT_GT(segs.size(), 5u);
  for (size_t i = 0; i < segs.size(); ++i) {
    SCOPED_TRACE(segs[i]->base_offset());
    if (i + 1 < segs.size()) {
      EXPECT_EQ(segs[i]->next_offset(), segs[i + 1]->base_offset());  // no gaps
      EXPECT_TRUE(segs[i]->sealed());
    }
    int64_t first = segs[i]->base_offset(), last = segs[i]->next_offset() - 1;
    auto at_first = p->LocateOffset(first);
    ASSERT_TRUE(at_first.ok());
    EXPECT_EQ(at_first->segment, segs[i]);
    EXPECT_EQ(at_first->position, 0);
    ExpectLocates(*p, starts, 0, first);
    ExpectLocates(*p, starts, 0, last);
    auto at_last = p->LocateOffset(last);
    EXPECT_EQ(at_last->segment, segs[i]);
  }
  EXPECT_FALSE(segs.back()->sealed());
  EXPECT_EQ(ReadAll(p), log);
}

TEST_F(PartitionTest, LookupsAtEveryIndexBoundary) {
  auto p = Make(Config({{"segment.bytes", "4000"}, {"index.interval.bytes", "100"}}));
  std::string log;
  for (int i = 0; i < 2000; ++i) {
    std::string rec = MakeRecords(i, 1, "r", i % 17);
    AppendOk(*p, rec, kT0);
    log += rec;
  }
  const std::vector<int64_t> starts = Starts(log);
  size_t entries_checked = 0;
  for (auto& seg : p->SegmentChain()) {
    OffsetIndex& index = seg->offset_index();
    for (size_t i = 0; i < index.entries(); ++i) {
      int64_t off = index.EntryAt(i).offset;
      for (int64_t o : {off - 1, off, off + 1}) {
        if (o >= p->log_end_offset()) continue;
        ExpectLocates(*p, starts, 0, o);
      }
      ++entries_checked;
    }
  }
  EXPECT_GT(entries_checked, 50u);
  // And every offset, against the model.
  for (int64_t o = 0; o <= p->log_end_offset(); ++o) ExpectLocates(*p, starts, 0, o);
}

TEST_F(PartitionTest, OffsetsOutsideTheLogAreOutOfRange) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  for (int i = 0; i < 50; ++i) AppendOk(*p, MakeRecords(i, 1), kT0);
  EXPECT_TRUE(p->LocateOffset(-1).status().Is(Code::kOutOfRange));
  EXPECT_TRUE(p->LocateOffset(51).status().Is(Code::kOutOfRange));
  EXPECT_TRUE(p->LocateOffset(INT64_MAX).status().Is(Code::kOutOfRange));
  auto end = p->LocateOffset(50);  // the log end itself is a valid start
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->stream_pos, p->stream_end());
  // Below the log start after retention.
  auto deleted = p->DeleteOldest([](const Segment&) { return true; });
  ASSERT_TRUE(deleted.ok());
  ASSERT_GT(*deleted, 0);
  const int64_t start = p->log_start_offset();
  EXPECT_GT(start, 0);
  EXPECT_TRUE(p->LocateOffset(start - 1).status().Is(Code::kOutOfRange));
  EXPECT_TRUE(p->LocateOffset(0).status().Is(Code::kOutOfRange));
  EXPECT_EQ(ReadFrom(p, start), MakeRecords(start, 50 - start));
}

TEST_F(PartitionTest, RollInTheMiddleOfOneBatch) {
  auto p = Make(Config({{"segment.bytes", "1000"}, {"index.interval.bytes", "128"}}));
  const std::string batch = MakeRecords(0, 500);  // 13-byte records, 6500 bytes
  const size_t split = 13 * 230;
  Partition::AppendResult r = p->Append(std::string_view(batch).substr(0, split),
                                        std::string_view(batch).substr(split), kT0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.bytes, batch.size());
  EXPECT_EQ(p->log_end_offset(), 500);
  auto segs = p->Segments();
  EXPECT_GE(segs.size(), 7u);
  for (auto& seg : segs) {
    EXPECT_LE(seg->size(), 1000);
    EXPECT_EQ(seg->size() % 13, 0) << "a segment ends inside a record";
    if (seg != segs.back()) {
      EXPECT_GT(seg->size() + 13, 1000) << "rolled too early";
    }
    // Each segment's files hold exactly its records.
    std::string bytes = test::ReadFile(seg->log_path());
    EXPECT_EQ(bytes, MakeRecords(seg->base_offset(), seg->next_offset() - seg->base_offset()));
  }
  EXPECT_EQ(ReadAll(p), batch);
}

TEST_F(PartitionTest, RecordLargerThanSegmentBytesGetsASegmentOfItsOwn) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  AppendOk(*p, "small\n", kT0);
  const std::string big = std::string(250, 'B') + "\n";
  AppendOk(*p, big, kT0);
  AppendOk(*p, "after\n", kT0);
  auto segs = p->Segments();
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_EQ(segs[1]->base_offset(), 1);
  EXPECT_EQ(segs[1]->size(), 251);
  EXPECT_EQ(ReadFrom(p, 1), big + "after\n");
  EXPECT_EQ(ReadFrom(p, 2), "after\n");
}

TEST_F(PartitionTest, RollsWhenTheActiveSegmentIsOlderThanSegmentMs) {
  auto p = Make(Config({{"segment.ms", "1000"}}));
  AppendOk(*p, "a\n", kT0);
  AppendOk(*p, "b\n", kT0 + 999);
  EXPECT_EQ(p->segment_count(), 1);
  AppendOk(*p, "c\n", kT0 + 1001);  // older than segment.ms (Kafka: strictly greater)
  EXPECT_EQ(p->segment_count(), 2);
  EXPECT_EQ(p->ActiveSegment()->base_offset(), 2);
  // A new empty segment does not roll however old it is.
  EXPECT_EQ(p->ActiveSegment()->size(), 2);
  EXPECT_EQ(ReadAll(p), "a\nb\nc\n");
}

TEST_F(PartitionTest, RollsWhenTheIndexIsFull) {
  // 24-byte indexes: 3 offset entries, 2 time entries of which one is kept free.
  auto p = Make(Config({{"segment.index.bytes", "24"}, {"index.interval.bytes", "0"}}));
  for (int i = 0; i < 40; ++i) AppendOk(*p, MakeRecords(i, 1), kT0 + i);
  EXPECT_GT(p->segment_count(), 5);
  for (auto& seg : p->SegmentChain()) {
    EXPECT_LE(seg->offset_index().entries(), 3u);
    EXPECT_LE(seg->time_index().entries(), 2u);
  }
  EXPECT_EQ(ReadAll(p), MakeRecords(0, 40));
}

TEST_F(PartitionTest, AppendTimesNeverGoBackwards) {
  auto p = Make(Config({{"index.interval.bytes", "1"}}));
  AppendOk(*p, "a\nb\n", kT0);
  AppendOk(*p, "c\nd\n", kT0 - 60'000);  // the wall clock stepped back
  AppendOk(*p, "e\nf\n", kT0 + 5);
  auto seg = p->SegmentChain().back();
  EXPECT_EQ(seg->max_timestamp_ms(), kT0 + 5);
  ASSERT_TRUE(
      TimeIndex::Check(seg->time_index().file().bytes(), seg->base_offset(), seg->next_offset())
          .ok());
}

// since/<T>: never after the first record appended at or after T, at most
// one index interval (plus a record) before it; the log end when none.
TEST_F(PartitionTest, TimeLookupsBeforeBetweenAndAfterEntries) {
  auto p = Make(Config({{"segment.bytes", "2000"}, {"index.interval.bytes", "50"}}));
  std::map<int64_t, int64_t> first_offset_at;  // append time -> first offset
  std::vector<int64_t> time_of;
  std::string log;
  for (int i = 0; i < 600; ++i) {
    const int64_t t = kT0 + (i / 3) * 10;  // three records per time, 10 ms apart
    std::string rec = MakeRecords(i, 1);
    AppendOk(*p, rec, t);
    time_of.push_back(t);
    log += rec;
  }
  ASSERT_GT(p->segment_count(), 3);
  std::vector<int64_t> starts = Starts(log);
  for (int64_t t = kT0 - 50; t <= kT0 + 2100; t += 1) {
    int64_t want = 600;
    for (int64_t o = 0; o < 600; ++o) {
      if (time_of[o] >= t) {
        want = o;
        break;
      }
    }
    auto got = p->LocateTime(t);
    ASSERT_TRUE(got.ok()) << t;
    ASSERT_LE(got->offset, want) << "started after the wanted record, t=" << t - kT0;
    ASSERT_LE(starts[want] - starts[got->offset], 50 + 13) << "t=" << t - kT0;
    ASSERT_EQ(got->stream_pos - ReadStartBase(*p), starts[got->offset]);
  }
  auto after = p->LocateTime(kT0 + 1'000'000);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->offset, 600);
  EXPECT_EQ(after->stream_pos, p->stream_end());
  auto before = p->LocateTime(0);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->offset, 0);
}

TEST_F(PartitionTest, TimeLookupNeverStartsBelowTheLogStart) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  for (int i = 0; i < 30; ++i) AppendOk(*p, MakeRecords(i, 1), kT0 + i);
  ASSERT_TRUE(p->DeleteOldest([](const Segment& s) { return s.base_offset() < 10; }).ok());
  const int64_t start = p->log_start_offset();
  auto got = p->LocateTime(0);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->offset, start);
}

TEST_F(PartitionTest, DeleteOldestNeverDeletesTheActiveSegment) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  for (int i = 0; i < 30; ++i) AppendOk(*p, MakeRecords(i, 1), kT0);
  const int64_t segments = p->segment_count();
  std::vector<std::string> paths;
  for (auto& s : p->Segments()) paths.push_back(s->log_path());
  auto deleted = p->DeleteOldest([](const Segment&) { return true; });
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, segments - 1);
  EXPECT_EQ(p->segment_count(), 1);
  EXPECT_EQ(p->log_start_offset(), p->ActiveSegment()->base_offset());
  for (size_t i = 0; i + 1 < paths.size(); ++i) EXPECT_FALSE(test::FileExists(paths[i]));
  EXPECT_TRUE(test::FileExists(paths.back()));
  auto again = p->DeleteOldest([](const Segment&) { return true; });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_F(PartitionTest, DeleteOldestStopsAtTheFirstSegmentToKeep) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  for (int i = 0; i < 30; ++i) AppendOk(*p, MakeRecords(i, 1), kT0);
  auto segs = p->Segments();
  const int64_t keep = segs[1]->base_offset();
  auto deleted = p->DeleteOldest([&](const Segment& s) { return s.base_offset() != keep; });
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1);  // a prefix only
  EXPECT_EQ(p->log_start_offset(), keep);
}

TEST_F(PartitionTest, TrimOnlyTheOldestSealedSegment) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  EXPECT_TRUE(p->TrimSegment(0).Is(Code::kPermission));  // the only segment is active
  for (int i = 0; i < 30; ++i) AppendOk(*p, MakeRecords(i, 1), kT0);
  auto segs = p->Segments();
  ASSERT_GE(segs.size(), 3u);
  EXPECT_TRUE(p->TrimSegment(segs[1]->base_offset()).Is(Code::kPermission));
  EXPECT_TRUE(p->TrimSegment(segs.back()->base_offset()).Is(Code::kPermission));
  EXPECT_TRUE(p->TrimSegment(12345).Is(Code::kPermission));
  ASSERT_TRUE(p->TrimSegment(segs[0]->base_offset()).ok());
  EXPECT_EQ(p->log_start_offset(), segs[1]->base_offset());
  EXPECT_FALSE(test::FileExists(segs[0]->log_path()));
  EXPECT_FALSE(test::FileExists(segs[0]->index_path()));
  EXPECT_FALSE(test::FileExists(segs[0]->time_index_path()));
}

TEST_F(PartitionTest, ReaderFinishesASegmentDeletedUnderIt) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  for (int i = 0; i < 30; ++i) AppendOk(*p, MakeRecords(i, 1), kT0);
  auto start = p->LocateOffset(0);
  ASSERT_TRUE(start.ok());
  std::shared_ptr<Segment> seg = start->segment;
  const int64_t size = seg->size();
  ASSERT_TRUE(p->TrimSegment(0).ok());
  std::string buf(size, '\0');
  auto n = seg->Read(buf.data(), buf.size(), 0);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(static_cast<int64_t>(*n), size);
  EXPECT_EQ(buf, MakeRecords(0, seg->next_offset()));
}

TEST_F(PartitionTest, FlushAdvancesTheRecoveryPoint) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  for (int i = 0; i < 20; ++i) AppendOk(*p, MakeRecords(i, 1), kT0);
  EXPECT_EQ(p->recovery_point(), 0);
  ScriptedFaultInjector counter;
  ScopedFaultInjector install(&counter);
  ASSERT_TRUE(p->Flush().ok());
  EXPECT_EQ(p->recovery_point(), 20);
  EXPECT_GT(counter.syncs(), 0);
  const int syncs = counter.syncs();
  ASSERT_TRUE(p->Flush().ok());  // nothing new: no fsync
  EXPECT_EQ(counter.syncs(), syncs);
}

TEST_F(PartitionTest, FlushMessagesPolicySyncsEveryNRecords) {
  auto p = Make(Config({{"flush.messages", "5"}}));
  ScriptedFaultInjector counter;
  ScopedFaultInjector install(&counter);
  for (int i = 0; i < 4; ++i) AppendOk(*p, MakeRecords(i, 1), kT0);
  EXPECT_EQ(counter.syncs(), 0);
  EXPECT_EQ(p->recovery_point(), 0);
  AppendOk(*p, MakeRecords(4, 1), kT0);
  EXPECT_GT(counter.syncs(), 0);
  EXPECT_EQ(p->recovery_point(), 5);
}

TEST_F(PartitionTest, FlushMsPolicyRunsOnTime) {
  auto p = Make(Config({{"flush.ms", "1000"}}));
  AppendOk(*p, "a\n", kT0);
  // last_flush starts at the wall clock; a time far ahead of it is due.
  ASSERT_TRUE(p->MaybeFlushOnTime(NowMs() + 999'999).ok());
  EXPECT_EQ(p->recovery_point(), 1);
}

// A failed fsync cannot be retried into success (PostgreSQL, 2018: the
// kernel may have dropped the pages and cleared the error): the partition
// refuses appends and flushes with EIO from then on, and keeps serving reads.
TEST_F(PartitionTest, AFailedFsyncStopsAppendsAndFlushesButNotReads) {
  auto p = Make(TopicConfig());
  AppendOk(*p, "a\nb\n", kT0);
  ScriptedFaultInjector faults;
  ScopedFaultInjector install(&faults);
  faults.FailSync(".log", EIO);  // once
  Status s = p->Flush();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.sys_errno(), EIO);
  EXPECT_EQ(p->recovery_point(), 0);
  // The next fsync would succeed; the flush still fails: nothing claimed durable.
  s = p->Flush();
  EXPECT_EQ(s.sys_errno(), EIO) << s.ToString();
  EXPECT_EQ(p->recovery_point(), 0);
  Partition::AppendResult r = p->Append("c\n", {}, kT0);
  EXPECT_EQ(r.bytes, 0u);
  EXPECT_EQ(r.status.sys_errno(), EIO);
  EXPECT_EQ(p->AppendBatch("d\n", kT0).status().sys_errno(), EIO);
  EXPECT_EQ(ReadAll(p), "a\nb\n");
  EXPECT_EQ(p->failure().sys_errno(), EIO);
  EXPECT_NE(p->failure().message().find("t/0"), std::string::npos) << p->failure().ToString();
  // Reported once.
  EXPECT_TRUE(p->TakeFailureToReport());
  EXPECT_FALSE(p->TakeFailureToReport());
}

// partition.h: "flush takes mu_ briefly only". An fsync can take hundreds of
// milliseconds; appends from other handles and reader lookups must not wait
// for it. The fsync hook below runs another thread's append and lookup and
// waits (up to 20 s) for them to finish while the fsync is "in progress".
TEST_F(PartitionTest, AppendsAndLookupsDoNotWaitForAnFsync) {
  auto p = Make(TopicConfig());
  AppendOk(*p, "a\nb\n", kT0);
  struct BlockingSync : ScriptedFaultInjector {
    Partition* partition = nullptr;
    bool tried = false;
    bool finished_during_sync = false;
    std::thread other;
    int BeforeSync(const std::string& path) override {
      if (tried || !path.ends_with(".log")) return 0;
      tried = true;
      auto done = std::make_shared<std::promise<void>>();
      std::future<void> f = done->get_future();
      other = std::thread([this, done] {
        partition->Append("c\n", {}, kT0);
        (void)partition->LocateOffset(1);
        done->set_value();
      });
      finished_during_sync = f.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
      return 0;  // if the other thread is stuck behind the flush, it finishes once we return
    }
  } hook;
  hook.partition = p.get();
  {
    ScopedFaultInjector install(&hook);
    ASSERT_TRUE(p->Flush().ok());
  }
  ASSERT_TRUE(hook.tried);
  hook.other.join();
  EXPECT_TRUE(hook.finished_during_sync) << "the append waited for the fsync (mu_ held across it)";
  EXPECT_EQ(ReadAll(p), "a\nb\nc\n");
}

// ENOSPC or a short write in the middle of a batch: no partial record stays,
// offsets continue without a gap once the next append works.
TEST_F(PartitionTest, ShortWriteMidBatchLeavesNoPartialRecord) {
  auto p = Make(TopicConfig());
  AppendOk(*p, MakeRecords(0, 10), kT0);
  ScriptedFaultInjector faults;
  ScopedFaultInjector install(&faults);
  for (size_t allowed : {size_t{0}, size_t{7}, size_t{13}, size_t{100}}) {
    faults.FailWrite(".log", allowed, ENOSPC);
    Partition::AppendResult r = p->Append(MakeRecords(10, 20), {}, kT0);
    EXPECT_TRUE(r.status.Is(Code::kNoSpace)) << r.status.ToString();
    EXPECT_EQ(r.bytes, 0u);
    EXPECT_EQ(p->log_end_offset(), 10);
    EXPECT_EQ(test::ReadFile(p->ActiveSegment()->log_path()), MakeRecords(0, 10));
  }
  AppendOk(*p, MakeRecords(10, 20), kT0);
  EXPECT_EQ(ReadAll(p), MakeRecords(0, 30));
  EXPECT_EQ(ReadFrom(p, 17), MakeRecords(17, 13));
}

TEST_F(PartitionTest, DiskFullInTheSegmentAfterARollKeepsTheWholeRecordsBeforeIt) {
  auto p = Make(Config({{"segment.bytes", "130"}}));  // ten 13-byte records per segment
  ScriptedFaultInjector faults;
  ScopedFaultInjector install(&faults);
  faults.FailWrite(".log", 5, ENOSPC, /*skip=*/1);  // the second segment's write
  Partition::AppendResult r = p->Append(MakeRecords(0, 25), {}, kT0);
  EXPECT_TRUE(r.status.Is(Code::kNoSpace)) << r.status.ToString();
  EXPECT_EQ(r.bytes, 130u);
  EXPECT_EQ(p->log_end_offset(), 10);
  EXPECT_EQ(ReadAll(p), MakeRecords(0, 10));
  AppendOk(*p, MakeRecords(10, 15), kT0);
  EXPECT_EQ(ReadAll(p), MakeRecords(0, 25));
}

// No syscall per record: one batch costs the same number of writes whatever
// the number of records in it.
TEST_F(PartitionTest, OneBatchIsAFixedNumberOfWrites) {
  auto p = Make(Config({{"index.interval.bytes", "4096"}}));
  ScriptedFaultInjector counter;
  ScopedFaultInjector install(&counter);
  AppendOk(*p, MakeRecords(0, 10), kT0);
  const int small = counter.writes();
  AppendOk(*p, MakeRecords(10, 5000), kT0);  // 65000 bytes
  const int large = counter.writes() - small;
  EXPECT_LE(small, 3);
  EXPECT_LE(large, 3) << "writes grow with the number of records";
}

TEST_F(PartitionTest, NulDelimitedTopic) {
  auto p = Make(Config({{"record.delimiter", "nul"}, {"segment.bytes", "50"}}));
  std::string log;
  for (int i = 0; i < 40; ++i) {
    std::string rec = "r" + std::to_string(i) + "\nx";  // newlines are ordinary bytes
    rec.push_back('\0');
    AppendOk(*p, rec, kT0);
    log += rec;
  }
  EXPECT_EQ(p->log_end_offset(), 40);
  EXPECT_EQ(ReadAll(p), log);
  EXPECT_EQ(ReadFrom(p, 39), std::string("r39\nx") + '\0');
}

TEST_F(PartitionTest, AppendAfterTopicDeletionIsNotFound) {
  auto p = Make(TopicConfig());
  AppendOk(*p, "a\n", kT0);
  ASSERT_TRUE(store_->DeleteTopic("t", /*require_empty=*/false).ok());
  Partition::AppendResult r = p->Append("b\n", {}, kT0);
  EXPECT_TRUE(r.status.Is(Code::kNotFound));
  EXPECT_EQ(r.bytes, 0u);
}

TEST_F(PartitionTest, LocateAtTheEndAfterARollIsTheNewSegmentStart) {
  auto p = Make(Config({{"segment.ms", "10"}}));
  AppendOk(*p, "a\nb\n", kT0);
  AppendOk(*p, "c\n", kT0 + 10);  // rolls before appending
  auto segs = p->Segments();
  ASSERT_EQ(segs.size(), 2u);
  auto at = p->LocateOffset(2);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->segment, segs[1]);
  EXPECT_EQ(at->position, 0);
  EXPECT_EQ(ReadFrom(p, 2), "c\n");
}

// Verify while appends and rolls go on reports nothing: index entries reach
// their file only after the data they point at.
TEST_F(PartitionTest, VerifyDuringAppendsFindsNoProblem) {
  auto p = Make(Config({{"segment.bytes", "260"}, {"index.interval.bytes", "64"}}));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 6000; ++i) AppendOk(*p, MakeRecords(i, 1), NowMs());
    done = true;
  });
  int rounds = 0;
  while (!done.load()) {
    for (const VerifyProblem& problem : store_->Verify()) {
      ADD_FAILURE() << problem.path << ": " << problem.what;
    }
    ++rounds;
  }
  writer.join();
  EXPECT_GT(rounds, 0);
  EXPECT_TRUE(store_->Verify().empty());
}

// Many partitions appended from several threads: every record is present
// exactly once, each writer's records in its order, no record torn; readers
// running at the same time only ever see whole records.
TEST_F(PartitionTest, ManyPartitionsAppendedFromSeveralThreads) {
  ASSERT_TRUE(store_
                  ->CreateTopic(
                      "m", 6, Config({{"segment.bytes", "4096"}, {"index.interval.bytes", "256"}}))
                  .ok());
  constexpr int kWriters = 4, kBatches = 300;
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937 rng(w);
      std::vector<int64_t> seq(6, 0);
      for (int b = 0; b < kBatches; ++b) {
        int part = static_cast<int>(rng() % 6);
        std::string first, rest;
        int n = 1 + static_cast<int>(rng() % 20);
        for (int i = 0; i < n; ++i) {
          std::string rec = "w" + std::to_string(w) + " p" + std::to_string(part) + " s" +
                            std::to_string(seq[part]++) + " " + std::string(rng() % 80, 'x') + "\n";
          (i < n / 2 ? first : rest) += rec;
        }
        auto r = store_->FindPartition("m", part)->Append(first, rest, NowMs());
        if (!r.status.ok() || r.bytes != first.size() + rest.size()) {
          ADD_FAILURE() << r.status.ToString();
          return;
        }
      }
    });
  }
  std::thread reader([&] {
    std::mt19937 rng(99);
    while (!done.load()) {
      auto p = store_->FindPartition("m", static_cast<int>(rng() % 6));
      int64_t end = p->log_end_offset();
      if (end == 0) continue;
      int64_t off = static_cast<int64_t>(rng() % end);
      auto start = p->LocateOffset(off);
      ASSERT_TRUE(start.ok()) << start.status().ToString();
      if (start->position > 0) {
        char before = 0;
        ASSERT_TRUE(start->segment->Read(&before, 1, start->position - 1).ok());
        ASSERT_EQ(before, '\n') << "a reader was sent into the middle of a record";
      }
    }
  });
  for (auto& t : threads) t.join();
  done = true;
  reader.join();

  for (int part = 0; part < 6; ++part) {
    auto p = store_->FindPartition("m", part);
    std::vector<std::string> records = SplitRecords(ReadAll(p));
    EXPECT_EQ(static_cast<int64_t>(records.size()), p->log_end_offset());
    std::vector<int64_t> next(kWriters, 0);
    for (const std::string& r : records) {
      ASSERT_EQ(r.back(), '\n');
      int w = -1, rp = -1;
      long long s = -1;
      ASSERT_EQ(std::sscanf(r.c_str(), "w%d p%d s%lld", &w, &rp, &s), 3) << r;
      ASSERT_EQ(rp, part);
      ASSERT_EQ(s, next[w]) << "writer " << w << " partition " << part;
      ++next[w];
    }
    for (auto& seg : p->SegmentChain()) {
      ASSERT_TRUE(OffsetIndex::Check(seg->offset_index().file().bytes(), seg->base_offset(),
                                     seg->next_offset(), seg->size())
                      .ok());
    }
  }
}

}  // namespace
}  // namespace topicfs::store

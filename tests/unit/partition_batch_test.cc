// Batch appends (issue 18 item 4), what a Kafka Produce needs: the base
// offset comes back with the append, and a batch lands whole in one segment
// or not at all — on a roll, a full index, a full disk, a record or batch
// too long, a deleted topic — with no other append between its records.
#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "store/partition.h"
#include "store/store.h"
#include "tests/support/store_fixture.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

using test::AppendOk;
using test::Config;
using test::MakeRecords;
using test::ReadAll;
using test::ScopedFaultInjector;
using test::ScriptedFaultInjector;

constexpr int64_t kT0 = 1'700'000'000'000;

class PartitionBatchTest : public test::StoreTest {
 protected:
  // Every batch's records are in one segment: [base, base + records).
  static void ExpectInOneSegment(Partition& p, const Partition::BatchAppended& batch) {
    for (const auto& seg : p.Segments()) {
      if (seg->base_offset() <= batch.base_offset.value() &&
          batch.base_offset.value() < seg->next_offset()) {
        EXPECT_LE(batch.base_offset.value() + batch.records, seg->next_offset())
            << "batch at " << batch.base_offset.value() << " crosses a roll";
        return;
      }
    }
    ADD_FAILURE() << "no segment holds offset " << batch.base_offset.value();
  }
  // The partition's bytes and end offset, to show a refusal changed nothing.
  static std::pair<std::string, int64_t> Snapshot(const std::shared_ptr<Partition>& p) {
    return {ReadAll(p), p->log_end_offset()};
  }
};

TEST_F(PartitionBatchTest, ReturnsTheBaseOffsetAmongOtherAppends) {
  auto p = Make(TopicConfig());
  Result<Partition::BatchAppended> first = p->AppendBatch(MakeRecords(0, 3), kT0);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->base_offset, Offset(0));
  EXPECT_EQ(first->records, 3);
  EXPECT_EQ(first->append_time_ms, kT0);
  AppendOk(*p, MakeRecords(3, 2), kT0);
  Result<Partition::BatchAppended> second = p->AppendBatch(MakeRecords(5, 4), kT0 + 1);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->base_offset, Offset(5));
  EXPECT_EQ(second->records, 4);
  EXPECT_EQ(ReadAll(p), MakeRecords(0, 9));
}

TEST_F(PartitionBatchTest, ABatchThatDoesNotFitRollsFirstAndLandsWhole) {
  const size_t record = MakeRecords(0, 1).size();
  auto p = Make(Config({{"segment.bytes", std::to_string(record * 10).c_str()}}));
  AppendOk(*p, MakeRecords(0, 7), kT0);  // 3 records of room left
  Result<Partition::BatchAppended> batch = p->AppendBatch(MakeRecords(7, 5), kT0);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->base_offset, Offset(7));
  ASSERT_EQ(p->segment_count(), 2);
  EXPECT_EQ(p->Segments()[1]->base_offset(), 7) << "the batch starts the new segment";
  EXPECT_EQ(p->Segments()[0]->size(), static_cast<int64_t>(record * 7));
  ExpectInOneSegment(*p, *batch);
  EXPECT_EQ(ReadAll(p), MakeRecords(0, 12));
}

TEST_F(PartitionBatchTest, AFullIndexRollsFirstInsteadOfSplittingTheBatch) {
  // A few index entries a segment, one for every record after the first.
  auto p = Make(Config({{"segment.index.bytes", "64"}, {"index.interval.bytes", "1"}}));
  std::vector<Partition::BatchAppended> batches;
  int64_t next = 0;
  for (int64_t n : {2, 3, 2, 4, 1, 3, 4, 2, 3}) {
    Result<Partition::BatchAppended> batch = p->AppendBatch(MakeRecords(next, n), kT0);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    EXPECT_EQ(batch->base_offset, Offset(next));
    batches.push_back(*batch);
    next += n;
  }
  EXPECT_GT(p->segment_count(), 2);
  for (const auto& batch : batches) ExpectInOneSegment(*p, batch);
  EXPECT_EQ(ReadAll(p), MakeRecords(0, next));
}

TEST_F(PartitionBatchTest, RefusedBatchesLeaveNothing) {
  const size_t record = MakeRecords(0, 1).size();
  auto p = Make(Config({{"segment.bytes", std::to_string(record * 10).c_str()},
                        {"max.message.bytes", "20"}}));
  AppendOk(*p, MakeRecords(0, 4), kT0);
  const auto before = Snapshot(p);
  // Longer than segment.bytes.
  EXPECT_TRUE(p->AppendBatch(MakeRecords(4, 11), kT0).status().Is(Code::kMessageTooLarge));
  // One record longer than max.message.bytes, in the middle.
  const std::string long_record = std::string(30, 'x') + "\n";
  EXPECT_TRUE(p->AppendBatch(MakeRecords(4, 1) + long_record + MakeRecords(5, 1), kT0)
                  .status()
                  .Is(Code::kMessageTooLarge));
  // Not whole records; empty.
  EXPECT_TRUE(p->AppendBatch(MakeRecords(4, 2) + "half", kT0).status().Is(Code::kInvalidArgument));
  EXPECT_TRUE(p->AppendBatch("", kT0).status().Is(Code::kInvalidArgument));
  EXPECT_EQ(Snapshot(p), before);
  EXPECT_EQ(p->segment_count(), 1);
}

TEST_F(PartitionBatchTest, ADiskFullPartWayLeavesNothingAndTheNextBatchGoesIn) {
  auto p = Make(TopicConfig());
  AppendOk(*p, MakeRecords(0, 3), kT0);
  const auto before = Snapshot(p);
  ScriptedFaultInjector faults;
  ScopedFaultInjector install(&faults);
  faults.FailWrite(".log", 20, ENOSPC);  // 20 bytes go in, then the disk is full
  EXPECT_TRUE(p->AppendBatch(MakeRecords(3, 5), kT0).status().Is(Code::kNoSpace));
  EXPECT_EQ(Snapshot(p), before);
  Result<Partition::BatchAppended> batch = p->AppendBatch(MakeRecords(3, 5), kT0);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->base_offset, Offset(3));
  EXPECT_EQ(ReadAll(p), MakeRecords(0, 8));
}

TEST_F(PartitionBatchTest, ADeletedTopicTakesNoBatch) {
  auto p = Make(TopicConfig());
  ASSERT_TRUE(store_->DeleteTopic("t", /*require_empty=*/true).ok());
  EXPECT_TRUE(p->AppendBatch(MakeRecords(0, 2), kT0).status().Is(Code::kNotFound));
}

TEST_F(PartitionBatchTest, ConcurrentBatchesAndAppendsNeverInterleave) {
  auto p = Make(Config({{"segment.bytes", "4000"}}));
  constexpr int kThreads = 4;
  constexpr int kBatches = 200;
  std::vector<std::vector<Partition::BatchAppended>> done(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        // Records "t<thread>-<batch>-<i>", 1 to 7 of them.
        std::string batch;
        const int n = 1 + (b * 5 + t) % 7;
        for (int i = 0; i < n; ++i) {
          batch += "t" + std::to_string(t) + "-" + std::to_string(b) + "-" + std::to_string(i) + "\n";
        }
        if (t == 0) {  // one thread appends as the mount does
          AppendOk(*p, batch, kT0);
          continue;
        }
        Result<Partition::BatchAppended> r = p->AppendBatch(batch, kT0);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ASSERT_EQ(r->records, n);
        done[t].push_back(*r);
      }
    });
  }
  for (auto& th : threads) th.join();
  // Each returned base offset names the batch's first record, and the
  // batch's records follow it in order, in one segment.
  const std::vector<std::string> records = test::SplitRecords(ReadAll(p));
  for (int t = 1; t < kThreads; ++t) {
    int b = 0;
    for (const auto& batch : done[t]) {
      ExpectInOneSegment(*p, batch);
      for (int64_t i = 0; i < batch.records; ++i) {
        ASSERT_LT(batch.base_offset.value() + i, static_cast<int64_t>(records.size()));
        EXPECT_EQ(records[batch.base_offset.value() + i],
                  "t" + std::to_string(t) + "-" + std::to_string(b) + "-" + std::to_string(i) +
                      "\n");
      }
      ++b;
    }
  }
}

}  // namespace
}  // namespace topicfs::store

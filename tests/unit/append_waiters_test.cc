// Waiting at the log end: an append wakes exactly the waiters it reached,
// once, after the records are readable; a wait for bytes already there is
// not registered; cancelled waits never wake; deleting the topic wakes its
// waiters with NotFound and closing the store with Unavailable.
#include "store/append_waiters.h"

#include <atomic>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/partition_reader.h"
#include "store/store.h"
#include "tests/support/store_fixture.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

using test::AppendOk;

constexpr int64_t kT0 = 1'700'000'000'000;

// What one wait saw: how many wake-ups, with which status, and whether the
// awaited record was readable when it woke.
struct Seen {
  int wakes = 0;
  Status status;
  bool readable = false;
};

class AppendWaitersTest : public test::StoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(Open());
    ASSERT_TRUE(store_->CreateTopic("t", 2, test::Config({})).ok());
    ASSERT_TRUE(store_->CreateTopic("u", 1, test::Config({})).ok());
  }
  std::unique_ptr<PartitionReader> ReaderAtEnd(std::string_view topic, int32_t p) {
    auto part = store_->FindPartition(topic, p);
    auto reader = PartitionReader::FromOffset(part, Offset(part->log_end_offset()));
    EXPECT_TRUE(reader.ok());
    return reader.ok() ? std::move(*reader) : nullptr;
  }
  // Registers a wait at `reader`'s end; `seen` records the wake-up.
  WaitId Wait(PartitionReader* reader, Seen* seen) {
    const ReadPosition at = reader->end();
    Result<WaitId> id = reader->WhenReadable(at, [reader, at, seen](const Status& s) {
      ++seen->wakes;
      seen->status = s;
      char c;
      Result<size_t> n = reader->ReadAt(at, &c, 1);
      seen->readable = n.ok() && *n == 1;
    });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_NE(*id, 0u);
    return *id;
  }
};

TEST_F(AppendWaitersTest, AnAppendWakesOnlyItsPartitionsWaitersOnceWithTheRecordReadable) {
  auto r0 = ReaderAtEnd("t", 0), r0b = ReaderAtEnd("t", 0), r1 = ReaderAtEnd("t", 1),
       ru = ReaderAtEnd("u", 0);
  Seen s0, s0b, s1, su;
  Wait(r0.get(), &s0);
  Wait(r0b.get(), &s0b);
  Wait(r1.get(), &s1);
  Wait(ru.get(), &su);
  AppendOk(*store_->FindPartition("t", 0), "a\n", kT0);
  EXPECT_EQ(s0.wakes, 1);
  EXPECT_TRUE(s0.status.ok());
  EXPECT_TRUE(s0.readable);
  EXPECT_EQ(s0b.wakes, 1);
  EXPECT_EQ(s1.wakes, 0);
  EXPECT_EQ(su.wakes, 0);
  AppendOk(*store_->FindPartition("t", 0), "b\n", kT0);
  EXPECT_EQ(s0.wakes, 1);  // once
}

TEST_F(AppendWaitersTest, ABatchAppendWakesToo) {
  auto r = ReaderAtEnd("t", 1);
  Seen s;
  Wait(r.get(), &s);
  ASSERT_TRUE(store_->FindPartition("t", 1)->AppendBatch("x\ny\n", kT0).ok());
  EXPECT_EQ(s.wakes, 1);
  EXPECT_TRUE(s.readable);
}

TEST_F(AppendWaitersTest, AWaitForBytesAlreadThereIsNotRegistered) {
  auto part = store_->FindPartition("t", 0);
  AppendOk(*part, "a\nb\n", kT0);
  auto reader = PartitionReader::FromOffset(part, Offset(0));
  ASSERT_TRUE(reader.ok());
  bool called = false;
  Result<WaitId> id = (*reader)->WhenReadable(ReadPosition(2), [&](const Status&) { called = true; });
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 0u);
  AppendOk(*part, "c\n", kT0);
  EXPECT_FALSE(called);
}

TEST_F(AppendWaitersTest, ACancelledWaitNeverWakes) {
  auto r = ReaderAtEnd("t", 0);
  Seen s;
  WaitId id = Wait(r.get(), &s);
  EXPECT_TRUE(r->CancelWait(id));
  EXPECT_FALSE(r->CancelWait(id));
  AppendOk(*store_->FindPartition("t", 0), "a\n", kT0);
  EXPECT_EQ(s.wakes, 0);
}

TEST_F(AppendWaitersTest, DeletingTheTopicWakesItsWaitersWithNotFound) {
  auto r = ReaderAtEnd("t", 0);
  auto other = ReaderAtEnd("u", 0);
  Seen s, so;
  Wait(r.get(), &s);
  Wait(other.get(), &so);
  ASSERT_TRUE(store_->DeleteTopic("t", /*require_empty=*/false).ok());
  EXPECT_EQ(s.wakes, 1);
  EXPECT_EQ(s.status.code(), Code::kNotFound);
  EXPECT_EQ(so.wakes, 0);
  Result<WaitId> again = r->WhenReadable(r->end(), [](const Status&) {});
  EXPECT_EQ(again.status().code(), Code::kNotFound);
}

TEST_F(AppendWaitersTest, ClosingTheStoreWakesEveryWaiterWithUnavailable) {
  auto r = ReaderAtEnd("u", 0);
  Seen s;
  Wait(r.get(), &s);
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_EQ(s.wakes, 1);
  EXPECT_EQ(s.status.code(), Code::kUnavailable);
}

TEST_F(AppendWaitersTest, AThousandWaitersAreAllWokenByOneAppend) {
  auto part = store_->FindPartition("t", 0);
  std::vector<std::unique_ptr<PartitionReader>> readers;
  std::atomic<int> woken{0};
  for (int i = 0; i < 1000; ++i) {
    readers.push_back(ReaderAtEnd("t", 0));
    Result<WaitId> id =
        readers.back()->WhenReadable(readers.back()->end(), [&](const Status& s) {
          if (s.ok()) woken.fetch_add(1);
        });
    ASSERT_TRUE(id.ok());
  }
  AppendOk(*part, "go\n", kT0);
  EXPECT_EQ(woken.load(), 1000);
}

}  // namespace
}  // namespace topicfs::store

// Deleting a topic (issue 9 §2, issue 18 item 8): the slow removal of its
// files runs without the store's lock, the name is free at once and a topic
// made again under it never meets the old files, a crash half-way is
// finished at the next open, and nothing of a deleted topic is written
// afterwards (appends, flushes, retention, config changes).
#include <unistd.h>

#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "store/store.h"
#include "store/topic_trash.h"
#include "tests/support/store_fixture.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

using test::AppendOk;
using test::Config;
using test::MakeRecords;
using test::ReadAll;

constexpr int64_t kT0 = 1'700'000'000'000;

class StoreDeleteTest : public test::StoreTest {
 protected:
  // A topic of `segments` sealed segments plus the active one.
  void MakeBigTopic(const std::string& name, int segments) {
    ASSERT_TRUE(store_->CreateTopic(name, 1, Config({{"segment.bytes", "100"}})).ok());
    AppendOk(*store_->FindPartition(name, 0), MakeRecords(0, segments * 10, "r-", 10), kT0);
    ASSERT_GE(store_->FindPartition(name, 0)->segment_count(), segments);
  }
};

TEST_F(StoreDeleteTest, LookupsOfOtherTopicsGoOnWhileTheFilesAreRemoved) {
  MakeBigTopic("big", 20);
  ASSERT_TRUE(store_->CreateTopic("other", 1, TopicConfig()).ok());
  AppendOk(*store_->FindPartition("other", 0), "o\n", kT0);
  bool hook_ran = false;
  store_->SetDeletionHookForTest([&](const std::string& trash) {
    hook_ran = true;
    // The files still wait, moved aside; the name is already free.
    EXPECT_TRUE(std::filesystem::exists(trash + "/0/00000000000000000000.log"));
    EXPECT_FALSE(std::filesystem::exists(data() + "/topics/big"));
    // From another thread, as a FUSE worker would: a lookup, a listing and
    // a create must not wait for this deletion (a deadlock would hang here
    // until the test's ctest timeout, never pass).
    std::thread other([&] {
      EXPECT_NE(store_->FindTopic("other"), nullptr);
      EXPECT_EQ(store_->ListTopics(), (std::vector<std::string>{"other"}));
      EXPECT_TRUE(store_->CreateTopic("big", 1, TopicConfig()).ok());
    });
    other.join();
  });
  ASSERT_TRUE(store_->DeleteTopic("big", /*require_empty=*/false).ok());
  EXPECT_TRUE(hook_ran);
  // The topic made during the deletion is new and whole: empty, its files
  // untouched by the removal of the old ones.
  std::shared_ptr<Partition> fresh = store_->FindPartition("big", 0);
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->log_end_offset(), 0);
  EXPECT_TRUE(std::filesystem::exists(data() + "/topics/big/0/00000000000000000000.log"));
  AppendOk(*fresh, "new\n", kT0);
  EXPECT_EQ(ReadAll(fresh), "new\n");
  EXPECT_TRUE(std::filesystem::is_empty(data() + "/trash"));
  Reopen();
  EXPECT_EQ(ReadAll(store_->FindPartition("big", 0)), "new\n");
  EXPECT_EQ(ReadAll(store_->FindPartition("other", 0)), "o\n");
}

TEST_F(StoreDeleteTest, NothingOfADeletedTopicIsWrittenAfterwards) {
  MakeBigTopic("t", 3);
  std::shared_ptr<Topic> held = store_->FindTopic("t");
  std::shared_ptr<Partition> p = held->partition(0);
  ASSERT_TRUE(store_->DeleteTopic("t", /*require_empty=*/false).ok());
  ASSERT_TRUE(store_->CreateTopic("t", 1, TopicConfig()).ok());
  // The old partition object, as an open handle would still hold it.
  EXPECT_TRUE(p->Append("x\n", "", kT0).status.Is(Code::kNotFound));
  EXPECT_TRUE(p->Flush().Is(Code::kNotFound));
  EXPECT_TRUE(p->TrimSegment(0).Is(Code::kNotFound));
  Result<int> trimmed = p->DeleteOldest([](const Segment&) { return true; });
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(*trimmed, 0);
  EXPECT_TRUE(store_->SetTopicConfig("t", "retention.ms", "1000").ok());  // the new one
  // The new topic's files and catalog are its own.
  EXPECT_TRUE(std::filesystem::exists(data() + "/topics/t/0/00000000000000000000.log"));
  Reopen();
  EXPECT_EQ(store_->FindPartition("t", 0)->log_end_offset(), 0);
  EXPECT_EQ(store_->FindPartition("t", 0)->log_start_offset(), 0);
  EXPECT_EQ(store_->FindTopic("t")->config().retention_ms(), 1000);
}

TEST_F(StoreDeleteTest, AReaderHoldingThePartitionReadsEverySegmentAfterTheDeletion) {
  // Few descriptors, so the old segments are not all open by chance when
  // the topic goes: a reader must not reopen one by its (reusable) path.
  store_.reset();
  Store::Options options;
  options.data_dir = data();
  options.max_open_files = 2;
  options.env = &test::TestEnv();
  Result<std::unique_ptr<Store>> opened = Store::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store_ = std::move(*opened);
  MakeBigTopic("t", 6);
  std::shared_ptr<Partition> p = store_->FindPartition("t", 0);
  const std::string before = ReadAll(p);
  ASSERT_TRUE(store_->DeleteTopic("t", /*require_empty=*/false).ok());
  ASSERT_TRUE(store_->CreateTopic("t", 1, TopicConfig()).ok());
  AppendOk(*store_->FindPartition("t", 0), "other bytes\n", kT0);
  EXPECT_EQ(ReadAll(p), before);
}

TEST_F(StoreDeleteTest, ACrashAfterTheMoveAndBeforeTheCommitIsFinishedAtOpen) {
  MakeBigTopic("t", 2);
  ASSERT_TRUE(store_->CreateTopic("keep", 1, TopicConfig()).ok());
  store_.reset();
  // What a crash leaves between MoveTopicToTrash and the metadata commit.
  Result<std::string> trash = MoveTopicToTrash(test::TestEnv(), data(), "t");
  ASSERT_TRUE(trash.ok()) << trash.status().ToString();
  Reopen();
  EXPECT_EQ(store_->ListTopics(), (std::vector<std::string>{"keep"}));
  EXPECT_FALSE(std::filesystem::exists(*trash));
  // And the name starts empty.
  ASSERT_TRUE(store_->CreateTopic("t", 1, TopicConfig()).ok());
  EXPECT_EQ(store_->FindPartition("t", 0)->log_end_offset(), 0);
}

TEST_F(StoreDeleteTest, ACrashAfterTheCommitLeavesOnlyTrashThatOpenRemoves) {
  MakeBigTopic("t", 2);
  std::string trash_path;
  // Stops before removing: the files stay in the trash, as after a crash.
  store_->SetDeletionHookForTest([&](const std::string& trash) {
    trash_path = trash;
    std::filesystem::copy(trash, trash + ".copy", std::filesystem::copy_options::recursive);
  });
  ASSERT_TRUE(store_->DeleteTopic("t", /*require_empty=*/false).ok());
  ASSERT_TRUE(std::filesystem::exists(trash_path + ".copy"));
  Reopen();
  EXPECT_TRUE(store_->ListTopics().empty());
  EXPECT_TRUE(std::filesystem::is_empty(data() + "/trash"));
}

}  // namespace
}  // namespace topicfs::store

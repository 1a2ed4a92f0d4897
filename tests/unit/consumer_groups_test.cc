// Consumer groups in the store: commits survive a reopen, are listed by
// partition then group, go with their topic, and can be forgotten; one
// claim per group and partition; a store made before groups existed opens
// read-write (the column family is added) and read-only (none found).
#include "store/consumer_groups.h"

#include <rocksdb/db.h>

#include "gtest/gtest.h"
#include "store/store.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

class ConsumerGroupsTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    store_ = test::OpenStore(dir_.path());
    ASSERT_TRUE(store_);
    if (!store_->FindTopic("t")) {
      ASSERT_TRUE(store_->CreateTopic("t", 2, test::Config({})).ok());
    }
  }
  test::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ConsumerGroupsTest, CommitsSurviveAReopenAndAreListedByPartitionThenGroup) {
  ConsumerGroups& g = store_->groups();
  ASSERT_TRUE(g.Commit("t", 1, "b", Offset(7), 1000).ok());
  ASSERT_TRUE(g.Commit("t", 0, "b", Offset(3), 1000).ok());
  ASSERT_TRUE(g.Commit("t", 0, "a", Offset(5), 1000).ok());
  ASSERT_TRUE(g.Commit("t", 0, "a", Offset(6), 2000).ok());
  Reopen();
  auto got = store_->groups().Get("t", 0, "a");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->offset, 6);
  EXPECT_EQ((*got)->commit_ms, 2000);
  auto none = store_->groups().Get("t", 1, "a");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto all = store_->groups().List("t");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].group, "a");
  EXPECT_EQ((*all)[1].group, "b");
  EXPECT_EQ((*all)[1].partition, 0);
  EXPECT_EQ((*all)[2].partition, 1);
}

TEST_F(ConsumerGroupsTest, ForgettingAGroupAndDeletingTheTopicRemoveItsOffsets) {
  ConsumerGroups& g = store_->groups();
  ASSERT_TRUE(g.Commit("t", 0, "a", Offset(1), 1).ok());
  EXPECT_TRUE(g.Forget("t", 0, "a").ok());
  EXPECT_TRUE(g.Forget("t", 0, "a").Is(Code::kNotFound));
  ASSERT_TRUE(g.Commit("t", 1, "a", Offset(1), 1).ok());
  ASSERT_TRUE(store_->DeleteTopic("t", false).ok());
  ASSERT_TRUE(store_->CreateTopic("t", 2, test::Config({})).ok());
  auto all = g.List("t");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty()) << "a new topic of the same name starts without groups";
}

TEST_F(ConsumerGroupsTest, ACommitAfterItsTopicWasDeletedIsRefused) {
  std::shared_ptr<Partition> old = store_->FindPartition("t", 0);
  ASSERT_TRUE(store_->DeleteTopic("t", false).ok());
  EXPECT_TRUE(store_->groups().Commit(*old, "a", Offset(0), 1).Is(Code::kNotFound));
  ASSERT_TRUE(store_->CreateTopic("t", 2, test::Config({})).ok());
  auto all = store_->groups().List("t");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty()) << "the new topic inherited a deleted topic's group offset";
}

TEST_F(ConsumerGroupsTest, OneClaimPerGroupAndPartition) {
  ConsumerGroups& g = store_->groups();
  auto first = g.Acquire("t", 0, "a");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(g.Acquire("t", 0, "a").status().Is(Code::kBusy));
  EXPECT_TRUE(g.Acquire("t", 1, "a").ok());
  EXPECT_TRUE(g.Acquire("t", 0, "b").ok());
  EXPECT_TRUE(g.Acquire("t", 0, "bad/name").status().Is(Code::kInvalidArgument));
  first->reset();
  EXPECT_TRUE(g.Acquire("t", 0, "a").ok());
}

TEST_F(ConsumerGroupsTest, AStoreFromBeforeGroupsOpensReadWriteAndReadOnly) {
  store_.reset();
  // Drop the family, as a store made by an earlier topicfs lacks it.
  {
    rocksdb::DB* db = nullptr;
    std::vector<std::string> names;
    const std::string meta = dir_.path() + "/meta";
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), meta, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), meta, families, &handles, &db).ok());
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "groups") {
        ASSERT_TRUE(db->DropColumnFamily(handles[i]).ok());
      }
    }
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  Store::Options ro;
  ro.data_dir = dir_.path();
  ro.read_only = true;
  auto read_only = Store::Open(ro);
  ASSERT_TRUE(read_only.ok()) << read_only.status().ToString();
  auto none = (*read_only)->groups().List("t");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  read_only->reset();
  Reopen();
  EXPECT_TRUE(store_->groups().Commit("t", 0, "a", Offset(0), 1).ok());
}

}  // namespace
}  // namespace topicfs::store

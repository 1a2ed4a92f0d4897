// Store events (store/events.h): retention's deletions reach every listener,
// one event per deleted segment, matching what ApplyRetention returned; a
// dry run and a removed listener hear nothing.
#include "store/events.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/store.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

struct Recorder : StoreListener {
  std::vector<std::string> deleted;
  void OnSegmentDeleted(std::string_view topic, int32_t partition, int64_t base) override {
    deleted.push_back(std::string(topic) + "/" + std::to_string(partition) + "@" +
                      std::to_string(base));
  }
};

TEST(StoreEventsTest, RetentionDeletionsReachEveryListenerOnce) {
  test::TempDir dir;
  auto store = test::OpenStore(dir.path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->CreateTopic("t", 1,
                                 test::Config({{"segment.bytes", "100"},
                                               {"retention.bytes", "100"}}))
                  .ok());
  auto p = store->FindPartition("t", 0);
  for (int i = 0; i < 40; ++i) test::AppendOk(*p, test::MakeRecords(i, 1), 1000 + i);
  Recorder a, b, removed;
  store->AddListener(&a);
  store->AddListener(&b);
  store->AddListener(&removed);
  store->RemoveListener(&removed);
  auto dry = store->ApplyRetention(5000, /*dry_run=*/true);
  ASSERT_TRUE(dry.ok());
  ASSERT_FALSE(dry->empty());
  EXPECT_TRUE(a.deleted.empty());
  auto done = store->ApplyRetention(5000, /*dry_run=*/false);
  ASSERT_TRUE(done.ok());
  std::vector<std::string> expected;
  for (const RetentionAction& r : *done) {
    expected.push_back(r.topic + "/" + std::to_string(r.partition) + "@" +
                       std::to_string(r.base_offset));
  }
  EXPECT_EQ(a.deleted, expected);
  EXPECT_EQ(b.deleted, expected);
  EXPECT_TRUE(removed.deleted.empty());
}

}  // namespace
}  // namespace topicfs::store

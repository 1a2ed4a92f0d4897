// DESIGN §3: a store can be opened again whatever its shape. With the
// process's descriptor limit far below the number of segment files, a store
// of many partitions, each with a few segments, is written, read, sealed,
// verified, reopened cleanly and recovered after a crash, and the store
// never holds more segment descriptors than its cache allows.
#include <dirent.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/store.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

constexpr int kPartitions = 300;
constexpr size_t kCacheLimit = 32;
// Three segments' files per partition are 2,700 files; the process may hold
// 160 descriptors in all (RocksDB, gtest and the cache included).
constexpr rlim_t kProcessLimit = 160;
constexpr int64_t kT0 = 1'700'000'000'000;

int OpenDescriptors() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (struct dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n - 1;  // the directory's own
}

std::string Records(int partition, int round) {
  return test::MakeRecords(round * 10, 10, "p" + std::to_string(partition) + "-", 6);
}

class StoreDescriptorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // This test runs in a process of its own (gtest_discover_tests).
    struct rlimit limit = {kProcessLimit, kProcessLimit};
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
    baseline_ = OpenDescriptors();
  }
  std::unique_ptr<Store> Open() {
    Store::Options options;
    options.data_dir = dir_.Sub("data");
    options.max_open_files = kCacheLimit;
    options.env = &test::TestEnv();
    Result<std::unique_ptr<Store>> store = Store::Open(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
  // Every partition holds rounds [0, rounds) of its records.
  void ExpectAllRecords(Store& store, int rounds) {
    for (int p = 0; p < kPartitions; ++p) {
      std::shared_ptr<Partition> part = store.FindPartition("t", p);
      ASSERT_NE(part, nullptr);
      std::string want;
      for (int r = 0; r < rounds; ++r) want += Records(p, r);
      ASSERT_EQ(test::ReadAll(part), want) << "partition " << p;
    }
  }
  void ExpectBounded(Store& store) {
    EXPECT_LE(store.descriptor_cache().open_count(), kCacheLimit);
    // RocksDB and the metadata take a few more; never one per segment.
    EXPECT_LE(OpenDescriptors(), baseline_ + static_cast<int>(kCacheLimit) + 40);
  }

  test::TempDir dir_;
  int baseline_ = 0;
};

TEST_F(StoreDescriptorsTest, ManyPartitionsOfSeveralSegmentsLiveUnderASmallCache) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    // 10 records of 10 bytes per round; a segment holds one round.
    ASSERT_TRUE(
        store->CreateTopic("t", kPartitions, test::Config({{"segment.bytes", "100"}})).ok());
    for (int round = 0; round < 3; ++round) {
      for (int p = 0; p < kPartitions; ++p) {
        test::AppendOk(*store->FindPartition("t", p), Records(p, round), kT0 + round);
      }
      ExpectBounded(*store);
    }
    EXPECT_GE(store->FindPartition("t", 7)->segment_count(), 3);
    ExpectAllRecords(*store, 3);
    EXPECT_TRUE(store->Verify().empty());
    ExpectBounded(*store);
    ASSERT_TRUE(store->Close().ok());
  }
  {
    std::unique_ptr<Store> store = Open();  // clean reopen
    ASSERT_NE(store, nullptr);
    EXPECT_FALSE(store->recovered());
    EXPECT_EQ(store->descriptor_cache().opens(), 0u);  // opening opened no segment file
    ExpectBounded(*store);
    ExpectAllRecords(*store, 3);
    for (int p = 0; p < kPartitions; ++p) {
      test::AppendOk(*store->FindPartition("t", p), Records(p, 3), kT0 + 3);
    }
    ExpectBounded(*store);
  }
  // A crash after more appends: the next open recovers every partition.
  ASSERT_EQ(test::RunInChild([&] {
              Store* store = Open().release();  // "crashes" without a close
              if (store == nullptr) return false;
              for (int p = 0; p < kPartitions; ++p) {
                auto r = store->FindPartition("t", p)->Append(Records(p, 4), {}, kT0 + 4);
                if (!r.status.ok()) return false;
              }
              return true;
            }),
            0);
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->recovered());
  ExpectBounded(*store);
  ExpectAllRecords(*store, 5);
  std::vector<VerifyProblem> problems = store->Verify();
  EXPECT_TRUE(problems.empty()) << problems.front().path << ": " << problems.front().what;
  ExpectBounded(*store);
}

// A reader holding a segment keeps reading it after retention removed its
// files, even once the cache has closed every other descriptor.
TEST_F(StoreDescriptorsTest, AHeldSegmentStaysReadableAfterRetentionRemovesIt) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  // More partitions than the cache holds: using them all evicts the rest.
  constexpr int kMany = static_cast<int>(kCacheLimit) + 8;
  ASSERT_TRUE(store->CreateTopic("t", kMany, test::Config({{"segment.bytes", "100"}})).ok());
  std::shared_ptr<Partition> part = store->FindPartition("t", 0);
  test::AppendOk(*part, Records(0, 0), kT0);
  test::AppendOk(*part, Records(0, 1), kT0 + 1);
  std::shared_ptr<Segment> first = part->SegmentChain().front();
  ASSERT_TRUE(part->TrimSegment(first->base_offset()).ok());
  EXPECT_FALSE(test::FileExists(first->log_path()));
  for (int p = 1; p < kMany; ++p) {
    test::AppendOk(*store->FindPartition("t", p), Records(p, 0), kT0);
  }
  std::string got(first->size(), '\0');
  Result<size_t> n = first->Read(got.data(), got.size(), 0);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(got, Records(0, 0));
}

// A topic (mkdir) or a partition whose creation fails, for any reason,
// leaves no directory and no catalog entry, now or after a reopen.
TEST_F(StoreDescriptorsTest, AFailedTopicCreationLeavesNothingBehind) {
  const std::string topics = dir_.Sub("data") + "/topics";
  for (int err : {EMFILE, ENOSPC, EIO}) {
    SCOPED_TRACE(strerror(err));
    {
      std::unique_ptr<Store> store = Open();
      ASSERT_NE(store, nullptr);
      test::ScriptedFaultInjector faults;
      test::ScopedFaultInjector installed(&faults);
      faults.FailOpen("/bad/2/00000000000000000000.timeindex", err);
      Status s = store->CreateTopic("bad", 4, TopicConfig());
      EXPECT_EQ(s.sys_errno(), err) << s.ToString();
      // The last step, the directory's fsync, fails too.
      faults.FailSync("/topics", err);
      EXPECT_FALSE(store->CreateTopic("late", 1, TopicConfig()).ok());
      EXPECT_EQ(store->FindTopic("bad"), nullptr);
      EXPECT_EQ(store->FindTopic("late"), nullptr);
      EXPECT_TRUE(store->ListTopics().empty());
      EXPECT_TRUE(test::ListDir(topics).empty());
      faults.Clear();
      ASSERT_TRUE(store->CreateTopic("bad", 2, TopicConfig()).ok());  // the name is free
      ASSERT_TRUE(store->DeleteTopic("bad", false).ok());
    }
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->ListTopics().empty());
  }
}

TEST_F(StoreDescriptorsTest, AFailedPartitionCreationLeavesNothingBehind) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->CreateTopic("t", 1, TopicConfig()).ok());
    test::ScriptedFaultInjector faults;
    test::ScopedFaultInjector installed(&faults);
    faults.FailOpen("/t/2/00000000000000000000.log", EMFILE);
    EXPECT_FALSE(store->SetPartitionCount("t", 3).ok());
    EXPECT_EQ(store->FindTopic("t")->partition_count(), 1);
    EXPECT_EQ(test::ListDir(dir_.Sub("data") + "/topics/t"), std::vector<std::string>{"0"});
  }
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->FindTopic("t")->partition_count(), 1);
  EXPECT_EQ(test::ListDir(dir_.Sub("data") + "/topics/t"), std::vector<std::string>{"0"});
}

}  // namespace
}  // namespace topicfs::store

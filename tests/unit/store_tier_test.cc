// Tiered storage in the store (DESIGN §9) over a directory tier: sealed
// segments copied, several at once, with their manifests, local retention
// that lets copied local files go while every offset stays readable, total retention
// and topic deletion that remove the objects, a tier that fails, and the
// states a crash can leave.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "store/partition_reader.h"
#include "store/store.h"
#include "store/tier_manager.h"
#include "tests/support/test_util.h"
#include "tier/file_tier.h"

namespace topicfs::store {
namespace {

using test::MakeRecords;

constexpr int64_t kT0 = 1'700'000'000'000;

// A directory tier that can be made to fail, as a store that is down would.
class FlakyTier : public tier::FileTier {
 public:
  using FileTier::FileTier;
  std::atomic<bool> down{false};
  std::atomic<int> puts{0};
  std::atomic<int> gets{0};
  // With `meet`, an upload of a .log waits (a while at most) for a second
  // one to start, so that parallel copies are seen to overlap.
  bool meet = false;
  std::atomic<int> uploading{0};
  std::atomic<int> most_uploading{0};
  Status PutFile(const std::string& key, int fd, int64_t size) override {
    if (down) return Status::Unavailable("tier down");
    ++puts;
    const int now = ++uploading;
    most_uploading = std::max(most_uploading.load(), now);
    for (int i = 0; meet && uploading < 2 && most_uploading < 2 && i < 200; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    Status s = FileTier::PutFile(key, fd, size);
    --uploading;
    return s;
  }
  Status PutBytes(const std::string& key, std::string_view bytes) override {
    if (down) return Status::Unavailable("tier down");
    ++puts;
    return FileTier::PutBytes(key, bytes);
  }
  Result<size_t> GetRange(const std::string& key, int64_t pos, char* buf, size_t len) override {
    if (down) return Status::Unavailable("tier down");
    ++gets;
    return FileTier::GetRange(key, pos, buf, len);
  }
  Result<std::string> GetAll(const std::string& key) override {
    if (down) return Status::Unavailable("tier down");
    ++gets;
    return FileTier::GetAll(key);
  }
};

class StoreTierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(bucket());
    tier_ = std::make_shared<FlakyTier>(bucket());
    Open();
  }
  std::string data() const { return dir_.Sub("data"); }
  std::string bucket() const { return dir_.Sub("bucket"); }
  void Open() {
    store_.reset();
    Store::Options options;
    options.data_dir = data();
    options.tier = tier_;
    options.tier_background = false;  // the test runs the work itself
    options.env = &test::TestEnv();
    auto opened = Store::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  // A tiered topic of 1 KiB segments that keeps 2 KiB locally.
  std::shared_ptr<Partition> MakeTopic(const char* local_bytes = "2048") {
    EXPECT_TRUE(store_
                    ->CreateTopic("logs", 1,
                                  test::Config({{"segment.bytes", "1024"},
                                                {"remote.storage.enable", "true"},
                                                {"local.retention.bytes", local_bytes},
                                                {"index.interval.bytes", "100"}}))
                    .ok());
    return store_->FindPartition("logs", 0);
  }
  std::vector<std::string> Objects(const std::string& suffix) {
    std::vector<std::string> out;
    auto listed = tier_->List("");
    EXPECT_TRUE(listed.ok());
    for (auto& o : *listed) {
      if (o.key.ends_with(suffix)) out.push_back(o.key);
    }
    return out;
  }
  int64_t LocalLogs(const std::shared_ptr<Partition>& p) {
    return static_cast<int64_t>(test::LogFiles(p->dir()).size());
  }

  test::TempDir dir_;
  std::shared_ptr<FlakyTier> tier_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTierTest, SealedSegmentsAreCopiedInOrderWithTheirManifests) {
  auto p = MakeTopic("-1");  // keep everything locally: only copies
  const std::string records = MakeRecords(0, 500);
  test::AppendOk(*p, records, kT0);
  const int64_t sealed = p->segment_count() - 1;
  ASSERT_GE(sealed, 3);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  EXPECT_EQ(static_cast<int64_t>(Objects(".manifest").size()), sealed);
  EXPECT_EQ(static_cast<int64_t>(Objects(".log").size()), sealed);
  for (auto& seg : p->Segments()) {
    EXPECT_EQ(seg->tier_copy() == Segment::TierCopy::kCopied, seg->sealed()) << seg->base_offset();
  }
  // A manifest says what the segment is.
  auto manifest = tier_->GetAll(Objects(".manifest").front());
  ASSERT_TRUE(manifest.ok());
  auto decoded = RemoteSegment::DecodeManifest(*manifest);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->topic, "logs");
  EXPECT_EQ(decoded->segment.meta.base_offset, 0);
  EXPECT_EQ(decoded->segment.meta.xxh3, p->Segments().front()->xxh3());
  // Nothing is held only remotely while local retention keeps everything.
  EXPECT_EQ(p->local_log_start_offset(), 0);
  EXPECT_EQ(test::ReadAll(p), records);
}

TEST_F(StoreTierTest, SegmentsAreCopiedInParallelAndLocalRetentionStillGoesInOrder) {
  auto p = MakeTopic("0");
  const std::string records = MakeRecords(0, 500);
  test::AppendOk(*p, records, kT0);
  ASSERT_GE(p->segment_count() - 1, 3);
  tier_->meet = true;
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  EXPECT_GE(tier_->most_uploading.load(), 2);
  EXPECT_LE(tier_->most_uploading.load(), static_cast<int>(TierManager::kParallelCopies));
  EXPECT_EQ(static_cast<int64_t>(Objects(".manifest").size()), p->segment_count() - 1);
  ASSERT_TRUE(store_->ApplyRetention(kT0, /*dry_run=*/false).ok());
  EXPECT_EQ(LocalLogs(p), 1);  // only the active segment
  EXPECT_EQ(test::ReadAll(p), records);
}

TEST_F(StoreTierTest, LocalRetentionKeepsEveryOffsetReadableThroughTheTier) {
  auto p = MakeTopic();
  const std::string records = MakeRecords(0, 300);
  test::AppendOk(*p, records, kT0);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  const int64_t before = LocalLogs(p);
  ASSERT_TRUE(store_->ApplyRetention(kT0, /*dry_run=*/false).ok());
  EXPECT_LT(LocalLogs(p), before);
  EXPECT_LE(p->local_size_bytes(), 2048 + 1024);
  EXPECT_GT(p->local_log_start_offset(), 0);
  EXPECT_EQ(p->log_start_offset(), 0);
  EXPECT_EQ(test::ReadAll(p), records);
  // A lookup in the middle of a remote-only segment reads from there on.
  EXPECT_EQ(test::ReadFrom(p, 7), MakeRecords(7, 293));
  // Reopened, the remote-only segments are still the log's first part.
  Open();
  p = store_->FindPartition("logs", 0);
  EXPECT_EQ(p->log_start_offset(), 0);
  EXPECT_GT(p->local_log_start_offset(), 0);
  EXPECT_EQ(test::ReadFrom(p, 11), MakeRecords(11, 289));
  EXPECT_EQ(test::ReadAll(p), records);
}

TEST_F(StoreTierTest, ALookupInARemoteSegmentCostsAtMostThreeRequestsColdAndNoneWarm) {
  auto p = MakeTopic("0");
  test::AppendOk(*p, MakeRecords(0, 300), kT0);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  ASSERT_TRUE(store_->ApplyRetention(kT0, false).ok());
  Open();  // a fresh cache, indexes not fetched
  p = store_->FindPartition("logs", 0);
  const int before = tier_->gets;
  auto reader = PartitionReader::FromOffset(p, Offset(25));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_LE(tier_->gets - before, 3);
  const int warm = tier_->gets;
  auto again = PartitionReader::FromOffset(p, Offset(26));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(tier_->gets, warm);
}

TEST_F(StoreTierTest, TotalRetentionDeletesRemoteSegmentsAndTheirObjects) {
  auto p = MakeTopic();
  test::AppendOk(*p, MakeRecords(0, 300), kT0);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  ASSERT_TRUE(store_->ApplyRetention(kT0, false).ok());
  const size_t copied = Objects(".log").size();
  ASSERT_TRUE(store_->SetTopicConfig("logs", "retention.bytes", "1500").ok());
  ASSERT_TRUE(store_->ApplyRetention(kT0, false).ok());
  EXPECT_GT(p->log_start_offset(), 0);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  EXPECT_LT(Objects(".log").size(), copied);
  EXPECT_EQ(Objects(".log").size(), Objects(".manifest").size());
  // What is left still reads, from the new log start on.
  EXPECT_EQ(test::ReadAll(p), MakeRecords(p->log_start_offset(), 300 - p->log_start_offset()));
}

TEST_F(StoreTierTest, DeletingATopicDeletesItsObjectsAndANewTopicOfTheNameSharesNone) {
  auto p = MakeTopic();
  test::AppendOk(*p, MakeRecords(0, 300), kT0);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  ASSERT_FALSE(Objects(".log").empty());
  ASSERT_TRUE(store_->DeleteTopic("logs", /*require_empty=*/false).ok());
  p = MakeTopic();
  test::AppendOk(*p, MakeRecords(0, 10, "new-"), kT0);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  EXPECT_TRUE(Objects(".log").empty());
}

TEST_F(StoreTierTest, ATierThatIsDownDelaysCopiesAndFailsRemoteReadsOnly) {
  auto p = MakeTopic();
  test::AppendOk(*p, MakeRecords(0, 300), kT0);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  ASSERT_TRUE(store_->ApplyRetention(kT0, false).ok());
  Open();
  p = store_->FindPartition("logs", 0);
  tier_->down = true;
  test::AppendOk(*p, MakeRecords(300, 50), kT0);  // local work goes on
  EXPECT_FALSE(store_->tier()->RunUntilIdle().ok());
  auto status = store_->PartitionTierStatus("logs", 0);
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->last_error.empty());
  EXPECT_GT(status->pending_copies, 0);
  auto remote = PartitionReader::FromOffset(p, Offset(0));
  if (remote.ok()) {
    char buf[64];
    EXPECT_TRUE(
        (*remote)->ReadAt(ReadPosition(0), buf, sizeof buf).status().Is(Code::kUnavailable));
  } else {
    EXPECT_TRUE(remote.status().Is(Code::kUnavailable)) << remote.status().ToString();
  }
  const int64_t local = p->local_log_start_offset();
  EXPECT_EQ(test::ReadFrom(p, local), MakeRecords(local, 350 - local));
  // Back up: the copies catch up, nothing was lost.
  tier_->down = false;
  Open();
  p = store_->FindPartition("logs", 0);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  EXPECT_EQ(test::ReadAll(p), MakeRecords(0, 350));
}

TEST_F(StoreTierTest, ACopyCutShortIsCopiedAgainAtTheNextOpen) {
  auto p = MakeTopic("-1");
  test::AppendOk(*p, MakeRecords(0, 100), kT0);
  // The first object goes, then the tier fails: COPY_SEGMENT_STARTED stays.
  tier_->down = false;
  auto next = p->NextToCopy(1);
  ASSERT_EQ(next.size(), 1u);
  const std::shared_ptr<Segment> seg = next.front();
  RemoteSegment record;
  record.object = RemoteObjectName("logs", "0123456789abcdef", 0, seg->base_offset());
  record.meta = seg->Meta(false);
  ASSERT_TRUE(p->BeginCopy(seg, record).ok());
  Open();
  p = store_->FindPartition("logs", 0);
  EXPECT_EQ(p->Segments().front()->tier_copy(), Segment::TierCopy::kCopying);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  EXPECT_EQ(p->Segments().front()->tier_copy(), Segment::TierCopy::kCopied);
  EXPECT_EQ(Objects(".manifest").size(), static_cast<size_t>(p->segment_count() - 1));
}

TEST_F(StoreTierTest, APausedTopicCopiesNothingUntilResumed) {
  auto p = MakeTopic("-1");
  ASSERT_TRUE(store_->SetTierPaused("logs", true).ok());
  test::AppendOk(*p, MakeRecords(0, 300), kT0);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  EXPECT_TRUE(Objects(".log").empty());
  Open();  // paused is kept
  EXPECT_TRUE(*store_->TierPaused("logs"));
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  EXPECT_TRUE(Objects(".log").empty());
  ASSERT_TRUE(store_->SetTierPaused("logs", false).ok());
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  auto status = store_->PartitionTierStatus("logs", 0);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->pending_copies, 0);
  EXPECT_GT(status->remote_bytes, 0);
  EXPECT_EQ(static_cast<int64_t>(Objects(".log").size()),
            store_->FindPartition("logs", 0)->segment_count() - 1);
}

// meta/ lost: the manifests in the tier bring the remote catalog back, and
// every record is readable again from offset 0.
TEST_F(StoreTierTest, ALostMetaIsRebuiltFromTheManifestsInTheTier) {
  auto p = MakeTopic();
  test::AppendOk(*p, MakeRecords(0, 300), kT0);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  ASSERT_TRUE(store_->ApplyRetention(kT0, false).ok());
  ASSERT_GT(p->local_log_start_offset(), 0);
  store_.reset();
  test::RemoveTree(data() + "/meta");
  Open();
  p = store_->FindPartition("logs", 0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->log_start_offset(), 0);
  EXPECT_EQ(test::ReadAll(p), MakeRecords(0, 300));
  EXPECT_TRUE(store_->Verify().empty());
}

// Even the local files gone, the tier's segments come back as the topic.
TEST_F(StoreTierTest, ATopicHeldOnlyInTheTierComesBackFromIt) {
  auto p = MakeTopic("0");
  test::AppendOk(*p, MakeRecords(0, 300), kT0);
  ASSERT_TRUE(store_->tier()->RunUntilIdle().ok());
  const int64_t copied_end = p->ActiveSegment()->base_offset();
  store_.reset();
  test::RemoveTree(data());
  Open();
  p = store_->FindPartition("logs", 0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->log_start_offset(), 0);
  EXPECT_EQ(p->log_end_offset(), copied_end);
  EXPECT_EQ(test::ReadAll(p), MakeRecords(0, copied_end));
  test::AppendOk(*p, MakeRecords(copied_end, 1, "new-"), kT0);  // and it goes on
  EXPECT_EQ(p->log_end_offset(), copied_end + 1);
}

TEST_F(StoreTierTest, ConfigsTakeKafkasValues) {
  TopicConfig c;
  EXPECT_FALSE(c.remote_storage_enable());
  EXPECT_EQ(c.Get("local.retention.ms"), "-2");
  EXPECT_EQ(c.local_retention_ms(), c.retention_ms());
  EXPECT_TRUE(c.Set("remote.storage.enable", "true").ok());
  EXPECT_TRUE(c.remote_storage_enable());
  EXPECT_FALSE(c.Set("remote.storage.enable", "yes").ok());
  EXPECT_TRUE(c.Set("local.retention.bytes", "1G").ok());
  EXPECT_EQ(c.local_retention_bytes(), int64_t{1} << 30);
  EXPECT_FALSE(c.Set("local.retention.bytes", "-3").ok());
  EXPECT_FALSE(c.Set("retention.bytes", "-2").ok());
}

TEST(RemoteSegmentTest, RecordsAndManifestsRoundTrip) {
  RemoteSegment r;
  r.state = RemoteState::kDeleteStarted;
  r.object = RemoteObjectName("a.b-c", "00000000000000ff", 3, 42);
  r.meta = {.base_offset = 42,
            .next_offset = 50,
            .size_bytes = 400,
            .first_timestamp_ms = 7,
            .max_timestamp_ms = 9,
            .sealed = true,
            .xxh3 = 0xfedcba9876543210ull,
            .hash_state = {}};
  r.index_bytes = 16;
  r.time_index_bytes = 24;
  EXPECT_EQ(r.object, "a.b-c-00000000000000ff/3/00000000000000000042");
  auto back = RemoteSegment::Decode(r.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Encode(), r.Encode());
  auto manifest = RemoteSegment::DecodeManifest(r.EncodeManifest("a.b-c", 3));
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ(manifest->partition, 3);
  EXPECT_EQ(manifest->segment.meta.xxh3, r.meta.xxh3);
  EXPECT_FALSE(RemoteSegment::Decode("state=NOPE\n").ok());
}

}  // namespace
}  // namespace topicfs::store

// The metadata in RocksDB (DESIGN §3.4): one column family per kind, values
// that round-trip, atomic batches, per-topic deletion that leaves other
// topics alone (names that share a prefix included), durability across
// reopen.
#include "store/metadata.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

class MetadataTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    meta_.reset();
    auto m = Metadata::Open(path_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    meta_ = std::move(*m);
  }
  SegmentMeta Seg(int64_t base, int64_t n, bool sealed) {
    SegmentMeta m;
    m.base_offset = base;
    m.next_offset = base + n;
    m.size_bytes = n * 13;
    m.first_timestamp_ms = 1000 + base;
    m.max_timestamp_ms = 2000 + base;
    m.sealed = sealed;
    m.xxh3 = 0x0123456789abcdefULL ^ static_cast<uint64_t>(base);
    return m;
  }
  // Fills topic `t` with a topic record, two partitions, segments, xattrs
  // and owners on every kind of object.
  void Fill(const std::string& t) {
    Metadata::Batch b(meta_.get());
    TopicRecord r;
    r.partitions = 2;
    ASSERT_TRUE(r.config.Set("retention.ms", "1d").ok());
    b.PutTopic(t, r);
    for (int p = 0; p < 2; ++p) {
      b.PutPartition(t, p, PartitionState{10 * p, 20 * p});
      for (int64_t base : {0, 100, 256, 1 << 20}) b.PutSegment(t, p, Seg(base, 50, base != (1 << 20)));
    }
    ASSERT_TRUE(meta_->Commit(b).ok());
    for (const std::string& obj :
         {TopicObjectKey(t), PartitionObjectKey(t, 0), SegmentObjectKey(t, 1, 100)}) {
      ASSERT_TRUE(meta_->PutXattr(obj, "user.a", "1").ok());
      ASSERT_TRUE(meta_->PutXattr(obj, "user.b", std::string("\0\xff", 2)).ok());
      ASSERT_TRUE(meta_->PutOwner(obj, Ownership{0750, 1000, 100}).ok());
    }
  }

  test::TempDir dir_;
  std::string path_ = dir_.Sub("meta");
  std::unique_ptr<Metadata> meta_;
};

TEST_F(MetadataTest, ColumnFamiliesAreTheDocumentedOnes) {
  meta_.reset();
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path_, &families).ok());
  std::sort(families.begin(), families.end());
  EXPECT_EQ(families, (std::vector<std::string>{"default", "groups", "owners", "partitions",
                                                "remote", "segments", "topics", "xattrs"}));
}

TEST_F(MetadataTest, TopicRecordRoundTripsAndSurvivesReopen) {
  Fill("orders");
  Open();
  auto topics = meta_->ListTopics();
  ASSERT_TRUE(topics.ok());
  ASSERT_EQ(topics->size(), 1u);
  EXPECT_EQ((*topics)[0].first, "orders");
  EXPECT_EQ((*topics)[0].second.partitions, 2);
  EXPECT_EQ((*topics)[0].second.config.retention_ms(), 86400000);
  EXPECT_FALSE((*topics)[0].second.config.IsSet(ConfigKey::kSegmentBytes));
}

TEST_F(MetadataTest, TopicRecordDecodeRejectsDamage) {
  TopicRecord r;
  r.partitions = 7;
  ASSERT_TRUE(r.config.Set("record.delimiter", "nul").ok());
  auto back = TopicRecord::Decode(r.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->partitions, 7);
  EXPECT_EQ(back->config.delimiter(), '\0');
  for (const char* bad : {"", "partitions=\n", "partitions=0\n", "partitions=x\n", "parts=1\n",
                          "partitions=1\nretention.ms=never\n", "partitions=1"}) {
    EXPECT_FALSE(TopicRecord::Decode(bad).ok()) << bad;
  }
}

TEST_F(MetadataTest, PartitionStateRoundTrips) {
  Fill("t");
  auto s = meta_->GetPartition("t", 1);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->log_start_offset, 10);
  EXPECT_EQ((*s)->recovery_point, 20);
  auto none = meta_->GetPartition("t", 2);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(PartitionState::Decode("short").ok());
  PartitionState big{int64_t{1} << 62, (int64_t{1} << 62) + 5};
  auto back = PartitionState::Decode(big.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->log_start_offset, big.log_start_offset);
  EXPECT_EQ(back->recovery_point, big.recovery_point);
}

TEST_F(MetadataTest, SegmentsListInNumericOrderPerPartition) {
  Fill("t");
  for (int p = 0; p < 2; ++p) {
    auto segs = meta_->ListSegments("t", p);
    ASSERT_TRUE(segs.ok());
    std::vector<int64_t> bases;
    for (auto& m : *segs) bases.push_back(m.base_offset);
    EXPECT_EQ(bases, (std::vector<int64_t>{0, 100, 256, 1 << 20})) << p;
    const SegmentMeta& last = segs->back();
    SegmentMeta want = Seg(1 << 20, 50, false);
    EXPECT_EQ(last.next_offset, want.next_offset);
    EXPECT_EQ(last.size_bytes, want.size_bytes);
    EXPECT_EQ(last.first_timestamp_ms, want.first_timestamp_ms);
    EXPECT_EQ(last.max_timestamp_ms, want.max_timestamp_ms);
    EXPECT_EQ(last.xxh3, want.xxh3);
    EXPECT_FALSE(last.sealed);
    EXPECT_TRUE((*segs)[0].sealed);
  }
  auto none = meta_->ListSegments("t", 5);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// Partition 1's segments must not show up under partition 256 (or the
// other way round): keys are fixed-width big-endian.
TEST_F(MetadataTest, PartitionNumbersDoNotShareKeys) {
  Metadata::Batch b(meta_.get());
  b.PutSegment("t", 1, Seg(5, 1, true));
  b.PutSegment("t", 256, Seg(7, 1, true));
  b.PutSegment("t", 0x0100, Seg(9, 1, true));  // == 256: replaces nothing of partition 1
  ASSERT_TRUE(meta_->Commit(b).ok());
  auto p1 = meta_->ListSegments("t", 1);
  auto p256 = meta_->ListSegments("t", 256);
  ASSERT_EQ(p1->size(), 1u);
  EXPECT_EQ((*p1)[0].base_offset, 5);
  ASSERT_EQ(p256->size(), 2u);
}

TEST_F(MetadataTest, SegmentMetaEncodingRoundTripsWithHashState) {
  SegmentMeta m = Seg(42, 3, false);
  m.hash_state = std::string("\x00\x01\x02\xff", 4);
  auto back = SegmentMeta::Decode(m.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->hash_state, m.hash_state);
  EXPECT_EQ(back->base_offset, 42);
  EXPECT_EQ(back->record_count(), 3);
  EXPECT_FALSE(SegmentMeta::Decode("").ok());
  std::string wrong_version = m.Encode();
  wrong_version[0] = 9;
  EXPECT_FALSE(SegmentMeta::Decode(wrong_version).ok());
  EXPECT_FALSE(SegmentMeta::Decode(m.Encode().substr(0, 20)).ok());
}

TEST_F(MetadataTest, DeleteSegmentTakesItsXattrsAndOwner) {
  Fill("t");
  Metadata::Batch b(meta_.get());
  b.DeleteSegment("t", 1, 100);
  ASSERT_TRUE(meta_->Commit(b).ok());
  auto segs = meta_->ListSegments("t", 1);
  EXPECT_EQ(segs->size(), 3u);
  auto x = meta_->ListXattrs(SegmentObjectKey("t", 1, 100));
  ASSERT_TRUE(x.ok());
  EXPECT_TRUE(x->empty());
  EXPECT_FALSE(meta_->GetOwner(SegmentObjectKey("t", 1, 100))->has_value());
  EXPECT_EQ(meta_->ListXattrs(PartitionObjectKey("t", 0))->size(), 2u);  // others stay
}

TEST_F(MetadataTest, DeleteTopicRemovesEverythingOfThatTopicOnly) {
  for (const char* t : {"orders", "orders2", "orders.x", "order"}) Fill(t);
  Metadata::Batch b(meta_.get());
  b.DeleteTopic("orders");
  ASSERT_TRUE(meta_->Commit(b, /*sync=*/true).ok());
  Open();
  auto topics = meta_->ListTopics();
  std::vector<std::string> names;
  for (auto& [n, r] : *topics) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"order", "orders.x", "orders2"}));
  EXPECT_FALSE(meta_->GetPartition("orders", 0)->has_value());
  EXPECT_TRUE(meta_->ListSegments("orders", 1)->empty());
  for (const std::string& obj : {TopicObjectKey("orders"), PartitionObjectKey("orders", 0),
                                 SegmentObjectKey("orders", 1, 100)}) {
    EXPECT_TRUE(meta_->ListXattrs(obj)->empty()) << obj;
    EXPECT_FALSE(meta_->GetOwner(obj)->has_value()) << obj;
  }
  for (const char* other : {"orders2", "orders.x", "order"}) {
    EXPECT_TRUE(meta_->GetPartition(other, 1)->has_value()) << other;
    EXPECT_EQ(meta_->ListSegments(other, 0)->size(), 4u) << other;
    for (const std::string& obj : {TopicObjectKey(other), PartitionObjectKey(other, 0),
                                   SegmentObjectKey(other, 1, 100)}) {
      EXPECT_EQ(meta_->ListXattrs(obj)->size(), 2u) << obj;
      EXPECT_TRUE(meta_->GetOwner(obj)->has_value()) << obj;
    }
  }
}

TEST_F(MetadataTest, DeletePartitionSegmentsLeavesOtherPartitions) {
  Fill("t");
  Metadata::Batch b(meta_.get());
  b.DeletePartitionSegments("t", 0);
  ASSERT_TRUE(meta_->Commit(b).ok());
  EXPECT_TRUE(meta_->ListSegments("t", 0)->empty());
  EXPECT_EQ(meta_->ListSegments("t", 1)->size(), 4u);
  EXPECT_TRUE(meta_->GetPartition("t", 0)->has_value());
}

TEST_F(MetadataTest, XattrsRoundTripBinaryValuesUpTo64KiB) {
  const std::string obj = PartitionObjectKey("t", 3);
  std::string big(64 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(meta_->PutXattr(obj, "user.big", big).ok());
  ASSERT_TRUE(meta_->PutXattr(obj, "user.empty", "").ok());
  Open();
  auto v = meta_->GetXattr(obj, "user.big");
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ(**v, big);
  auto e = meta_->GetXattr(obj, "user.empty");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ(**e, "");
  EXPECT_FALSE(meta_->GetXattr(obj, "user.none")->has_value());
  EXPECT_EQ(*meta_->ListXattrs(obj), (std::vector<std::string>{"user.big", "user.empty"}));
  ASSERT_TRUE(meta_->DeleteXattr(obj, "user.big").ok());
  EXPECT_EQ(*meta_->ListXattrs(obj), (std::vector<std::string>{"user.empty"}));
  ASSERT_TRUE(meta_->DeleteObjectXattrs(obj).ok());
  EXPECT_TRUE(meta_->ListXattrs(obj)->empty());
}

// Object keys that are prefixes of each other ("p/t/1" and "p/t/10") keep
// their own xattrs.
TEST_F(MetadataTest, XattrsOfObjectsWhoseKeysSharePrefixesStayApart) {
  ASSERT_TRUE(meta_->PutXattr(PartitionObjectKey("t", 1), "user.a", "one").ok());
  ASSERT_TRUE(meta_->PutXattr(PartitionObjectKey("t", 10), "user.a", "ten").ok());
  EXPECT_EQ(meta_->ListXattrs(PartitionObjectKey("t", 1))->size(), 1u);
  ASSERT_TRUE(meta_->DeleteObjectXattrs(PartitionObjectKey("t", 1)).ok());
  EXPECT_EQ(**meta_->GetXattr(PartitionObjectKey("t", 10), "user.a"), "ten");
}

TEST_F(MetadataTest, OwnersRoundTrip) {
  const std::string obj = TopicObjectKey("t");
  EXPECT_FALSE(meta_->GetOwner(obj)->has_value());
  ASSERT_TRUE(meta_->PutOwner(obj, Ownership{04755, 65534, 4294967294u}).ok());
  Open();
  auto o = meta_->GetOwner(obj);
  ASSERT_TRUE(o.ok() && o->has_value());
  EXPECT_EQ((*o)->mode, 04755u);
  EXPECT_EQ((*o)->uid, 65534u);
  EXPECT_EQ((*o)->gid, 4294967294u);
}

TEST_F(MetadataTest, ObjectKeysNameTheirKind) {
  EXPECT_EQ(TopicObjectKey("orders"), "t/orders");
  EXPECT_EQ(PartitionObjectKey("orders", 2), "p/orders/2");
  EXPECT_EQ(SegmentObjectKey("orders", 2, 368769), "s/orders/2/368769");
}

TEST_F(MetadataTest, SyncedCommitSurvivesReopen) {
  Metadata::Batch b(meta_.get());
  b.PutPartition("t", 0, PartitionState{3, 4});
  ASSERT_TRUE(meta_->Commit(b, /*sync=*/true).ok());
  ASSERT_TRUE(meta_->Sync().ok());
  Open();
  EXPECT_EQ((*meta_->GetPartition("t", 0))->recovery_point, 4);
}

}  // namespace
}  // namespace topicfs::store

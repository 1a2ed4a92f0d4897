// The sparse time index (.timeindex): Kafka's byte layout, "last entry
// strictly before T" lookups, append rules and the sanity checks of
// TimeIndexTest.
#include "store/time_index.h"

#include <map>
#include <optional>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "store/index_file.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

using test::HexBytes;
using test::TempDir;

constexpr int64_t kBase = 1000;

class TimeIndexTest : public ::testing::Test {
 protected:
  std::unique_ptr<TimeIndex> Open(size_t max_entries = 1000) {
    auto file = IndexFile::OpenWritable(path_, kTimeIndexEntrySize, *files_);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) return nullptr;
    return std::make_unique<TimeIndex>(std::move(*file), kBase, max_entries);
  }
  std::unique_ptr<TimeIndex> OpenSealed() {
    return std::make_unique<TimeIndex>(
        IndexFile::OpenSealed(path_, kTimeIndexEntrySize, test::TestEnv()), kBase, 1000);
  }
  std::shared_ptr<DescriptorCache> files_ = DescriptorCache::Create(test::TestEnv(), 16);
  TempDir dir_;
  std::string path_ = dir_.Sub("00000000000000001000.timeindex");
};

// The model: the last entry with timestamp < t.
std::optional<TimeIndexEntry> ModelLastBefore(const std::map<int64_t, int64_t>& ts_to_offset,
                                              int64_t t) {
  auto it = ts_to_offset.lower_bound(t);
  if (it == ts_to_offset.begin()) return std::nullopt;
  --it;
  return TimeIndexEntry{it->first, it->second};
}

TEST_F(TimeIndexTest, EncodeIsBigEndianTimestampThenRelativeOffset) {
  char buf[kTimeIndexEntrySize];
  // 1700000000000 = 0x0000018bcfe56800.
  TimeIndex::Encode(buf, 100, 1700000000000, 105);
  EXPECT_EQ(HexBytes(std::string_view(buf, 12)), "00 00 01 8b cf e5 68 00 00 00 00 05");
  TimeIndex::Encode(buf, 0, 0x0102030405060708LL, 0xa0b0c0d0LL);
  EXPECT_EQ(HexBytes(std::string_view(buf, 12)), "01 02 03 04 05 06 07 08 a0 b0 c0 d0");
  TimeIndexEntry e = TimeIndex::Decode(buf, 0);
  EXPECT_EQ(e.timestamp_ms, 0x0102030405060708LL);
  EXPECT_EQ(e.offset, 0xa0b0c0d0LL);
}

TEST_F(TimeIndexTest, FileHoldsExactlyTheEncodedEntries) {
  auto index = Open();
  index->MaybeAppend(1700000000000, kBase + 5);
  index->MaybeAppend(1700000000001, kBase + 0x100);
  ASSERT_TRUE(index->file().WritePending().ok());
  EXPECT_EQ(HexBytes(test::ReadFile(path_)),
            "00 00 01 8b cf e5 68 00 00 00 00 05 "
            "00 00 01 8b cf e5 68 01 00 00 01 00");
}

// Kafka TimeIndexTest.testLookUp, with our "strictly before T" rule.
TEST_F(TimeIndexTest, LookupBeforeBetweenAtAndAfterEntries) {
  auto index = Open();
  EXPECT_FALSE(index->FindLastBefore(0).has_value());  // empty
  index->MaybeAppend(100, kBase + 10);
  index->MaybeAppend(200, kBase + 20);
  index->MaybeAppend(300, kBase + 30);
  EXPECT_FALSE(index->FindLastBefore(50).has_value());   // before the first
  EXPECT_FALSE(index->FindLastBefore(100).has_value());  // at the first: nothing strictly before
  EXPECT_EQ(index->FindLastBefore(101), (TimeIndexEntry{100, kBase + 10}));
  EXPECT_EQ(index->FindLastBefore(150), (TimeIndexEntry{100, kBase + 10}));  // between
  EXPECT_EQ(index->FindLastBefore(200),
            (TimeIndexEntry{100, kBase + 10}));  // exact: the one before
  EXPECT_EQ(index->FindLastBefore(201), (TimeIndexEntry{200, kBase + 20}));
  EXPECT_EQ(index->FindLastBefore(300), (TimeIndexEntry{200, kBase + 20}));
  EXPECT_EQ(index->FindLastBefore(301), (TimeIndexEntry{300, kBase + 30}));  // after all
  EXPECT_EQ(index->FindLastBefore(INT64_MAX), (TimeIndexEntry{300, kBase + 30}));
}

TEST_F(TimeIndexTest, RandomLookupMatchesModel) {
  std::mt19937_64 rng(7);
  auto index = Open(100000);
  std::map<int64_t, int64_t> model;
  int64_t ts = 1700000000000, off = kBase;
  for (int i = 0; i < 3000; ++i) {
    ts += 1 + static_cast<int64_t>(rng() % 1000);
    off += 1 + static_cast<int64_t>(rng() % 10);
    index->MaybeAppend(ts, off);
    model[ts] = off;
  }
  ASSERT_TRUE(index->file().WritePending().ok());
  auto sealed = OpenSealed();
  for (int q = 0; q < 5000; ++q) {
    int64_t t = 1700000000000 - 10 + static_cast<int64_t>(rng() % (ts - 1700000000000 + 20));
    ASSERT_EQ(index->FindLastBefore(t), ModelLastBefore(model, t)) << t;
    ASSERT_EQ(sealed->FindLastBefore(t), ModelLastBefore(model, t)) << t;
  }
}

// Kafka maybeAppend: an equal timestamp is ignored; an older one or a
// smaller offset never lands.
TEST_F(TimeIndexTest, OnlyNewerTimestampsWithLargerOffsetsAreAppended) {
  auto index = Open();
  index->MaybeAppend(100, kBase + 1);
  index->MaybeAppend(100, kBase + 2);  // same time
  index->MaybeAppend(99, kBase + 3);   // older
  index->MaybeAppend(200, kBase + 1);  // offset not larger
  index->MaybeAppend(200, kBase);      // offset smaller
  EXPECT_EQ(index->entries(), 1u);
  index->MaybeAppend(200, kBase + 2);
  EXPECT_EQ(index->entries(), 2u);
  EXPECT_EQ(index->Last(), (TimeIndexEntry{200, kBase + 2}));
}

// Kafka TimeIndexTest.testIsFull: one slot is kept for the entry at roll.
TEST_F(TimeIndexTest, IsFullKeepsOneSlotFree) {
  auto index = Open(5);
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(index->IsFull()) << i;
    index->MaybeAppend(100 + i, kBase + i + 1);
  }
  EXPECT_TRUE(index->IsFull());
  index->set_max_entries(6);
  EXPECT_FALSE(index->IsFull());
}

// Kafka TimeIndexTest.testTruncate.
TEST_F(TimeIndexTest, TruncateToZeroEmptiesTheIndex) {
  auto index = Open();
  for (int i = 1; i <= 5; ++i) index->MaybeAppend(i * 10, kBase + i);
  ASSERT_TRUE(index->file().WritePending().ok());
  ASSERT_TRUE(index->file().Truncate(2).ok());
  EXPECT_EQ(index->Last(), (TimeIndexEntry{20, kBase + 2}));
  EXPECT_EQ(test::FileSize(path_), 24);
  ASSERT_TRUE(index->file().Truncate(0).ok());
  EXPECT_EQ(index->entries(), 0u);
  EXPECT_FALSE(index->FindLastBefore(1000).has_value());
  index->MaybeAppend(5, kBase + 1);  // after truncation anything newer goes in
  EXPECT_EQ(index->entries(), 1u);
}

std::string Entries(std::initializer_list<std::pair<int64_t, uint32_t>> ts_rel) {
  std::string out;
  for (auto [ts, rel] : ts_rel) {
    char e[12];
    TimeIndex::Encode(e, kBase, ts, kBase + rel);
    out.append(e, 12);
  }
  return out;
}

// Kafka TimeIndexTest.testSanityCheck.
TEST(TimeIndexCheckTest, AcceptsAWellFormedIndex) {
  EXPECT_TRUE(TimeIndex::Check("", kBase, kBase).ok());
  EXPECT_TRUE(TimeIndex::Check(Entries({{100, 1}, {100, 2}, {300, 5}}), kBase, kBase + 6).ok());
  EXPECT_TRUE(TimeIndex::Check(Entries({{100, 0}}), kBase, kBase + 1).ok());
}

TEST(TimeIndexCheckTest, LengthNotAMultipleOfTwelveIsCorrupt) {
  std::string e = Entries({{100, 1}});
  for (size_t cut = 1; cut < 12; ++cut) {
    EXPECT_TRUE(TimeIndex::Check(e + e.substr(0, cut), kBase, kBase + 10).Is(Code::kCorruption))
        << cut;
  }
}

TEST(TimeIndexCheckTest, DecreasingTimestampIsCorrupt) {
  EXPECT_TRUE(
      TimeIndex::Check(Entries({{300, 1}, {200, 2}}), kBase, kBase + 10).Is(Code::kCorruption));
}

TEST(TimeIndexCheckTest, OffsetsNotIncreasingAreCorrupt) {
  EXPECT_TRUE(
      TimeIndex::Check(Entries({{100, 5}, {200, 5}}), kBase, kBase + 10).Is(Code::kCorruption));
  EXPECT_TRUE(
      TimeIndex::Check(Entries({{100, 5}, {200, 4}}), kBase, kBase + 10).Is(Code::kCorruption));
}

TEST(TimeIndexCheckTest, OffsetPastTheDataIsCorrupt) {
  EXPECT_TRUE(
      TimeIndex::Check(Entries({{100, 1}, {200, 10}}), kBase, kBase + 10).Is(Code::kCorruption));
  EXPECT_TRUE(TimeIndex::Check(Entries({{100, 1}, {200, 9}}), kBase, kBase + 10).ok());
}

}  // namespace
}  // namespace topicfs::store

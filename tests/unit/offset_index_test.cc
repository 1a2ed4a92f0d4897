// The sparse offset index (.index): Kafka's byte layout, floor lookups at
// every boundary, persistence, and the sanity checks of OffsetIndexTest.
#include "store/offset_index.h"

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
using test::ReadFile;
using test::TempDir;

constexpr int64_t kBase = 45;

class OffsetIndexTest : public ::testing::Test {
 protected:
  std::unique_ptr<OffsetIndex> Open(size_t max_entries = 1000) {
    auto file = IndexFile::OpenWritable(path_, kOffsetIndexEntrySize, *files_);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) return nullptr;
    return std::make_unique<OffsetIndex>(std::move(*file), kBase, max_entries);
  }
  std::unique_ptr<OffsetIndex> OpenSealed() {
    return std::make_unique<OffsetIndex>(
        IndexFile::OpenSealed(path_, kOffsetIndexEntrySize, test::TestEnv()), kBase, 1000);
  }

  std::shared_ptr<DescriptorCache> files_ = DescriptorCache::Create(test::TestEnv(), 16);
  TempDir dir_;
  std::string path_ = dir_.Sub("00000000000000000045.index");
};

std::optional<OffsetIndexEntry> MapFloor(const std::map<int64_t, uint32_t>& m, int64_t target) {
  auto it = m.upper_bound(target);
  if (it == m.begin()) return std::nullopt;
  --it;
  return OffsetIndexEntry{it->first, it->second};
}

TEST_F(OffsetIndexTest, EncodeIsBigEndianRelativeOffsetThenPosition) {
  char buf[kOffsetIndexEntrySize];
  // Base 100, record 105 at byte 4200 (0x1068).
  OffsetIndex::Encode(buf, 100, 105, 4200);
  EXPECT_EQ(HexBytes(std::string_view(buf, 8)), "00 00 00 05 00 00 10 68");
  // High bits survive: relative 0x01020304, position 0xa0b0c0d0.
  OffsetIndex::Encode(buf, 7, 7 + 0x01020304, 0xa0b0c0d0u);
  EXPECT_EQ(HexBytes(std::string_view(buf, 8)), "01 02 03 04 a0 b0 c0 d0");
  OffsetIndexEntry e = OffsetIndex::Decode(buf, 7);
  EXPECT_EQ(e.offset, 7 + 0x01020304);
  EXPECT_EQ(e.position, 0xa0b0c0d0u);
}

TEST_F(OffsetIndexTest, FileHoldsExactlyTheEncodedEntries) {
  auto index = Open();
  index->Append(kBase + 1, 10);
  index->Append(kBase + 300, 0x12345);
  ASSERT_TRUE(index->file().WritePending().ok());
  EXPECT_EQ(HexBytes(ReadFile(path_)),
            "00 00 00 01 00 00 00 0a "
            "00 00 01 2c 00 01 23 45");
  EXPECT_EQ(index->entries(), 2u);
  EXPECT_EQ(index->EntryAt(1), (OffsetIndexEntry{kBase + 300, 0x12345}));
}

TEST_F(OffsetIndexTest, EmptyIndexHasNoFloor) {
  auto index = Open();
  EXPECT_FALSE(index->FindFloor(kBase).has_value());
  EXPECT_FALSE(index->FindFloor(kBase + 1000).has_value());
  EXPECT_FALSE(index->Last().has_value());
  EXPECT_EQ(index->entries(), 0u);
}

TEST_F(OffsetIndexTest, LookupAtEveryEntryBoundary) {
  auto index = Open();
  std::map<int64_t, uint32_t> model;
  for (int i = 1; i <= 50; ++i) {
    int64_t off = kBase + i * 3;
    uint32_t pos = i * 100;
    index->Append(off, pos);
    model[off] = pos;
  }
  for (auto [off, pos] : model) {
    for (int64_t target : {off - 1, off, off + 1, off + 2}) {
      EXPECT_EQ(index->FindFloor(target), MapFloor(model, target)) << target;
    }
    EXPECT_EQ(index->FindFloor(off), (OffsetIndexEntry{off, pos}));
  }
  EXPECT_FALSE(index->FindFloor(kBase).has_value());
  EXPECT_FALSE(index->FindFloor(kBase + 2).has_value());
  EXPECT_FALSE(index->FindFloor(kBase - 1).has_value());  // below the segment
  EXPECT_FALSE(index->FindFloor(0).has_value());
  EXPECT_EQ(index->FindFloor(kBase + 1000000), index->Last());
}

// Kafka OffsetIndexTest.randomLookupTest: floor lookups match a TreeMap.
TEST_F(OffsetIndexTest, RandomLookupMatchesMapFloor) {
  std::mt19937_64 rng(20261124);
  for (int round = 0; round < 20; ++round) {
    test::RemoveTree(path_);
    auto index = Open(100000);
    std::map<int64_t, uint32_t> model;
    int64_t off = kBase + static_cast<int64_t>(rng() % 3);
    uint32_t pos = static_cast<uint32_t>(rng() % 50);
    const int n = 1 + static_cast<int>(rng() % 2000);
    for (int i = 0; i < n; ++i) {
      index->Append(off, pos);
      model[off] = pos;
      off += 1 + static_cast<int64_t>(rng() % 20);
      pos += 1 + static_cast<uint32_t>(rng() % 5000);
    }
    ASSERT_TRUE(index->file().WritePending().ok());
    auto sealed = OpenSealed();
    for (int q = 0; q < 2000; ++q) {
      int64_t target = kBase - 5 + static_cast<int64_t>(rng() % (off - kBase + 30));
      auto want = MapFloor(model, target);
      ASSERT_EQ(index->FindFloor(target), want) << "round " << round << " target " << target;
      ASSERT_EQ(sealed->FindFloor(target), want) << "sealed, target " << target;
    }
  }
}

// Kafka OffsetIndexTest.lookupExtremeCases, in our FindFloor terms.
TEST_F(OffsetIndexTest, LookupExtremeCasesOnFullIndex) {
  const size_t max_entries = 64;
  auto index = Open(max_entries);
  for (size_t i = 0; i < max_entries; ++i) {
    EXPECT_FALSE(index->IsFull());
    index->Append(kBase + 1 + static_cast<int64_t>(i), static_cast<uint32_t>(i * 8 + 8));
  }
  EXPECT_TRUE(index->IsFull());
  EXPECT_FALSE(index->FindFloor(kBase).has_value());
  EXPECT_EQ(index->FindFloor(kBase + max_entries), index->Last());
  EXPECT_EQ(index->Last()->offset, kBase + static_cast<int64_t>(max_entries));
  EXPECT_EQ(index->FindFloor(int64_t{1} << 50), index->Last());
}

TEST_F(OffsetIndexTest, EntryAtBaseOffsetIsFoundAtBase) {
  auto index = Open();
  index->Append(kBase, 0);
  index->Append(kBase + 4, 40);
  EXPECT_EQ(index->FindFloor(kBase), (OffsetIndexEntry{kBase, 0}));
  EXPECT_EQ(index->FindFloor(kBase + 3), (OffsetIndexEntry{kBase, 0}));
}

TEST_F(OffsetIndexTest, RelativeOffsetsUseTheFullUnsignedRange) {
  auto index = Open();
  const int64_t far = kBase + 0xF0000000LL;  // above INT32_MAX relative
  index->Append(kBase + 1, 8);
  index->Append(far, 16);
  EXPECT_EQ(index->FindFloor(far - 1), (OffsetIndexEntry{kBase + 1, 8}));
  EXPECT_EQ(index->FindFloor(far), (OffsetIndexEntry{far, 16}));
  EXPECT_EQ(index->FindFloor(far + (int64_t{1} << 33)), (OffsetIndexEntry{far, 16}));
}

// Kafka OffsetIndexTest.testReopen.
TEST_F(OffsetIndexTest, ReopenPreservesEntries) {
  std::map<int64_t, uint32_t> model;
  {
    auto index = Open();
    for (int i = 1; i <= 20; ++i) {
      index->Append(kBase + i * 7, i * 70);
      model[kBase + i * 7] = i * 70;
    }
    ASSERT_TRUE(index->file().WritePending().ok());
  }
  for (bool sealed : {false, true}) {
    auto index = sealed ? OpenSealed() : Open();
    EXPECT_EQ(index->entries(), model.size());
    EXPECT_EQ(index->Last(), (OffsetIndexEntry{kBase + 140, 1400}));
    for (int64_t t = kBase; t < kBase + 150; ++t)
      EXPECT_EQ(index->FindFloor(t), MapFloor(model, t));
  }
}

TEST_F(OffsetIndexTest, MissingSealedIndexReadsAsEmpty) {
  auto index = OpenSealed();
  EXPECT_EQ(index->entries(), 0u);
  EXPECT_FALSE(index->FindFloor(kBase + 10).has_value());
}

TEST_F(OffsetIndexTest, TrailingFractionOfAnEntryIsIgnored) {
  test::WriteFile(path_, std::string("\0\0\0\x01\0\0\0\x10"
                                     "\0\0\0\x02\0\0\0\x20"
                                     "\0\0\0",
                                     19));
  auto index = Open();
  EXPECT_EQ(index->entries(), 2u);
  EXPECT_EQ(index->Last(), (OffsetIndexEntry{kBase + 2, 0x20}));
  auto sealed = OpenSealed();
  EXPECT_EQ(sealed->entries(), 2u);
}

// After a torn entry, the next entry must land whole where the torn one
// began, not after it.
TEST_F(OffsetIndexTest, AppendAfterATrailingFractionWritesWholeEntries) {
  char e1[8], e2[8], e3[8];
  OffsetIndex::Encode(e1, kBase, kBase + 1, 0x10);
  OffsetIndex::Encode(e2, kBase, kBase + 2, 0x20);
  OffsetIndex::Encode(e3, kBase, kBase + 3, 0x30);
  test::WriteFile(path_, std::string(e1, 8) + std::string(e2, 8) + "\xaa\xbb\xcc");  // torn
  {
    auto index = Open();
    ASSERT_EQ(index->entries(), 2u);
    index->Append(kBase + 3, 0x30);
    ASSERT_TRUE(index->file().WritePending().ok());
  }
  EXPECT_EQ(HexBytes(ReadFile(path_)),
            HexBytes(std::string(e1, 8) + std::string(e2, 8) + std::string(e3, 8)));
  auto reopened = Open();
  ASSERT_EQ(reopened->entries(), 3u);
  EXPECT_EQ(reopened->Last(), (OffsetIndexEntry{kBase + 3, 0x30}));
}

// Kafka OffsetIndexTest.truncate: keep a prefix, append again afterwards.
TEST_F(OffsetIndexTest, TruncateKeepsPrefixAndAppendWorksAfter) {
  auto index = Open();
  for (int i = 1; i <= 10; ++i) index->Append(kBase + i, i * 10);
  ASSERT_TRUE(index->file().WritePending().ok());
  ASSERT_TRUE(index->file().Truncate(20).ok());  // past the end: no-op
  EXPECT_EQ(index->entries(), 10u);
  ASSERT_TRUE(index->file().Truncate(4).ok());
  EXPECT_EQ(index->entries(), 4u);
  EXPECT_EQ(test::FileSize(path_), 4 * 8);
  EXPECT_EQ(index->FindFloor(kBase + 9), (OffsetIndexEntry{kBase + 4, 40}));
  index->Append(kBase + 5, 55);
  ASSERT_TRUE(index->file().WritePending().ok());
  EXPECT_EQ(test::FileSize(path_), 5 * 8);
  EXPECT_EQ(index->FindFloor(kBase + 9), (OffsetIndexEntry{kBase + 5, 55}));
  ASSERT_TRUE(index->file().Truncate(0).ok());
  EXPECT_EQ(index->entries(), 0u);
  EXPECT_EQ(test::FileSize(path_), 0);
}

TEST_F(OffsetIndexTest, SealTrimsAndKeepsLookups) {
  auto index = Open();
  for (int i = 1; i <= 10; ++i) index->Append(kBase + i * 2, i * 10);
  ASSERT_TRUE(index->file().Seal().ok());
  EXPECT_TRUE(index->file().sealed());
  EXPECT_EQ(test::FileSize(path_), 10 * 8);
  EXPECT_EQ(index->FindFloor(kBase + 7), (OffsetIndexEntry{kBase + 6, 30}));
}

std::string Entries(std::initializer_list<std::pair<uint32_t, uint32_t>> rel_pos) {
  std::string out;
  for (auto [rel, pos] : rel_pos) {
    char e[8];
    OffsetIndex::Encode(e, kBase, kBase + rel, pos);
    out.append(e, 8);
  }
  return out;
}

// Kafka's sanityCheck plus ours (DESIGN §4: not a multiple of the entry size,
// not increasing, pointing past the data).
TEST(OffsetIndexCheckTest, AcceptsAWellFormedIndex) {
  EXPECT_TRUE(OffsetIndex::Check("", kBase, kBase, 0).ok());
  EXPECT_TRUE(OffsetIndex::Check(Entries({{3, 30}, {7, 90}}), kBase, kBase + 8, 100).ok());
}

TEST(OffsetIndexCheckTest, SingleEntryAtBaseOffsetIsValid) {
  EXPECT_TRUE(OffsetIndex::Check(Entries({{0, 0}}), kBase, kBase + 1, 10).ok());
}

TEST(OffsetIndexCheckTest, LengthNotAMultipleOfEightIsCorrupt) {
  std::string e = Entries({{3, 30}});
  for (size_t cut = 1; cut < 8; ++cut) {
    EXPECT_TRUE(
        OffsetIndex::Check(e + e.substr(0, cut), kBase, kBase + 8, 100).Is(Code::kCorruption))
        << cut;
  }
}

// Kafka appendOutOfOrder: 51 then 50, and an equal offset, are rejected.
TEST(OffsetIndexCheckTest, OffsetsOutOfOrderOrEqualAreCorrupt) {
  EXPECT_TRUE(OffsetIndex::Check(Entries({{51, 10}, {50, 20}}), kBase, kBase + 60, 100)
                  .Is(Code::kCorruption));
  EXPECT_TRUE(OffsetIndex::Check(Entries({{51, 10}, {51, 20}}), kBase, kBase + 60, 100)
                  .Is(Code::kCorruption));
}

TEST(OffsetIndexCheckTest, PositionsNotIncreasingAreCorrupt) {
  EXPECT_TRUE(OffsetIndex::Check(Entries({{1, 20}, {2, 20}}), kBase, kBase + 10, 100)
                  .Is(Code::kCorruption));
  EXPECT_TRUE(OffsetIndex::Check(Entries({{1, 20}, {2, 10}}), kBase, kBase + 10, 100)
                  .Is(Code::kCorruption));
}

TEST(OffsetIndexCheckTest, EntriesPastTheDataAreCorrupt) {
  // Offset at or past the segment's next offset.
  EXPECT_TRUE(OffsetIndex::Check(Entries({{1, 10}, {10, 20}}), kBase, kBase + 10, 100)
                  .Is(Code::kCorruption));
  EXPECT_TRUE(OffsetIndex::Check(Entries({{1, 10}, {9, 20}}), kBase, kBase + 10, 100).ok());
  // Position at or past the .log size.
  EXPECT_TRUE(OffsetIndex::Check(Entries({{1, 10}, {2, 100}}), kBase, kBase + 10, 100)
                  .Is(Code::kCorruption));
  EXPECT_TRUE(OffsetIndex::Check(Entries({{1, 10}, {2, 99}}), kBase, kBase + 10, 100).ok());
  // Garbage: all 0xff.
  EXPECT_TRUE(
      OffsetIndex::Check(std::string(16, '\xff'), kBase, kBase + 10, 100).Is(Code::kCorruption));
}

}  // namespace
}  // namespace topicfs::store

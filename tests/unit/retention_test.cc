// Retention as a pure decision (DESIGN §1.5, Kafka's deleteOldSegments): a
// prefix of sealed segments, by time (strictly older than retention.ms) and
// by size (Kafka's "still at least retention.bytes without it"), never the
// active segment.
#include "store/retention.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace topicfs::store {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

std::vector<SegmentSummary> Segments(std::initializer_list<std::pair<int64_t, int64_t>> size_ts) {
  std::vector<SegmentSummary> out;
  int64_t base = 0;
  for (auto [size, ts] : size_ts) {
    out.push_back({base, size, ts, true});
    base += 10;
  }
  if (!out.empty()) out.back().sealed = false;  // the newest is active
  return out;
}

TEST(RetentionTest, NoLimitsDeleteNothing) {
  auto segs = Segments({{100, 0}, {100, 0}, {100, 0}});
  EXPECT_EQ(SegmentsToDelete(segs, {}, kNow), 0);
}

TEST(RetentionTest, TimeLimitIsStrict) {
  RetentionPolicy p{.retention_ms = 1000, .retention_bytes = -1};
  // Newest record exactly retention.ms old: kept; one ms older: deleted.
  auto segs = Segments({{100, kNow - 1001}, {100, kNow - 1000}, {100, kNow}});
  EXPECT_EQ(SegmentsToDelete(segs, p, kNow), 1);
}

TEST(RetentionTest, ExpiredActiveSegmentIsNeverDeleted) {
  RetentionPolicy p{.retention_ms = 10, .retention_bytes = 0};
  auto segs = Segments({{100, kNow - 100}, {100, kNow - 100}, {500, kNow - 100}});
  EXPECT_EQ(SegmentsToDelete(segs, p, kNow), 2);
  auto only_active = Segments({{1 << 20, 0}});
  EXPECT_EQ(SegmentsToDelete(only_active, p, kNow), 0);
}

TEST(RetentionTest, OnlyAPrefixIsDeleted) {
  RetentionPolicy p{.retention_ms = 1000, .retention_bytes = -1};
  // The second segment is young, so the expired third one stays too.
  auto segs = Segments({{100, kNow - 5000}, {100, kNow - 10}, {100, kNow - 5000}, {1, kNow}});
  EXPECT_EQ(SegmentsToDelete(segs, p, kNow), 1);
}

TEST(RetentionTest, EmptySealedSegmentIsNotExpiredByTime) {
  RetentionPolicy p{.retention_ms = 1000, .retention_bytes = -1};
  auto segs = Segments({{0, -1}, {100, kNow - 5000}, {1, kNow}});
  EXPECT_EQ(SegmentsToDelete(segs, p, kNow), 0);
}

TEST(RetentionTest, ZeroRetentionMsDeletesEverySealedSegmentWithAPastRecord) {
  RetentionPolicy p{.retention_ms = 0, .retention_bytes = -1};
  auto segs = Segments({{100, kNow - 1}, {100, kNow - 1}, {100, kNow - 1}});
  EXPECT_EQ(SegmentsToDelete(segs, p, kNow), 2);
  auto same_ms = Segments({{100, kNow}, {100, kNow}});
  EXPECT_EQ(SegmentsToDelete(same_ms, p, kNow), 0);
}

TEST(RetentionTest, SizeKeepsAtLeastRetentionBytes) {
  RetentionPolicy p{.retention_ms = -1, .retention_bytes = 250};
  // 500 bytes in 5 segments: deleting two leaves 300 >= 250, a third would
  // leave 200 < 250 (Kafka: diff - segSize >= 0).
  auto segs = Segments({{100, 0}, {100, 0}, {100, 0}, {100, 0}, {100, 0}});
  EXPECT_EQ(SegmentsToDelete(segs, p, kNow), 2);
}

TEST(RetentionTest, SizeAtOrBelowLimitDeletesNothing) {
  RetentionPolicy p{.retention_ms = -1, .retention_bytes = 300};
  EXPECT_EQ(SegmentsToDelete(Segments({{100, 0}, {100, 0}, {100, 0}}), p, kNow), 0);
  EXPECT_EQ(SegmentsToDelete(Segments({{100, 0}, {100, 0}, {99, 0}}), p, kNow), 0);
  // One byte over: the oldest 100-byte segment cannot go (it would leave 201).
  EXPECT_EQ(SegmentsToDelete(Segments({{100, 0}, {100, 0}, {101, 0}}), p, kNow), 0);
}

TEST(RetentionTest, SizeLimitZeroDeletesAllSealed) {
  RetentionPolicy p{.retention_ms = -1, .retention_bytes = 0};
  EXPECT_EQ(SegmentsToDelete(Segments({{100, 0}, {100, 0}, {0, -1}}), p, kNow), 2);
}

TEST(RetentionTest, TimeAndSizeCombine) {
  // The first goes by time, the second by size only because the first went.
  RetentionPolicy p{.retention_ms = 1000, .retention_bytes = 250};
  auto segs = Segments({{100, kNow - 5000}, {100, kNow}, {100, kNow}, {100, kNow}});
  EXPECT_EQ(SegmentsToDelete(segs, p, kNow), 1);
  RetentionPolicy p2{.retention_ms = 1000, .retention_bytes = 150};
  EXPECT_EQ(SegmentsToDelete(segs, p2, kNow), 2);
}

// Randomised against a direct statement of the rule.
TEST(RetentionTest, MatchesModelOnRandomLogs) {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 2000; ++round) {
    std::vector<SegmentSummary> segs;
    int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      int64_t size = static_cast<int64_t>(rng() % 200);
      int64_t ts = size == 0 && rng() % 2 ? -1 : kNow - static_cast<int64_t>(rng() % 3000);
      segs.push_back({i * 100, size, ts, i + 1 < n});
    }
    RetentionPolicy p;
    p.retention_ms = rng() % 3 ? static_cast<int64_t>(rng() % 3000) : -1;
    p.retention_bytes = rng() % 3 ? static_cast<int64_t>(rng() % 1000) : -1;

    int64_t remaining = 0;
    for (auto& s : segs) remaining += s.size_bytes;
    int want = 0;
    for (auto& s : segs) {
      if (!s.sealed) break;
      bool by_time = p.retention_ms >= 0 && s.max_timestamp_ms >= 0 &&
                     kNow - s.max_timestamp_ms > p.retention_ms;
      bool by_size = p.retention_bytes >= 0 && remaining - s.size_bytes >= p.retention_bytes;
      if (!by_time && !by_size) break;
      remaining -= s.size_bytes;
      ++want;
    }
    ASSERT_EQ(SegmentsToDelete(segs, p, kNow), want) << "round " << round;
  }
}

}  // namespace
}  // namespace topicfs::store

// store::RequestStats: requests land in the right latency bucket, totals
// are cumulative as Prometheus wants them, errors are kept by code, and
// counting from many threads loses nothing.
#include "store/request_stats.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace topicfs::store {
namespace {

TEST(RequestStatsTest, ARequestLandsInTheFirstBucketItFitsAndEveryLaterOne) {
  RequestStats stats({"read", "write"});
  stats.Record(0, 10'000);          // exactly 10 µs: the first bound
  stats.Record(0, 30'000);          // 30 µs: under 50 µs
  stats.Record(0, 20'000'000'000);  // 20 s: past every bound
  const std::vector<RequestStats::Totals> totals = stats.Snapshot();
  ASSERT_EQ(totals.size(), 1u) << "a kind never seen is left out";
  const RequestStats::Totals& read = totals[0];
  EXPECT_EQ(read.kind, "read");
  EXPECT_EQ(read.count, 3u);
  EXPECT_NEAR(read.sum_seconds, 20.00004, 1e-6);
  EXPECT_EQ(read.at_or_under[0], 1u);      // le 0.00001
  EXPECT_EQ(read.at_or_under[1], 1u);      // le 0.000025
  EXPECT_EQ(read.at_or_under[2], 2u);      // le 0.00005
  EXPECT_EQ(read.at_or_under.back(), 2u);  // le 10: the 20 s one only in +Inf
}

TEST(RequestStatsTest, ErrorsAreKeptByCodeAndOutOfRangeOnesAreClamped) {
  RequestStats stats({"lookup"});
  stats.RecordError(0, 2);
  stats.RecordError(0, 2);
  stats.RecordError(0, 1000);
  stats.RecordError(5, 2);  // no such kind: ignored
  const std::vector<RequestStats::Totals> totals = stats.Snapshot();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].count, 0u);
  const std::vector<std::pair<int, uint64_t>> expected = {{2, 2}, {RequestStats::kMaxCode, 1}};
  EXPECT_EQ(totals[0].errors, expected);
}

TEST(RequestStatsTest, ConcurrentRecordsAreAllCounted) {
  RequestStats stats({"write"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) stats.Record(0, i * 1000);
    });
  }
  for (std::thread& t : threads) t.join();
  const std::vector<RequestStats::Totals> totals = stats.Snapshot();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].count, 80000u);
}

}  // namespace
}  // namespace topicfs::store

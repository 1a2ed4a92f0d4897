// Counts and latencies of a front-end's requests by kind (a FUSE opcode, a
// Kafka API), and its refusals by error code, for metrics. Lock-free: a
// request costs three relaxed atomic adds and no allocation; a scrape reads
// totals that may be a request apart from each other.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace topicfs::store {

class RequestStats {
 public:
  // Upper bounds of the latency buckets, in seconds (Prometheus's `le`);
  // a last bucket takes everything slower.
  static constexpr std::array<double, 16> kBucketSeconds = {
      0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
      0.005,   0.01,     0.025,   0.05,   0.1,     0.25,   1,     10};
  // Error codes counted (errnos, Kafka error codes); larger ones count as the last.
  static constexpr int kMaxCode = 255;

  // One kind per name; a request's kind is its index in `kinds`.
  explicit RequestStats(std::vector<std::string> kinds);
  RequestStats(const RequestStats&) = delete;
  RequestStats& operator=(const RequestStats&) = delete;

  void Record(int kind, int64_t nanos);
  void RecordError(int kind, int code);

  struct Totals {
    std::string kind;
    uint64_t count = 0;
    double sum_seconds = 0;
    // Requests at or under each bound, cumulative as Prometheus wants them;
    // the count is the last (+Inf) bucket.
    std::array<uint64_t, kBucketSeconds.size()> at_or_under{};
    std::vector<std::pair<int, uint64_t>> errors;  // (code, count), nonzero only
  };
  // Kinds seen at least once (a request or an error), in the order given.
  std::vector<Totals> Snapshot() const;

 private:
  struct Kind {
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_nanos{0};
    std::array<std::atomic<uint64_t>, kBucketSeconds.size() + 1> buckets{};
    std::array<std::atomic<uint64_t>, kMaxCode + 1> errors{};
  };
  const std::vector<std::string> names_;
  const std::unique_ptr<Kind[]> kinds_;
};

}  // namespace topicfs::store

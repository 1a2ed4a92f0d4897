#include "store/request_stats.h"

#include <algorithm>

namespace topicfs::store {
namespace {

// The bucket bounds in nanoseconds, for comparing without a division.
constexpr std::array<int64_t, RequestStats::kBucketSeconds.size()> BoundsNanos() {
  std::array<int64_t, RequestStats::kBucketSeconds.size()> out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<int64_t>(RequestStats::kBucketSeconds[i] * 1e9 + 0.5);
  }
  return out;
}
constexpr auto kBoundsNanos = BoundsNanos();

}  // namespace

RequestStats::RequestStats(std::vector<std::string> kinds)
    : names_(std::move(kinds)), kinds_(std::make_unique<Kind[]>(names_.size())) {}

void RequestStats::Record(int kind, int64_t nanos) {
  if (kind < 0 || static_cast<size_t>(kind) >= names_.size()) return;
  Kind& k = kinds_[kind];
  nanos = std::max<int64_t>(nanos, 0);
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(kBoundsNanos.begin(), kBoundsNanos.end(), nanos) - kBoundsNanos.begin());
  k.count.fetch_add(1, std::memory_order_relaxed);
  k.sum_nanos.fetch_add(static_cast<uint64_t>(nanos), std::memory_order_relaxed);
  k.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
}

void RequestStats::RecordError(int kind, int code) {
  if (kind < 0 || static_cast<size_t>(kind) >= names_.size()) return;
  code = std::clamp(code, 0, kMaxCode);
  kinds_[kind].errors[static_cast<size_t>(code)].fetch_add(1, std::memory_order_relaxed);
}

std::vector<RequestStats::Totals> RequestStats::Snapshot() const {
  std::vector<Totals> out;
  for (size_t i = 0; i < names_.size(); ++i) {
    const Kind& k = kinds_[i];
    Totals t;
    t.kind = names_[i];
    uint64_t running = 0;
    for (size_t b = 0; b < kBucketSeconds.size(); ++b) {
      running += k.buckets[b].load(std::memory_order_relaxed);
      t.at_or_under[b] = running;
    }
    // The count is the sum of the buckets, so +Inf is never below a bound
    // even while requests are being recorded.
    t.count = running + k.buckets[kBucketSeconds.size()].load(std::memory_order_relaxed);
    t.sum_seconds = static_cast<double>(k.sum_nanos.load(std::memory_order_relaxed)) / 1e9;
    for (int code = 0; code <= kMaxCode; ++code) {
      const uint64_t n = k.errors[static_cast<size_t>(code)].load(std::memory_order_relaxed);
      if (n != 0) t.errors.emplace_back(code, n);
    }
    if (t.count != 0 || !t.errors.empty()) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace topicfs::store

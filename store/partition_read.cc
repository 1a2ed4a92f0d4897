// Partition, the reading side: where a reader starts (through the sparse
// indexes, DESIGN §1.4) and how a PartitionReader walks on from segment to
// segment, keeping what it still needs readable through its claim.
#include <algorithm>

#include "store/partition.h"
#include "store/segment.h"

namespace topicfs::store {

// What a lookup learns under mu_; the scan to the record runs without it.
struct Partition::PendingLocate {
  // Set when the lookup must fetch this remote-only segment's indexes
  // (without the lock) and run again; nothing else is then set.
  std::shared_ptr<Segment> needs_indexes;
  std::shared_ptr<Segment> segment;
  int64_t offset = 0;
  Segment::ScanStart from{};
  int64_t end = 0;  // the segment's size when the lookup began
  bool at_end = false;
};

Result<Partition::PendingLocate> Partition::LocateOffsetLocked(int64_t offset) {
  const int64_t end = segments_.back()->next_offset();
  if (offset < state_.log_start_offset || offset > end) {
    return Status::OutOfRange("offset " + std::to_string(offset) + " is outside [" +
                              std::to_string(state_.log_start_offset) + ", " + std::to_string(end) +
                              "]");
  }
  // The floor segment by base offset; an offset in a gap (a segment removed
  // behind our back) starts at the next segment, as Kafka reads a gap.
  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](int64_t o, const auto& s) { return o < s->base_offset(); });
  std::shared_ptr<Segment> seg = it == segments_.begin() ? segments_.front() : *std::prev(it);
  if (it != segments_.begin() && offset >= seg->next_offset() && it != segments_.end()) {
    seg = *it;
  }
  PendingLocate pending;
  if (seg->NeedsIndexes() && offset < seg->next_offset()) {
    pending.needs_indexes = seg;
    return pending;
  }
  pending.segment = seg;
  pending.offset = std::clamp(offset, seg->base_offset(), seg->next_offset());
  pending.end = seg->size();
  pending.at_end = pending.offset == seg->next_offset();
  if (!pending.at_end) pending.from = seg->FloorEntry(pending.offset);
  return pending;
}

Result<Partition::PendingLocate> Partition::LocateTimeLocked(int64_t ts_ms) {
  for (auto& seg : segments_) {
    if (seg->next_offset() > seg->base_offset() && seg->max_timestamp_ms() >= ts_ms) {
      if (seg->NeedsIndexes()) {
        PendingLocate pending;
        pending.needs_indexes = seg;
        return pending;
      }
      return LocateOffsetLocked(std::max(seg->OffsetNotAfterTime(ts_ms), state_.log_start_offset));
    }
  }
  return LocateOffsetLocked(segments_.back()->next_offset());
}

Result<ReadStart> Partition::FinishLocate(const PendingLocate& pending) const {
  int64_t pos = pending.end;
  if (!pending.at_end) {
    Result<int64_t> scanned =
        pending.segment->ScanTo(pending.from, pending.offset, delimiter(), pending.end);
    if (!scanned.ok()) return scanned.status();
    pos = *scanned;
  }
  return ReadStart{pending.segment, pending.offset, pos, pending.segment->stream_base() + pos};
}

Result<ReadStart> Partition::Locate(StartAt how, int64_t value, ReadClaim* claim) {
  auto locate = [&]() -> Result<PendingLocate> {
    std::lock_guard lock(mu_);
    Result<PendingLocate> found = how == StartAt::kTime ? LocateTimeLocked(value)
                                  : how == StartAt::kLogStart
                                      ? LocateOffsetLocked(state_.log_start_offset)
                                      : LocateOffsetLocked(value);
    if (found.ok() && found->needs_indexes == nullptr && claim != nullptr) {
      claim->from_base = found->segment->base_offset();
      claims_.Add(claim);
    }
    return found;
  };
  Result<PendingLocate> pending = locate();
  // A remote-only segment's indexes come from the tier, and a sealed one's
  // are checked on first use, without the lock; then the lookup runs again
  // (at most once per segment on the way).
  while (pending.ok() && pending->needs_indexes != nullptr) {
    TOPICFS_RETURN_IF_ERROR(LoadIndexes(pending->needs_indexes));
    pending = locate();
  }
  if (!pending.ok()) return pending.status();
  // The scan to the record runs without the lock (bytes below a size once
  // read never change); the claim keeps the segments meanwhile.
  Result<ReadStart> start = FinishLocate(*pending);
  if (!start.ok() && claim != nullptr) ReleaseClaim(claim);
  return start;
}

void Partition::ReleaseClaim(ReadClaim* claim) {
  std::lock_guard lock(mu_);
  claims_.Remove(claim);
}

std::shared_ptr<Segment> Partition::ClaimNext(ReadClaim* claim, int64_t base_offset,
                                              bool live_only) {
  std::lock_guard lock(mu_);
  // Retired segments are all older than the live ones.
  std::shared_ptr<Segment> next =
      live_only && !deleted_ ? nullptr : claims_.After(base_offset);
  if (next == nullptr) {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), base_offset,
                               [](int64_t o, const auto& s) { return o < s->base_offset(); });
    if (it == segments_.end()) return nullptr;
    next = *it;
  }
  claim->from_base = next->base_offset();
  claims_.Prune();
  return next;
}

std::shared_ptr<Segment> Partition::ClaimHolding(ReadClaim* claim, int64_t pos) {
  std::lock_guard lock(mu_);
  std::shared_ptr<Segment> seg = claims_.Holding(pos);
  if (seg == nullptr && pos >= segments_.front()->stream_base()) {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), pos,
                               [](int64_t p, const auto& s) { return p < s->stream_base(); });
    seg = *std::prev(it);
  }
  if (seg == nullptr) return nullptr;
  claim->from_base = seg->base_offset();
  claims_.Prune();
  return seg;
}

}  // namespace topicfs::store

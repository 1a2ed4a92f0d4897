// Partition, the remote tier's side (DESIGN §9): which segment is copied
// next, the catalog records of each copy and deletion, and local
// retention, which lets a copied segment's local files go.
//
// Every state change is committed, synced, before what it announces
// happens (a record before the first object is written, DELETE_STARTED
// before the local files go), so that a crash at any point leaves a
// catalog that names every object in the bucket.
#include <algorithm>

#include "store/metadata.h"
#include "store/partition.h"
#include "store/segment.h"
#include "store/tier_cache.h"

namespace topicfs::store {

int64_t Partition::local_log_start_offset() const {
  std::lock_guard lock(mu_);
  for (auto& seg : segments_) {
    if (!seg->remote_only()) return std::max(seg->base_offset(), state_.log_start_offset);
  }
  return segments_.back()->next_offset();
}

int64_t Partition::local_size_bytes() const {
  std::lock_guard lock(mu_);
  int64_t total = 0;
  for (auto& seg : segments_) {
    if (!seg->remote_only()) total += seg->size();
  }
  return total;
}

std::vector<std::shared_ptr<Segment>> Partition::NextToCopy(size_t max) const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Segment>> out;
  if (deleted_) return out;
  for (auto& seg : segments_) {
    if (out.size() == max || !seg->sealed()) break;
    auto it = remote_.find(seg->base_offset());
    if (it == remote_.end() || it->second.state == RemoteState::kCopyStarted) out.push_back(seg);
  }
  return out;
}

Status Partition::BeginCopy(const std::shared_ptr<Segment>& segment, const RemoteSegment& record) {
  std::lock_guard lock(mu_);
  auto it = std::find(segments_.begin(), segments_.end(), segment);
  if (deleted_ || it == segments_.end()) {
    return Status::NotFound("segment " + std::to_string(segment->base_offset()) + " is gone");
  }
  Metadata::Batch batch(meta_);
  batch.PutRemote(topic_, id_, record);
  TOPICFS_RETURN_IF_ERROR(meta_->Commit(batch, /*sync=*/true));
  remote_[record.meta.base_offset] = record;
  segment->set_tier_copy(Segment::TierCopy::kCopying);
  return Status::OK();
}

Status Partition::FinishCopy(const std::shared_ptr<Segment>& segment) {
  std::lock_guard lock(mu_);
  auto it = remote_.find(segment->base_offset());
  if (deleted_ || it == remote_.end() || it->second.state != RemoteState::kCopyStarted) {
    return Status::NotFound("segment " + std::to_string(segment->base_offset()) +
                            " was deleted while it was copied");
  }
  RemoteSegment record = it->second;
  record.state = RemoteState::kCopyFinished;
  Metadata::Batch batch(meta_);
  batch.PutRemote(topic_, id_, record);
  TOPICFS_RETURN_IF_ERROR(meta_->Commit(batch, /*sync=*/true));
  it->second = std::move(record);
  segment->set_tier_copy(Segment::TierCopy::kCopied);
  return Status::OK();
}

std::vector<RemoteSegment> Partition::PendingRemoteDeletes() const {
  std::lock_guard lock(mu_);
  std::vector<RemoteSegment> out;
  for (auto& [base, record] : remote_) {
    if (record.state == RemoteState::kDeleteStarted) out.push_back(record);
  }
  return out;
}

Status Partition::FinishRemoteDelete(int64_t base) {
  std::lock_guard lock(mu_);
  auto it = remote_.find(base);
  if (it == remote_.end()) return Status::OK();
  // A deleted topic's records moved to the orphans (Store::DeleteTopic).
  if (!deleted_) {
    Metadata::Batch batch(meta_);
    batch.DeleteRemote(topic_, id_, base);
    TOPICFS_RETURN_IF_ERROR(meta_->Commit(batch, /*sync=*/true));
  }
  remote_.erase(it);
  return Status::OK();
}

std::optional<RemoteSegment> Partition::RemoteRecord(int64_t base) const {
  std::lock_guard lock(mu_);
  auto it = remote_.find(base);
  if (it == remote_.end()) return std::nullopt;
  return it->second;
}

std::vector<RemoteSegment> Partition::RemoteRecords() const {
  std::lock_guard lock(mu_);
  std::vector<RemoteSegment> out;
  for (auto& [base, record] : remote_) out.push_back(record);
  return out;
}

Result<int> Partition::DropLocalCopies(const std::function<bool(const Segment&)>& should_drop,
                                       const std::shared_ptr<TierCache>& cache) {
  std::lock_guard lock(mu_);
  if (deleted_) return 0;
  std::vector<std::shared_ptr<Segment>> dropping;
  for (auto& seg : segments_) {
    if (seg->remote_only()) continue;
    if (!seg->sealed() || seg->tier_copy() != Segment::TierCopy::kCopied || !should_drop(*seg)) {
      break;
    }
    dropping.push_back(seg);
  }
  if (dropping.empty()) return 0;
  // Their indexes stay in memory for lookups: checked first if no lookup has.
  for (auto& seg : dropping) {
    if (!seg->NeedsIndexCheck()) continue;
    Result<CheckedIndexes> checked =
        seg->CheckIndexes({config_.delimiter(), config_.index_interval_bytes()});
    if (!checked.ok()) return checked.status();
    TOPICFS_RETURN_IF_ERROR(seg->InstallCheckedIndexes(std::move(*checked)));
  }
  // The catalog first: a crash before the files go leaves a .log the next
  // mount adopts again as a local copy, still copied.
  Metadata::Batch batch(meta_);
  for (auto& seg : dropping) batch.DeleteSegmentEntry(topic_, id_, seg->base_offset());
  TOPICFS_RETURN_IF_ERROR(meta_->Commit(batch, /*sync=*/true));
  for (auto& seg : dropping) {
    seg->DropLocalCopy(RemoteCopy{cache, remote_.at(seg->base_offset())});
  }
  return static_cast<int>(dropping.size());
}

Status Partition::LoadRemoteIndexes(const std::shared_ptr<Segment>& segment) {
  Result<RemoteIndexes> fetched = segment->FetchRemoteIndexes();
  if (!fetched.ok()) return fetched.status();
  std::lock_guard lock(mu_);
  if (segment->NeedsRemoteIndexes()) segment->InstallRemoteIndexes(std::move(*fetched));
  return Status::OK();
}

Status Partition::CheckIndexes(const std::shared_ptr<Segment>& segment) {
  IndexRules rules;
  {
    std::lock_guard lock(mu_);
    if (!segment->NeedsIndexCheck()) return Status::OK();
    rules = {config_.delimiter(), config_.index_interval_bytes()};
  }
  Result<CheckedIndexes> checked = segment->CheckIndexes(rules);
  std::lock_guard lock(mu_);
  if (!checked.ok()) {
    // The local copy went to the tier meanwhile: nothing left to check.
    return segment->remote_only() ? Status::OK() : checked.status();
  }
  // Recovery reports what it rebuilds; a check on first use says it too.
  if (!checked->sound) {
    env_.LogInfo(segment->index_path() +
                 ": indexes did not match the segment and were rebuilt from its .log");
  }
  return segment->InstallCheckedIndexes(std::move(*checked));
}

Status Partition::CheckIndexes(int64_t base_offset) {
  std::shared_ptr<Segment> segment;
  {
    std::lock_guard lock(mu_);
    for (const auto& seg : segments_) {
      if (seg->base_offset() == base_offset) segment = seg;
    }
  }
  return segment == nullptr ? Status::OK() : CheckIndexes(segment);
}

Status Partition::LoadIndexes(const std::shared_ptr<Segment>& segment) {
  return segment->remote_only() ? LoadRemoteIndexes(segment) : CheckIndexes(segment);
}

void Partition::PrefetchAcross(const SegmentFile& seg, int64_t pos) const {
  if (!seg.remote_only() || pos < seg.size() - static_cast<int64_t>(TierCache::kChunkBytes)) return;
  if (std::shared_ptr<Segment> next = SegmentAfter(seg.base_offset())) next->PrefetchRemote();
}

}  // namespace topicfs::store

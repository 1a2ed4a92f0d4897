#include "store/partition.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "store/clock.h"
#include "store/file_io.h"
#include "store/metadata.h"
#include "store/names.h"
#include "store/record_scan.h"
#include "store/segment.h"

namespace topicfs::store {
namespace {
constexpr size_t kSyncfsThreshold = 4;
}  // namespace

Partition::Partition(std::string topic, int32_t id, std::string dir, Metadata* meta, Env& env,
                     const TopicConfig& config, PartitionState state,
                     std::vector<std::shared_ptr<Segment>> segments,
                     std::vector<RemoteSegment> remote)
    : topic_(std::move(topic)),
      id_(id),
      dir_(std::move(dir)),
      meta_(meta),
      env_(env),
      config_(config),
      state_(state),
      segments_(segments.begin(), segments.end()),
      last_flush_ms_(NowMs()),
      delimiter_(config.delimiter()),
      max_message_bytes_(config.max_message_bytes()),
      active_base_(segments_.back()->base_offset()) {
  int64_t stream = 0;
  for (auto& seg : segments_) {
    seg->set_stream_base(stream);
    stream += seg->size();
  }
  for (RemoteSegment& r : remote) remote_.emplace(r.meta.base_offset, std::move(r));
}

Partition::~Partition() = default;

Partition::AppendResult Partition::Append(std::string_view first, std::string_view rest,
                                          int64_t now_ms) {
  AppendResult result;
  std::unique_lock lock(mu_);
  if (deleted_) {
    result.status = Status::NotFound("topic " + topic_ + " was deleted");
    return result;
  }
  if (!failure_.ok()) {
    result.status = failure_;
    return result;
  }
  const char delim = config_.delimiter();
  if ((!first.empty() && first.back() != delim) || (!rest.empty() && rest.back() != delim)) {
    result.status = Status::InvalidArgument("append of bytes that are not whole records");
    return result;
  }
  // Wall clocks step back; appended times never do.
  now_ms = std::max(now_ms, segments_.back()->max_timestamp_ms());
  const int64_t end_before = segments_.back()->next_offset();
  const AppendLimits limits{config_.segment_bytes(), config_.index_interval_bytes(),
                            config_.delimiter()};
  while (!first.empty() || !rest.empty()) {
    Segment& active = *segments_.back();
    if (active.ShouldRoll(now_ms, config_.segment_ms())) {
      result.status = RollLocked();
      if (!result.status.ok()) break;
      continue;
    }
    Result<size_t> taken = active.Append(first, rest, now_ms, limits);
    if (!taken.ok()) {
      result.status = taken.status();
      break;
    }
    if (*taken == 0) {
      result.status = RollLocked();
      if (!result.status.ok()) break;
      continue;
    }
    const size_t from_first = std::min(*taken, first.size());
    first.remove_prefix(from_first);
    rest.remove_prefix(*taken - from_first);
    result.bytes += *taken;
  }
  if (result.status.ok()) result.status = MaybeFlushOnCountLocked(lock);
  if (result.bytes > 0) {
    traffic_.CountAppend(static_cast<int64_t>(result.bytes),
                         segments_.back()->next_offset() - end_before);
    WakeReached(lock);
  }
  return result;
}

Result<Partition::BatchAppended> Partition::AppendBatch(std::string_view records, int64_t now_ms) {
  const char delim = delimiter();
  if (records.empty() || records.back() != delim) {
    return Status::InvalidArgument("a batch must be whole records");
  }
  const int64_t max = max_message_bytes();
  if (size_t at = FirstRecordLongerThan(records.data(), records.size(), delim, max);
      at < records.size()) {
    return Status::MessageTooLarge("a record of the batch is longer than max.message.bytes (" +
                                   std::to_string(max) + ")");
  }
  std::unique_lock lock(mu_);
  if (deleted_) return Status::NotFound("topic " + topic_ + " was deleted");
  if (!failure_.ok()) return failure_;
  if (static_cast<int64_t>(records.size()) > config_.segment_bytes()) {
    return Status::MessageTooLarge("a batch of " + std::to_string(records.size()) +
                                   " bytes is larger than segment.bytes (" +
                                   std::to_string(config_.segment_bytes()) + ")");
  }
  now_ms = std::max(now_ms, segments_.back()->max_timestamp_ms());
  AppendLimits limits{config_.segment_bytes(), config_.index_interval_bytes(), delim};
  limits.whole = true;
  for (;;) {
    Segment& active = *segments_.back();
    if (!active.ShouldRoll(now_ms, config_.segment_ms())) {
      const int64_t base = active.next_offset();
      Result<size_t> taken = active.Append(records, now_ms, limits);
      if (!taken.ok()) return taken.status();
      if (*taken == records.size()) {
        BatchAppended done{Offset(base), active.next_offset() - base, now_ms};
        traffic_.CountAppend(static_cast<int64_t>(records.size()), done.records);
        Status flushed = MaybeFlushOnCountLocked(lock);
        WakeReached(lock);
        if (!flushed.ok()) return flushed;
        return done;
      }
      if (active.size() == 0) {
        return Status::InvalidArgument("a batch of " + std::to_string(records.size()) +
                                       " bytes needs more index entries than a segment holds");
      }
    }
    TOPICFS_RETURN_IF_ERROR(RollLocked());
  }
}

Status Partition::RollLocked() {
  std::shared_ptr<Segment> old = segments_.back();
  Result<std::shared_ptr<Segment>> next = Segment::Create(
      dir_, old->next_offset(), config_.segment_index_bytes(), old->descriptor_cache());
  if (!next.ok()) return next.status();
  Status sealed = old->Seal();
  if (!sealed.ok()) {
    (*next)->RemoveFiles(/*held=*/false);
    return sealed;
  }
  (*next)->set_stream_base(old->stream_base() + old->size());
  segments_.push_back(*next);
  active_base_.store((*next)->base_offset(), std::memory_order_release);
  Metadata::Batch batch(meta_);
  batch.PutSegment(topic_, id_, old->Meta(false));
  batch.PutSegment(topic_, id_, (*next)->Meta(false));
  return meta_->Commit(batch);
}

Status Partition::MaybeFlushOnCountLocked(std::unique_lock<std::mutex>& lock) {
  if (config_.flush_messages() < 0) return Status::OK();
  if (segments_.back()->next_offset() - state_.recovery_point < config_.flush_messages()) {
    return Status::OK();
  }
  lock.unlock();
  return Flush();
}

Status Partition::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  std::vector<std::shared_ptr<Segment>> to_sync;
  int64_t target;
  {
    std::lock_guard lock(mu_);
    if (deleted_) return Status::NotFound("topic " + topic_ + " was deleted");
    if (!failure_.ok()) return failure_;
    target = segments_.back()->next_offset();
    if (target == state_.recovery_point) return Status::OK();
    for (auto& seg : segments_) {
      if (seg->next_offset() > state_.recovery_point || seg == segments_.back()) {
        to_sync.push_back(seg);
      }
    }
  }
  {
    std::lock_guard lock(mu_);
    for (auto& seg : to_sync) {
      if (!seg->sealed()) TOPICFS_RETURN_IF_ERROR(seg->WritePendingIndexEntries());
    }
  }
  // The disk waits happen without mu_: appends go on meanwhile, and the
  // recovery point only claims what was appended before the flush began.
  // Past a few segments (many rolls since the last flush), one syncfs
  // replaces three fsyncs, and three journal commits, per segment.
  Status synced;
  if (to_sync.size() > kSyncfsThreshold) {
    synced = SyncFilesystem(env_, dir_);
  } else {
    for (auto& seg : to_sync) {
      synced = seg->Sync();
      if (!synced.ok()) break;
    }
  }
  if (synced.ok()) synced = SyncDir(env_, dir_);
  if (!synced.ok()) return Fail(synced);
  Metadata::Batch batch(meta_);
  PartitionState state;
  {
    std::lock_guard lock(mu_);
    state_.recovery_point = std::max(state_.recovery_point, target);
    state = state_;
    for (auto& seg : to_sync) batch.PutSegment(topic_, id_, seg->Meta(false));
    last_flush_ms_ = NowMs();
  }
  batch.PutPartition(topic_, id_, state);
  return meta_->Commit(batch, /*sync=*/true);
}

Status Partition::Fail(const Status& sync_error) {
  std::lock_guard lock(mu_);
  if (failure_.ok()) {
    failure_ = Status::IOError(topic_ + "/" + std::to_string(id_) + ": " + sync_error.message() +
                                   "; appends to this partition are refused until the store is "
                                   "opened again",
                               EIO);
  }
  return failure_;
}

Status Partition::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

bool Partition::TakeFailureToReport() {
  std::lock_guard lock(mu_);
  if (failure_.ok() || failure_reported_) return false;
  failure_reported_ = true;
  return true;
}

Status Partition::MaybeFlushOnTime(int64_t now_ms) {
  {
    std::lock_guard lock(mu_);
    if (config_.flush_ms() < 0 || now_ms - last_flush_ms_ < config_.flush_ms()) {
      return Status::OK();
    }
    if (segments_.back()->next_offset() == state_.recovery_point) {
      last_flush_ms_ = now_ms;
      return Status::OK();
    }
  }
  return Flush();
}

std::shared_ptr<Segment> Partition::SegmentAfter(int64_t base_offset) const {
  std::lock_guard lock(mu_);
  auto it = std::upper_bound(segments_.begin(), segments_.end(), base_offset,
                             [](int64_t o, const auto& s) { return o < s->base_offset(); });
  return it == segments_.end() ? nullptr : *it;
}

std::shared_ptr<const SegmentFile> Partition::FindSegment(int64_t base_offset) const {
  std::lock_guard lock(mu_);
  for (auto& seg : segments_) {
    if (seg->base_offset() == base_offset) return seg;
  }
  return nullptr;
}

std::shared_ptr<const SegmentFile> Partition::ActiveSegment() const {
  std::lock_guard lock(mu_);
  return segments_.back();
}

std::vector<std::shared_ptr<const SegmentFile>> Partition::Segments() const {
  std::lock_guard lock(mu_);
  return {segments_.begin(), segments_.end()};
}

std::vector<std::shared_ptr<Segment>> Partition::SegmentChain() const {
  std::lock_guard lock(mu_);
  return {segments_.begin(), segments_.end()};
}

int64_t Partition::stream_end() const {
  std::lock_guard lock(mu_);
  return StreamEndLocked();
}

int64_t Partition::StreamEndLocked() const {
  return segments_.back()->stream_base() + segments_.back()->size();
}

Result<WaitId> Partition::WhenStreamPast(int64_t stream_pos, WakeFn wake) {
  std::lock_guard lock(mu_);
  if (deleted_) return Status::NotFound("topic " + topic_ + " was deleted");
  if (StreamEndLocked() > stream_pos) return WaitId{0};
  return waiters_.Add(stream_pos, std::move(wake));
}

bool Partition::CancelWait(WaitId id) {
  std::lock_guard lock(mu_);
  return waiters_.Cancel(id);
}

void Partition::WakeReached(std::unique_lock<std::mutex>& lock) {
  if (waiters_.empty()) return;
  std::vector<WakeFn> reached = waiters_.TakeReached(StreamEndLocked());
  lock.unlock();
  WakeAll(reached, Status::OK());
}

void Partition::WakeAllWaiters(const Status& why) {
  std::unique_lock lock(mu_);
  std::vector<WakeFn> all = waiters_.TakeAll();
  lock.unlock();
  WakeAll(all, why);
}

int64_t Partition::log_start_offset() const {
  std::lock_guard lock(mu_);
  return state_.log_start_offset;
}

int64_t Partition::log_end_offset() const {
  std::lock_guard lock(mu_);
  return segments_.back()->next_offset();
}

int64_t Partition::size_bytes() const {
  std::lock_guard lock(mu_);
  int64_t total = 0;
  for (auto& seg : segments_) total += seg->size();
  return total;
}

int64_t Partition::segment_count() const {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(segments_.size());
}

int64_t Partition::recovery_point() const {
  std::lock_guard lock(mu_);
  return state_.recovery_point;
}

TopicConfig Partition::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

void Partition::set_config(const TopicConfig& config) {
  std::lock_guard lock(mu_);
  config_ = config;
  delimiter_.store(config.delimiter(), std::memory_order_relaxed);
  max_message_bytes_.store(config.max_message_bytes(), std::memory_order_relaxed);
  for (auto& seg : segments_) {
    if (seg->sealed()) continue;
    seg->offset_index().set_max_entries(
        std::max<size_t>(1, config.segment_index_bytes() / kOffsetIndexEntrySize));
    seg->time_index().set_max_entries(
        std::max<size_t>(1, config.segment_index_bytes() / kTimeIndexEntrySize));
  }
}

Status Partition::DeleteFrontLocked(int count) {
  if (count <= 0) return Status::OK();
  std::vector<std::shared_ptr<Segment>> gone(segments_.begin(), segments_.begin() + count);
  PartitionState state = state_;
  state.log_start_offset = std::max(state.log_start_offset, segments_[count]->base_offset());
  state.recovery_point = std::max(state.recovery_point, state.log_start_offset);
  // The catalog moves first: a crash between the two steps leaves files that
  // recovery sees are below the log start and removes.
  Metadata::Batch batch(meta_);
  batch.PutPartition(topic_, id_, state);
  std::vector<RemoteSegment*> released;  // their objects go next (the tier thread)
  for (auto& seg : gone) {
    batch.DeleteSegment(topic_, id_, seg->base_offset());
    if (auto it = remote_.find(seg->base_offset()); it != remote_.end()) {
      RemoteSegment record = it->second;
      record.state = RemoteState::kDeleteStarted;
      batch.PutRemote(topic_, id_, record);
      released.push_back(&it->second);
    }
  }
  TOPICFS_RETURN_IF_ERROR(meta_->Commit(batch, /*sync=*/!released.empty()));
  for (RemoteSegment* r : released) r->state = RemoteState::kDeleteStarted;
  state_ = state;
  segments_.erase(segments_.begin(), segments_.begin() + count);
  // Open readers keep reading what they hold or claim (beyond `gone` and
  // the claims, nobody can reach these segments any more); the names go now.
  claims_.Retire(gone);
  for (auto& seg : gone) seg->RemoveFiles(/*held=*/seg.use_count() > 1);
  return Status::OK();
}

Result<int> Partition::DeleteOldest(const std::function<bool(const Segment&)>& should_delete) {
  std::lock_guard lock(mu_);
  if (deleted_) return 0;  // the whole topic went; its paths may be a new topic's
  int count = 0;
  while (count + 1 < static_cast<int>(segments_.size()) && segments_[count]->sealed() &&
         should_delete(*segments_[count])) {
    ++count;
  }
  TOPICFS_RETURN_IF_ERROR(DeleteFrontLocked(count));
  return count;
}

Status Partition::TrimSegment(int64_t base_offset) {
  std::lock_guard lock(mu_);
  if (deleted_) return Status::NotFound("topic " + topic_ + " was deleted");
  if (segments_.size() < 2 || segments_.front()->base_offset() != base_offset) {
    return Status::Permission("only the oldest sealed segment can be removed");
  }
  return DeleteFrontLocked(1);
}

Status Partition::CloseClean() {
  std::lock_guard lock(mu_);
  if (deleted_) return Status::OK();
  Segment& active = *segments_.back();
  TOPICFS_RETURN_IF_ERROR(active.offset_index().file().WritePending());
  TOPICFS_RETURN_IF_ERROR(active.time_index().file().WritePending());
  Metadata::Batch batch(meta_);
  for (auto& seg : segments_) {
    if (seg->remote_only()) continue;
    // A segment that was sealed when the store opened has the entry it was
    // opened from (or the one the open wrote): it never changes again, and
    // 100,000 of them rewritten made every close write megabytes to
    // RocksDB. One sealed by this process is written again, in case the
    // commit of its roll failed.
    if (seg->sealed() && seg->sealed_at_ms() == 0) continue;
    batch.PutSegment(topic_, id_, seg->Meta(/*with_hash_state=*/true));
  }
  batch.PutPartition(topic_, id_, state_);
  return meta_->Commit(batch);
}

bool Partition::MarkDeleted(const std::vector<std::shared_ptr<Partition>>& partitions,
                            bool require_empty) {
  // A flush in flight finishes first, so none commits catalog entries of a
  // deleted topic after the deletion did (they would be a new topic's).
  std::vector<std::unique_lock<std::mutex>> flush_locks;
  flush_locks.reserve(partitions.size());
  for (auto& p : partitions) flush_locks.emplace_back(p->flush_mu_);
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(partitions.size());
  for (auto& p : partitions) {
    locks.emplace_back(p->mu_);
    // The same test as Topic::HoldsRecords, under the lock Append takes.
    if (require_empty && p->segments_.back()->next_offset() > p->state_.log_start_offset) {
      return false;
    }
  }
  std::vector<std::vector<WakeFn>> woken;
  for (auto& p : partitions) {
    p->deleted_ = true;
    woken.push_back(p->waiters_.TakeAll());
    // The files go next; whoever holds a segment (an open handle, a reader)
    // keeps reading it, as with an unlinked file. A reader that holds the
    // partition (its topic and `partitions` hold two references) may walk
    // on into later segments: those stay readable too, and never by a path
    // a topic made again under the name could reuse.
    const bool partition_held = p.use_count() > 2;
    for (auto& seg : p->segments_) {
      if (partition_held || seg.use_count() > 1) seg->KeepReadable();
    }
  }
  locks.clear();
  flush_locks.clear();
  for (auto& wakes : woken) WakeAll(wakes, Status::NotFound("the topic was deleted"));
  return true;
}

void Partition::UnmarkDeleted(const std::vector<std::shared_ptr<Partition>>& partitions) {
  for (auto& p : partitions) {
    std::lock_guard lock(p->mu_);
    p->deleted_ = false;
  }
}

bool Partition::deleted() const {
  std::lock_guard lock(mu_);
  return deleted_;
}

}  // namespace topicfs::store

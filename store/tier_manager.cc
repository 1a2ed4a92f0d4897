#include "store/tier_manager.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "store/clock.h"
#include "store/file_io.h"
#include "store/metadata.h"
#include "store/segment.h"
#include "store/store.h"

namespace topicfs::store {
namespace {

constexpr int64_t kTickMs = 1000;
constexpr int64_t kFirstBackoffMs = 1000;
constexpr int64_t kMaxBackoffMs = 60000;

// The seam of the crash tests: the daemon dies like kill -9 right after the
// named step when TOPICFS_TEST_TIER_CRASH_AT names it.
void CrashPoint(std::string_view step) {
  static const char* const at = std::getenv("TOPICFS_TEST_TIER_CRASH_AT");
  if (at != nullptr && step == at) ::kill(::getpid(), SIGKILL);
}

// An index file; a missing one (never written: no entry) is empty.
Result<std::string> ReadIndexFile(const std::string& path) {
  Result<std::string> bytes = ReadWholeFile(path);
  if (!bytes.ok() && bytes.status().Is(Code::kNotFound)) return std::string();
  return bytes;
}

}  // namespace

TierManager::TierManager(Store& store, Metadata& meta, std::shared_ptr<RemoteTier> tier,
                         FailureFn on_failure)
    : store_(store), meta_(meta), tier_(std::move(tier)), on_failure_(std::move(on_failure)) {
  for (const std::string& topic : store_.ListTopics()) {
    Result<std::optional<std::string>> flag = meta_.GetStoreFlag(PausedFlag(topic));
    if (flag.ok() && flag->value_or("0") == "1") paused_.insert(topic);
  }
}

TierManager::~TierManager() { Stop(); }

void TierManager::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

void TierManager::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool TierManager::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void TierManager::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

void TierManager::Loop() {
  for (;;) {
    const bool busy = Pass();
    std::unique_lock lock(mu_);
    if (stopping_) return;
    if (!busy) {
      wake_.wait_for(lock, std::chrono::milliseconds(kTickMs), [&] { return stopping_ || woken_; });
    }
    woken_ = false;
    if (stopping_) return;
  }
}

Status TierManager::RunUntilIdle() {
  while (Pass()) {
  }
  std::lock_guard lock(mu_);
  for (auto& [key, health] : health_) {
    if (!health.last_error.empty()) return Status::Unavailable(health.last_error);
  }
  return Status::OK();
}

bool TierManager::Pass() {
  bool did = false;
  const int64_t now = NowMs();
  // A deleted topic's objects.
  const Key orphans{"", -1};
  if (!BackingOff(orphans, now)) {
    Result<std::vector<RemoteSegment>> gone = meta_.ListOrphanRemote();
    Status s = gone.status();
    for (size_t i = 0; s.ok() && gone.ok() && i < gone->size(); ++i) {
      s = DeleteObjects((*gone)[i]);
      if (s.ok()) {
        Metadata::Batch batch(&meta_);
        batch.DeleteOrphanRemote((*gone)[i].object);
        s = meta_.Commit(batch, /*sync=*/true);
        did = true;
      }
    }
    NoteResult(orphans, s);
  }
  // Deletions first, then the copies of every partition, the oldest
  // segments first and each partition's first segment before any second.
  std::vector<std::vector<CopyJob>> wanted;
  for (const std::string& name : store_.ListTopics()) {
    std::shared_ptr<Topic> topic = store_.FindTopic(name);
    if (topic == nullptr) continue;
    const bool copying = topic->config().remote_storage_enable() && !paused(name);
    for (const std::shared_ptr<Partition>& p : topic->partitions()) {
      const Key key{name, p->id()};
      if (BackingOff(key, now)) continue;
      Status s;
      for (const RemoteSegment& record : p->PendingRemoteDeletes()) {
        s = DeleteObjects(record);
        CrashPoint("objects-deleted");
        if (s.ok()) s = p->FinishRemoteDelete(record.meta.base_offset);
        if (!s.ok()) break;
        did = true;
      }
      std::vector<std::shared_ptr<Segment>> next;
      if (s.ok() && copying) next = p->NextToCopy(kParallelCopies);
      if (next.empty()) {
        NoteResult(key, s);
        continue;
      }
      std::vector<CopyJob>& jobs = wanted.emplace_back();
      for (auto& seg : next) jobs.push_back({name, p, std::move(seg), Status::OK(), false});
    }
  }
  std::vector<CopyJob> copies;
  for (size_t depth = 0; depth < kParallelCopies; ++depth) {
    for (auto& jobs : wanted) {
      if (depth < jobs.size()) copies.push_back(std::move(jobs[depth]));
    }
  }
  RunCopies(copies);
  // One result per partition: its first failure, else success.
  std::map<Key, Status> results;
  for (CopyJob& job : copies) {
    if (!job.ran) continue;
    // Retention or a deletion took it meanwhile: nothing went wrong.
    if (job.status.Is(Code::kNotFound)) job.status = Status::OK();
    did = did || job.status.ok();
    auto [it, first] = results.try_emplace(Key{job.topic, job.partition->id()}, job.status);
    if (!first && it->second.ok()) it->second = job.status;
  }
  for (const auto& [key, status] : results) NoteResult(key, status);
  return did;
}

void TierManager::RunCopies(std::vector<CopyJob>& copies) {
  // Uploads overlap: one segment's hashing and small objects go while
  // another's body is on the wire, and an object store serves parallel
  // streams faster than one (Kafka's copier pool does the same).
  std::atomic<size_t> next{0};
  auto work = [&] {
    // A stopping store (an unmount) waits for the copies in flight only.
    for (size_t i; !stopping() && (i = next.fetch_add(1)) < copies.size();) {
      CopyJob& job = copies[i];
      job.status = Copy(job.topic, *job.partition, job.segment);
      job.ran = true;
    }
  };
  std::vector<std::thread> helpers;
  for (size_t i = 1; i < std::min(copies.size(), kParallelCopies); ++i) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
}

Result<std::string> TierManager::TopicTierId(const std::string& topic) {
  // Copies run in parallel: two first copies of a topic draw one id.
  std::lock_guard lock(tier_id_mu_);
  // Read from meta/ at every copy (one read, no write once drawn): a topic
  // deleted and made again under the name has lost its id with it, and
  // draws a new one here.
  Result<std::optional<std::string>> id = meta_.GetTopicTierId(topic);
  if (!id.ok()) return id.status();
  if (*id) return **id;
  std::string fresh = NewTopicTierId();
  Metadata::Batch batch(&meta_);
  batch.PutTopicTierId(topic, fresh);
  TOPICFS_RETURN_IF_ERROR(meta_.Commit(batch, /*sync=*/true));
  return fresh;
}

Status TierManager::Copy(const std::string& topic, Partition& p,
                         const std::shared_ptr<Segment>& seg) {
  // Only synced bytes are copied: recovery after a power loss could
  // otherwise cut a segment the tier holds whole.
  if (seg->next_offset() > p.recovery_point()) TOPICFS_RETURN_IF_ERROR(p.Flush());
  // The index files go as they are on disk: checked (and rebuilt if
  // unsound) first, as no lookup may have yet.
  if (Status s = p.CheckIndexes(seg); !s.ok()) {
    return s.Is(Code::kNotFound) ? Status::NotFound("gone") : s;
  }
  RemoteSegment record;
  record.state = RemoteState::kCopyStarted;
  // A copy cut short (a crash, a failure) is made again under the same
  // names, which overwrites whatever of it reached the tier.
  if (std::optional<RemoteSegment> started = p.RemoteRecord(seg->base_offset())) {
    record.object = started->object;
  } else {
    Result<std::string> id = TopicTierId(topic);
    if (!id.ok()) return id.status();
    record.object = RemoteObjectName(topic, *id, p.id(), seg->base_offset());
  }
  record.meta = seg->Meta(/*with_hash_state=*/false);
  record.index_bytes = seg->index_bytes();
  record.time_index_bytes = seg->time_index_bytes();
  TOPICFS_RETURN_IF_ERROR(p.BeginCopy(seg, record));
  CrashPoint("copy-started");
  Result<FileRef> log = seg->OpenLog();
  if (!log.ok()) return log.status().Is(Code::kNotFound) ? Status::NotFound("gone") : log.status();
  TOPICFS_RETURN_IF_ERROR(tier_->PutFile(record.LogKey(), log->fd(), record.meta.size_bytes));
  CrashPoint("log-copied");
  Result<std::string> index = ReadIndexFile(seg->index_path());
  if (!index.ok()) return index.status();
  index->resize(std::min<size_t>(index->size(), record.index_bytes));
  TOPICFS_RETURN_IF_ERROR(tier_->PutBytes(record.IndexKey(), *index));
  Result<std::string> time_index = ReadIndexFile(seg->time_index_path());
  if (!time_index.ok()) return time_index.status();
  time_index->resize(std::min<size_t>(time_index->size(), record.time_index_bytes));
  TOPICFS_RETURN_IF_ERROR(tier_->PutBytes(record.TimeIndexKey(), *time_index));
  // The manifest last: a bucket listing shows a segment as whole only then.
  TOPICFS_RETURN_IF_ERROR(
      tier_->PutBytes(record.ManifestKey(), record.EncodeManifest(topic, p.id())));
  CrashPoint("manifest-copied");
  TOPICFS_RETURN_IF_ERROR(p.FinishCopy(seg));
  CrashPoint("copy-finished");
  copied_segments_.fetch_add(1, std::memory_order_relaxed);
  copied_bytes_.fetch_add(record.meta.size_bytes + static_cast<int64_t>(index->size()) +
                              static_cast<int64_t>(time_index->size()),
                          std::memory_order_relaxed);
  return Status::OK();
}

TierManager::Totals TierManager::totals() const {
  return {copied_segments_.load(std::memory_order_relaxed),
          copied_bytes_.load(std::memory_order_relaxed),
          deleted_segments_.load(std::memory_order_relaxed),
          failures_.load(std::memory_order_relaxed)};
}

Status TierManager::DeleteObjects(const RemoteSegment& record) {
  // The manifest first: a bucket listing no longer offers the segment to
  // `topicfs recover` once its deletion began.
  for (const std::string& key :
       {record.ManifestKey(), record.LogKey(), record.IndexKey(), record.TimeIndexKey()}) {
    TOPICFS_RETURN_IF_ERROR(tier_->Delete(key));
  }
  deleted_segments_.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

void TierManager::NoteResult(const Key& key, const Status& s) {
  std::unique_lock lock(mu_);
  Health& h = health_[key];
  if (!s.ok() && h.last_error.empty() && on_failure_) {
    const std::string what = key.first.empty() ? std::string("deletion of a deleted topic")
                                               : key.first + "/" + std::to_string(key.second);
    lock.unlock();
    on_failure_(what, s);
    lock.lock();
  }
  if (s.ok()) {
    h.last_error.clear();
    h.backoff_ms = 0;
    h.retry_at_ms = 0;
    return;
  }
  failures_.fetch_add(1, std::memory_order_relaxed);
  h.last_error = s.ToString();
  h.last_error_ms = NowMs();
  h.backoff_ms = std::clamp(h.backoff_ms * 2, kFirstBackoffMs, kMaxBackoffMs);
  // Full jitter on the upper half: many partitions do not retry in step.
  static thread_local std::minstd_rand random(std::random_device{}());
  h.retry_at_ms = h.last_error_ms + h.backoff_ms / 2 +
                  static_cast<int64_t>(random() % static_cast<uint64_t>(h.backoff_ms / 2 + 1));
}

bool TierManager::BackingOff(const Key& key, int64_t now_ms) const {
  std::lock_guard lock(mu_);
  auto it = health_.find(key);
  return it != health_.end() && now_ms < it->second.retry_at_ms;
}

std::string TierManager::PausedFlag(std::string_view topic) {
  return "tier-paused/" + std::string(topic);
}

void TierManager::SetPaused(const std::string& topic, bool paused) {
  {
    std::lock_guard lock(mu_);
    if (paused) {
      paused_.insert(topic);
    } else {
      paused_.erase(topic);
    }
  }
  if (!paused) Wake();
}

bool TierManager::paused(const std::string& topic) const {
  std::lock_guard lock(mu_);
  return paused_.count(topic) > 0;
}

std::string TierManager::last_error(const std::string& topic, int32_t partition) const {
  std::lock_guard lock(mu_);
  auto it = health_.find({topic, partition});
  return it == health_.end() ? std::string() : it->second.last_error;
}

}  // namespace topicfs::store

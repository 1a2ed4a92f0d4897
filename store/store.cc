#include "store/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <set>

#include "store/boot_id.h"
#include "store/data_dir.h"
#include "store/dir_owner.h"
#include "store/file_io.h"
#include "store/names.h"
#include "store/recovery.h"
#include "store/retention.h"
#include "store/segment.h"
#include "store/tier_cache.h"
#include "store/tier_manager.h"
#include "store/topic_trash.h"
#include "store/units.h"

namespace topicfs::store {
namespace {

constexpr const char* kCleanMarker = "clean-shutdown";

std::vector<std::string> ListDir(const std::string& path) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(path.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") out.push_back(name);
    }
    ::closedir(d);
  }
  return out;
}

// The config of a topic found on disk without metadata: the one kept on
// its directory (dir_owner.h); without one, the defaults, nul-delimited
// when any non-empty segment of any partition ends in NUL, not newline.
TopicConfig InferConfig(const std::string& topic_dir) {
  if (std::optional<TopicConfig> kept = ReadDirConfig(topic_dir)) return *kept;
  TopicConfig config;
  for (const std::string& partition : ListDir(topic_dir)) {
    for (const std::string& log : ListDir(topic_dir + "/" + partition)) {
      auto name = ParseSegmentFileName(log);
      if (!name || name->kind != SegmentFileKind::kLog) continue;
      int fd = ::open((topic_dir + "/" + partition + "/" + log).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      struct stat st;
      char last = '\n';
      bool nul = ::fstat(fd, &st) == 0 && st.st_size > 0 &&
                 ::pread(fd, &last, 1, st.st_size - 1) == 1 && last == '\0';
      ::close(fd);
      if (nul) {
        (void)config.Set("record.delimiter", "nul");
        return config;
      }
    }
  }
  return config;
}

int32_t CountPartitionDirs(const std::string& topic_dir) {
  int32_t n = 0;
  while (::access((topic_dir + "/" + std::to_string(n)).c_str(), F_OK) == 0) ++n;
  return n;
}

// A convenience only: segment descriptors are bounded by the store's
// DescriptorCache whatever the limit, but clients' open handles on index
// files and RocksDB need descriptors too.
void RaiseOpenFileLimit() {
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// A damaged meta/ is rebuilt from the data files (DESIGN §3): say how.
Status WithRecoverAdvice(Status s, const std::string& data_dir) {
  if (!s.Is(Code::kCorruption)) return s;
  return Status::Corruption(s.message() + ": run `topicfs recover " + data_dir +
                            "` to rebuild it from the data files");
}

Status NotClosedCleanly(const std::string& data_dir) {
  return Status::NotSupported(data_dir +
                              " was not closed cleanly and needs recovery, which a command that "
                              "only reads does not do: mount it, or run `topicfs recover " +
                              data_dir + "`, first");
}

// Owners and configs also go on the directories (dir_owner.h); a
// filesystem without user attributes keeps them in meta/ only.
Status UnlessUnsupported(Status s) { return s.Is(Code::kNotSupported) ? Status::OK() : s; }
Status KeepOwnerOnDir(Env& env, const std::string& dir, const Ownership& owner) {
  return UnlessUnsupported(WriteDirOwner(env, dir, owner));
}
Status KeepConfigOnDir(Env& env, const std::string& dir, const TopicConfig& config) {
  return UnlessUnsupported(WriteDirConfig(env, dir, config));
}

// What a topic whose owner was never recorded shows on a mount run by
// this process: the daemon's user, 0755.
Ownership DefaultOwner() {
  return Ownership{0755, static_cast<uint32_t>(::geteuid()), static_cast<uint32_t>(::getegid())};
}

// Set once the owners and configs in meta/ were also written on the
// directories (stores made before configs were kept there run it again).
constexpr const char* kKeptOnDirsFlag = "owners-and-configs-on-dirs";

}  // namespace

class Store::NameReservation {
 public:
  // With `lock` (on the store's mu_) held: waits, releasing it, until no
  // other reservation of `name` exists, then takes one.
  NameReservation(Store* store, std::unique_lock<std::mutex>& lock, std::string_view name)
      : store_(store), lock_(lock), name_(name) {
    store_->name_released_.wait(lock_, [&] { return !store_->reserved_names_.contains(name_); });
    store_->reserved_names_.insert(name_);
  }
  // Whether or not the owner holds `lock` at this point.
  ~NameReservation() {
    if (!lock_.owns_lock()) lock_.lock();
    store_->reserved_names_.erase(name_);
    store_->name_released_.notify_all();
  }
  NameReservation(const NameReservation&) = delete;
  NameReservation& operator=(const NameReservation&) = delete;

 private:
  Store* const store_;
  std::unique_lock<std::mutex>& lock_;
  const std::string name_;
};

TopicConfig Topic::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

int32_t Topic::partition_count() const {
  std::lock_guard lock(mu_);
  return static_cast<int32_t>(partitions_.size());
}

std::shared_ptr<Partition> Topic::partition(int32_t id) const {
  std::lock_guard lock(mu_);
  if (id < 0 || id >= static_cast<int32_t>(partitions_.size())) return nullptr;
  return partitions_[id];
}

std::vector<std::shared_ptr<Partition>> Topic::partitions() const {
  std::lock_guard lock(mu_);
  return partitions_;
}

bool Topic::HoldsRecords() const {
  for (auto& p : partitions()) {
    if (p->log_end_offset() > p->log_start_offset()) return true;
  }
  return false;
}

std::string Store::TopicDir(std::string_view topic) const {
  return data_dir_ + "/topics/" + std::string(topic);
}

Status Store::CheckMetadata(const std::string& data_dir) {
  return WithRecoverAdvice(Metadata::CheckDir(data_dir + "/meta"), data_dir);
}

Result<std::unique_ptr<Store>> Store::Open(const Options& options) {
  RaiseOpenFileLimit();
  std::unique_ptr<Store> store(new Store());
  store->data_dir_ = options.data_dir;
  if (options.env != nullptr) store->env_ = options.env;
  store->files_ = DescriptorCache::Create(*store->env_, options.max_open_files);
  struct stat st;
  if (::stat(options.data_dir.c_str(), &st) != 0) {
    if (!options.create_if_missing)
      return Status::NotFound("no data directory " + options.data_dir);
    TOPICFS_RETURN_IF_ERROR(MakeDir(options.data_dir));
  } else if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(options.data_dir + " is not a directory");
  }
  // Before anything is created: meta/ of another program, or damaged.
  TOPICFS_RETURN_IF_ERROR(CheckMetadata(store->data_dir_));
  store->read_only_ = options.read_only;
  if (!options.read_only) TOPICFS_RETURN_IF_ERROR(MakeDir(store->data_dir_ + "/topics"));
  // The marker is consumed at once, so a crash while loading counts as unclean.
  const std::string marker = store->data_dir_ + "/" + kCleanMarker;
  bool clean = ::access(marker.c_str(), F_OK) == 0;
  bool fresh = ListDir(store->data_dir_ + "/topics").empty() &&
               ::access((store->data_dir_ + "/meta").c_str(), F_OK) != 0;
  if (options.read_only && !clean && !fresh) return NotClosedCleanly(store->data_dir_);
  const bool meta_missing = ::access((store->data_dir_ + "/meta").c_str(), F_OK) != 0;
  auto meta = Metadata::Open(store->data_dir_ + "/meta", options.read_only);
  if (!meta.ok()) return WithRecoverAdvice(meta.status(), store->data_dir_);
  store->meta_ = std::move(*meta);
  store->groups_ = std::make_unique<ConsumerGroups>(store->meta_.get());
  if (options.tier != nullptr) {
    Store* self = store.get();
    store->tier_cache_ = std::make_shared<TierCache>(
        options.tier,
        options.tier_cache_bytes > 0 ? options.tier_cache_bytes : TierCache::kDefaultCapacity,
        [self](const Status& why) {
          self->Notify([&](StoreListener& l) { l.OnTierFailure("read", why); });
        });
  }
  if (clean && !options.read_only) {
    ::unlink(marker.c_str());
    TOPICFS_RETURN_IF_ERROR(SyncDir(*store->env_, store->data_dir_));
  }
  if (fresh) clean = true;  // nothing to recover
  store->recovered_ = !clean;
  const std::string boot_id = options.boot_id.empty() ? ReadKernelBootId() : options.boot_id;
  const std::string stored_boot_id = ReadStoredBootId(store->data_dir_);
  if (!boot_id.empty() && boot_id == stored_boot_id) store->tail_trust_ = TailTrust::kSameBoot;
  if (!options.read_only) {
    TOPICFS_RETURN_IF_ERROR(FinishInterruptedDeletions(store->data_dir_, *store->meta_));
  }
  // meta/ lost (or rebuilt by `topicfs recover`): the tier's catalog comes
  // back from its manifests before the partitions are opened.
  if (options.tier != nullptr && !options.read_only && (options.full_recovery || meta_missing)) {
    TOPICFS_RETURN_IF_ERROR(store->RebuildRemoteCatalog(*options.tier));
  }
  TOPICFS_RETURN_IF_ERROR(store->LoadTopics(options, clean));
  if (!options.read_only) TOPICFS_RETURN_IF_ERROR(store->CopyToDirsOnce());
  if (options.tier != nullptr && !options.read_only) {
    Store* self = store.get();
    store->tier_manager_ = std::make_unique<TierManager>(
        *store, *store->meta_, options.tier, [self](std::string_view what, const Status& why) {
          self->Notify([&](StoreListener& l) { l.OnTierFailure(what, why); });
        });
    if (options.tier_background) store->tier_manager_->Start();
  }
  // Only once recovery is done: a crash while judging a new boot's tails
  // must be judged as a new boot again.
  if (!boot_id.empty() && boot_id != stored_boot_id && !options.read_only) {
    TOPICFS_RETURN_IF_ERROR(StoreBootId(*store->env_, store->data_dir_, boot_id));
  }
  store->closed_ = false;
  return store;
}

Status Store::LoadTopics(const Options& options, bool clean) {
  auto records = meta_->ListTopics();
  if (!records.ok()) return records.status();
  std::map<std::string, TopicRecord> all(records->begin(), records->end());
  for (const std::string& name : ListDir(data_dir_ + "/topics")) {
    if (all.count(name) || !IsValidTopicName(name)) continue;
    TopicRecord adopted;  // data without metadata: meta/ was lost
    adopted.config = InferConfig(TopicDir(name));
    adopted.partitions = std::max(1, CountPartitionDirs(TopicDir(name)));
    all[name] = adopted;
    if (read_only_) continue;  // shown, not written
    Metadata::Batch batch(meta_.get());
    batch.PutTopic(name, adopted);
    RestoreOwners(batch, name, adopted.partitions);
    TOPICFS_RETURN_IF_ERROR(meta_->Commit(batch));
    if (options.reporter) options.reporter->Cut(TopicDir(name), 0, "topic metadata rebuilt");
  }
  // What recovery repaired goes to RocksDB in one synced commit, not one per
  // partition: recovery is idempotent, so a crash before it only means the
  // next open repairs the same again.
  Metadata::Batch repaired(meta_.get());
  for (auto& [name, record] : all) {
    if (!read_only_) TOPICFS_RETURN_IF_ERROR(MakeDir(TopicDir(name)));
    std::vector<std::shared_ptr<Partition>> partitions;
    for (int32_t p = 0; p < record.partitions; ++p) {
      auto partition = OpenPartition(name, p, record.config, clean, options, &repaired);
      if (!partition.ok()) return partition.status();
      partitions.push_back(*partition);
    }
    topics_[name] = std::make_shared<Topic>(name, record.config, std::move(partitions));
  }
  return CommitIfAny(repaired);
}

Status Store::CommitIfAny(Metadata::Batch& batch) {
  if (batch.empty()) return Status::OK();
  return meta_->Commit(batch, /*sync=*/true);
}

Result<std::shared_ptr<Partition>> Store::OpenPartition(const std::string& topic, int32_t p,
                                                        const TopicConfig& config, bool clean,
                                                        const Options& options,
                                                        Metadata::Batch* changes) {
  const std::string dir = TopicDir(topic) + "/" + std::to_string(p);
  if (!read_only_) TOPICFS_RETURN_IF_ERROR(MakeDir(dir));
  auto state = meta_->GetPartition(topic, p);
  if (!state.ok()) return state.status();
  auto catalog = meta_->ListSegments(topic, p);
  if (!catalog.ok()) return catalog.status();
  const LoadOptions load{.clean = clean,
                         .full_recovery = options.full_recovery,
                         .trust = tail_trust_,
                         .reporter = options.reporter,
                         .files = files_.get(),
                         .read_only = read_only_};
  Result<std::vector<RemoteSegment>> listed = meta_->ListRemote(topic, p);
  if (!listed.ok()) return listed.status();
  // A partition whose state was lost with meta/ and whose segments are all
  // in the tier (no .log left here) starts its local log where the tier's ends.
  std::optional<PartitionState> load_state = *state;
  // Listed only then: LoadPartition lists the directory anyway, and a
  // mount of many segments feels every listing.
  auto no_logs = [&] {
    const std::vector<std::string> files = ListDir(dir);
    return std::none_of(files.begin(), files.end(), [](const std::string& f) {
      auto name = ParseSegmentFileName(f);
      return name && name->kind == SegmentFileKind::kLog;
    });
  };
  if (!load_state && no_logs()) {
    for (const RemoteSegment& r : *listed) {
      if (r.state != RemoteState::kCopyFinished) continue;
      if (!load_state) load_state = PartitionState{};
      load_state->log_start_offset = std::max(load_state->log_start_offset, r.meta.next_offset);
      load_state->recovery_point = load_state->log_start_offset;
    }
  }
  auto loaded = LoadPartition(dir, config, load_state, std::move(*catalog), load);
  if (!loaded.ok()) return loaded.status();
  std::vector<RemoteSegment> remote;
  const int64_t local_start = loaded->state.log_start_offset;
  TOPICFS_RETURN_IF_ERROR(JoinRemote(topic, p, loaded->segments, loaded->state, *state,
                                     std::move(*listed), &remote, changes));
  if ((loaded->changed || loaded->state.log_start_offset != local_start) && !read_only_) {
    changes->DeletePartitionSegments(topic, p);
    for (const auto& seg : loaded->segments) changes->PutSegment(topic, p, seg->Meta(false));
    changes->PutPartition(topic, p, loaded->state);
  }
  return std::make_shared<Partition>(topic, p, dir, meta_.get(), *env_, config, loaded->state,
                                     std::move(loaded->segments), std::move(remote));
}

Status Store::JoinRemote(const std::string& topic, int32_t p,
                         std::vector<std::shared_ptr<Segment>>& segments, PartitionState& state,
                         const std::optional<PartitionState>& stored,
                         std::vector<RemoteSegment> listed, std::vector<RemoteSegment>* records,
                         Metadata::Batch* changes) {
  const int64_t first_local = segments.front()->base_offset();
  const int64_t stored_start = stored ? stored->log_start_offset : 0;
  std::vector<std::shared_ptr<Segment>> remote_only;
  for (RemoteSegment& r : listed) {
    const int64_t base = r.meta.base_offset;
    auto local = std::find_if(segments.begin(), segments.end(),
                              [&](const auto& s) { return s->base_offset() == base; });
    if (r.state == RemoteState::kCopyFinished && local != segments.end()) {
      (*local)->set_tier_copy(Segment::TierCopy::kCopied);
    } else if (r.state == RemoteState::kCopyStarted && local != segments.end()) {
      (*local)->set_tier_copy(Segment::TierCopy::kCopying);
    } else if (r.state == RemoteState::kCopyFinished && r.meta.next_offset <= first_local &&
               r.meta.next_offset > stored_start) {
      remote_only.push_back(
          Segment::OpenRemote(TopicDir(topic) + "/" + std::to_string(p), {tier_cache_, r}));
    } else if (r.state != RemoteState::kDeleteStarted) {
      // Below the log start, or a copy whose local segment is gone: the
      // objects are not needed, and nothing may stay unknown in the bucket.
      r.state = RemoteState::kDeleteStarted;
      if (!read_only_) changes->PutRemote(topic, p, r);
    }
    records->push_back(std::move(r));
  }
  if (remote_only.empty()) return Status::OK();
  state.log_start_offset = std::max(stored_start, remote_only.front()->base_offset());
  segments.insert(segments.begin(), remote_only.begin(), remote_only.end());
  return Status::OK();
}

Store::~Store() {
  if (!closed_) (void)Close();
}

Status Store::Close() {
  if (closed_) return Status::OK();
  closed_ = true;
  for (auto& topic : AllTopics()) {
    for (auto& p : topic->partitions()) p->WakeAllWaiters(Status::Unavailable("the store closed"));
  }
  if (read_only_) return Status::OK();  // nothing was written, no marker to leave
  if (tier_manager_ != nullptr) tier_manager_->Stop();
  Status first;
  for (auto& topic : AllTopics()) {
    for (auto& p : topic->partitions()) {
      Status s = p->Flush();
      if (s.ok()) s = p->CloseClean();
      if (first.ok() && !s.ok()) first = s;
    }
  }
  if (first.ok()) first = meta_->Sync();
  if (!first.ok()) return first;  // no marker: the next open recovers
  // Everything is durable in the WAL already; a failed flush only leaves the
  // next open a WAL to replay.
  (void)meta_->FlushMemtables();
  const std::string marker = data_dir_ + "/" + kCleanMarker;
  int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return Status::FromErrno(errno, "create " + marker);
  ::close(fd);
  return SyncDir(*env_, data_dir_);
}

Status Store::CreateTopic(std::string_view name, int32_t partitions, const TopicConfig& config,
                          std::optional<Ownership> owner) {
  if (!IsValidTopicName(name)) {
    return Status::InvalidArgument("invalid topic name '" + std::string(name) +
                                   "': use 1-249 characters of [A-Za-z0-9._-]");
  }
  if (partitions < 1 || partitions > 100000) {
    return Status::InvalidArgument("partitions must be between 1 and 100000");
  }
  std::unique_lock lock(mu_);
  NameReservation reserved(this, lock, name);
  if (topics_.count(name)) return Status::AlreadyExists("topic " + std::string(name) + " exists");
  lock.unlock();
  const std::string topic(name);
  Result<std::shared_ptr<Topic>> made = MakeTopic(topic, partitions, config, owner);
  if (!made.ok()) {
    RemoveNewTopic(topic);
    return made.status();
  }
  lock.lock();
  topics_[topic] = std::move(*made);
  return Status::OK();
}

Result<std::shared_ptr<Topic>> Store::MakeTopic(const std::string& topic, int32_t partitions,
                                                const TopicConfig& config,
                                                const std::optional<Ownership>& owner) {
  TOPICFS_RETURN_IF_ERROR(MakeDir(TopicDir(topic)));
  TopicRecord record{config, partitions};
  Metadata::Batch batch(meta_.get());
  // Entries a racing change wrote for a deleted topic of this name (an
  // xattr, an owner) must not come back with the new one.
  batch.DeleteTopic(topic);
  batch.PutTopic(topic, record);
  TOPICFS_RETURN_IF_ERROR(KeepConfigOnDir(*env_, TopicDir(topic), config));
  if (owner) {
    TOPICFS_RETURN_IF_ERROR(KeepOwnerOnDir(*env_, TopicDir(topic), *owner));
    batch.PutOwner(TopicObjectKey(topic), *owner);
  }
  TOPICFS_RETURN_IF_ERROR(meta_->Commit(batch, /*sync=*/true));
  Options options;
  Metadata::Batch made(meta_.get());
  std::vector<std::shared_ptr<Partition>> parts;
  for (int32_t p = 0; p < partitions; ++p) {
    auto partition = OpenPartition(topic, p, config, /*clean=*/true, options, &made);
    if (!partition.ok()) return partition.status();
    parts.push_back(*partition);
  }
  TOPICFS_RETURN_IF_ERROR(CommitIfAny(made));
  TOPICFS_RETURN_IF_ERROR(SyncDir(*env_, data_dir_ + "/topics"));
  return std::make_shared<Topic>(topic, config, std::move(parts));
}

void Store::RemoveNewTopic(const std::string& topic) {
  Metadata::Batch batch(meta_.get());
  batch.DeleteTopic(topic);
  (void)meta_->Commit(batch, /*sync=*/true);
  std::error_code ec;
  std::filesystem::remove_all(TopicDir(topic), ec);
  (void)SyncDir(*env_, data_dir_ + "/topics");
}

void Store::RemoveNewPartitions(const std::string& topic, int32_t from, int32_t to) {
  Metadata::Batch batch(meta_.get());
  for (int32_t p = from; p < to; ++p) batch.DeletePartition(topic, p);
  (void)meta_->Commit(batch, /*sync=*/true);
  for (int32_t p = from; p < to; ++p) {
    std::error_code ec;
    std::filesystem::remove_all(TopicDir(topic) + "/" + std::to_string(p), ec);
  }
  (void)SyncDir(*env_, TopicDir(topic));
}

Status Store::DeleteTopic(std::string_view name, bool require_empty) {
  Result<std::string> trash = UnlistTopic(name, require_empty);
  if (!trash.ok()) return trash.status();
  if (deletion_hook_) deletion_hook_(*trash);
  // The slow part, without mu_: lookups of other topics go on meanwhile.
  return RemoveTrash(*trash);
}

Result<std::string> Store::UnlistTopic(std::string_view name, bool require_empty) {
  std::unique_lock lock(mu_);
  NameReservation reserved(this, lock, name);
  auto it = topics_.find(name);
  if (it == topics_.end()) return Status::NotFound("no topic " + std::string(name));
  std::shared_ptr<Topic> topic = it->second;
  lock.unlock();
  {
    std::lock_guard topic_lock(topic->mu_);  // no config change commits after this
    // "Holds no record" and "no append may follow" are one step under the
    // partitions' locks: an append racing an rmdir either lands first (the
    // rmdir is NotEmpty) or fails (the rmdir wins), never both succeed.
    // A copy: MarkDeleted counts the references its argument holds.
    const std::vector<std::shared_ptr<Partition>> partitions = topic->partitions_;
    if (!Partition::MarkDeleted(partitions, require_empty)) {
      return Status::NotEmpty("topic " + std::string(name) + " holds records");
    }
    topic->deleted_ = true;
  }
  auto undo = [&] {
    {
      std::lock_guard topic_lock(topic->mu_);
      Partition::UnmarkDeleted(topic->partitions_);
      topic->deleted_ = false;
    }
    std::lock_guard relist(mu_);
    topics_[topic->name_] = topic;
  };
  lock.lock();
  topics_.erase(topic->name_);
  lock.unlock();
  // The directory moves aside before the metadata goes (a crash between
  // the two is finished at the next open), and both before the name is
  // free again: a topic made again under it never meets the old files.
  Result<std::string> trash = MoveTopicToTrash(*env_, data_dir_, name);
  if (!trash.ok()) {
    undo();
    return trash.status();
  }
  Metadata::Batch batch(meta_.get());
  // Its objects in the remote tier go later, by object name (the name of
  // the topic is free at once).
  for (auto& p : topic->partitions_) {
    for (RemoteSegment record : p->RemoteRecords()) {
      record.state = RemoteState::kDeleteStarted;
      batch.PutOrphanRemote(record);
    }
  }
  batch.DeleteTopic(name);
  if (Status s = meta_->Commit(batch, /*sync=*/true); !s.ok()) {
    (void)RestoreTopicFromTrash(*env_, data_dir_, name, *trash);
    undo();
    return s;
  }
  return trash;
}

Status Store::SetPartitionCount(std::string_view name, int32_t count) {
  std::unique_lock lock(mu_);
  NameReservation reserved(this, lock, name);
  auto it = topics_.find(name);
  if (it == topics_.end()) return Status::NotFound("no topic " + std::string(name));
  std::shared_ptr<Topic> topic = it->second;
  lock.unlock();
  // The partitions are made under the topic's lock only: lookups of this
  // topic wait for them, those of every other topic do not.
  std::lock_guard topic_lock(topic->mu_);
  const auto current = static_cast<int32_t>(topic->partitions_.size());
  if (count < current || count > 100000) {
    return Status::InvalidArgument("partitions can only grow (now " + std::to_string(current) +
                                   ")");
  }
  Status added = AddPartitionsLocked(*topic, count);
  if (!added.ok()) RemoveNewPartitions(topic->name_, current, count);
  return added;
}

Status Store::AddPartitionsLocked(Topic& topic, int32_t count) {
  Options options;
  Metadata::Batch batch(meta_.get());
  std::vector<std::shared_ptr<Partition>> added;
  for (auto p = static_cast<int32_t>(topic.partitions_.size()); p < count; ++p) {
    auto partition = OpenPartition(topic.name_, p, topic.config_, /*clean=*/true, options, &batch);
    if (!partition.ok()) return partition.status();
    added.push_back(*partition);
  }
  batch.PutTopic(topic.name_, TopicRecord{topic.config_, count});
  TOPICFS_RETURN_IF_ERROR(meta_->Commit(batch, /*sync=*/true));
  topic.partitions_.insert(topic.partitions_.end(), added.begin(), added.end());
  return Status::OK();
}

std::vector<std::string> Store::ListTopics() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (auto& [name, topic] : topics_) out.push_back(name);
  return out;
}

std::shared_ptr<Topic> Store::FindTopic(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second;
}

std::shared_ptr<Partition> Store::FindPartition(std::string_view topic, int32_t id) const {
  std::shared_ptr<Topic> t = FindTopic(topic);
  return t ? t->partition(id) : nullptr;
}

std::vector<std::shared_ptr<Topic>> Store::AllTopics() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Topic>> out;
  out.reserve(topics_.size());
  for (auto& [name, topic] : topics_) out.push_back(topic);
  return out;
}

Status Store::ChangeTopicConfig(std::string_view topic_name,
                                const std::function<Status(TopicConfig&)>& change) {
  std::shared_ptr<Topic> topic = FindTopic(topic_name);
  if (!topic) return Status::NotFound("no topic " + std::string(topic_name));
  std::lock_guard lock(topic->mu_);
  if (topic->deleted_) return Status::NotFound("no topic " + std::string(topic_name));
  TopicConfig config = topic->config_;
  TOPICFS_RETURN_IF_ERROR(change(config));
  if (config.delimiter() != topic->config_.delimiter()) {
    for (auto& p : topic->partitions_) {
      if (p->log_end_offset() > 0) {
        return Status::Permission("record.delimiter cannot change once the topic holds a record");
      }
    }
  }
  Metadata::Batch batch(meta_.get());
  batch.PutTopic(topic->name_,
                 TopicRecord{config, static_cast<int32_t>(topic->partitions_.size())});
  TOPICFS_RETURN_IF_ERROR(KeepConfigOnDir(*env_, TopicDir(topic->name_), config));
  TOPICFS_RETURN_IF_ERROR(meta_->Commit(batch, /*sync=*/true));
  topic->config_ = config;
  for (auto& p : topic->partitions_) p->set_config(config);
  return Status::OK();
}

Status Store::SetTopicConfig(std::string_view topic, std::string_view name,
                             std::string_view value) {
  return ChangeTopicConfig(topic, [&](TopicConfig& c) { return c.Set(name, value); });
}

Status Store::UnsetTopicConfig(std::string_view topic, std::string_view name) {
  return ChangeTopicConfig(topic, [&](TopicConfig& c) { return c.Unset(name); });
}

Result<std::vector<RetentionAction>> Store::ApplyRetention(int64_t now_ms, bool dry_run,
                                                           std::optional<std::string> only) {
  std::vector<std::shared_ptr<Topic>> topics;
  {
    std::lock_guard lock(mu_);
    for (auto& [name, topic] : topics_) {
      if (!only || *only == name) topics.push_back(topic);
    }
  }
  if (only && topics.empty()) return Status::NotFound("no topic " + *only);
  std::vector<RetentionAction> actions;
  for (auto& topic : topics) {
    TopicConfig config = topic->config();
    RetentionPolicy policy{config.retention_ms(), config.retention_bytes()};
    for (auto& p : topic->partitions()) {
      std::vector<std::shared_ptr<const SegmentFile>> segments = p->Segments();
      std::vector<SegmentSummary> summaries;
      for (auto& s : segments) {
        summaries.push_back({s->base_offset(), s->size(), s->max_timestamp_ms(), s->sealed()});
      }
      int n = SegmentsToDelete(summaries, policy, now_ms);
      if (n == 0) continue;
      for (int i = 0; i < n; ++i) {
        actions.push_back(
            {topic->name(), p->id(), summaries[i].base_offset, summaries[i].size_bytes});
      }
      if (dry_run) continue;
      const int64_t cutoff = summaries[n].base_offset;
      auto deleted =
          p->DeleteOldest([cutoff](const Segment& s) { return s.base_offset() < cutoff; });
      if (!deleted.ok()) return deleted.status();
      for (int i = 0; i < n; ++i) {
        Notify([&](StoreListener& l) {
          l.OnSegmentDeleted(topic->name(), p->id(), summaries[i].base_offset);
        });
      }
    }
    if (!dry_run && config.remote_storage_enable() && tier_cache_ != nullptr) {
      TOPICFS_RETURN_IF_ERROR(ApplyLocalRetention(*topic, now_ms));
    }
  }
  if (tier_manager_ != nullptr && !dry_run) tier_manager_->Wake();
  return actions;
}

std::optional<Store::TierTotals> Store::TierTotalsNow() const {
  if (tier_manager_ == nullptr) return std::nullopt;
  const TierManager::Totals work = tier_manager_->totals();
  TierTotals out{.copied_segments = work.copied_segments,
                 .copied_bytes = work.copied_bytes,
                 .deleted_segments = work.deleted_segments,
                 .failures = work.failures};
  if (tier_cache_ != nullptr) {
    const TierCache::Stats cache = tier_cache_->stats();
    out.remote_reads = cache.fetches;
    out.remote_read_bytes = cache.fetched_bytes;
    out.cache_hits = cache.hits;
    out.cache_bytes = cache.cached_bytes;
    out.cache_capacity_bytes = tier_cache_->capacity_bytes();
  }
  return out;
}

Result<Store::TierStatus> Store::PartitionTierStatus(std::string_view topic, int32_t partition) {
  std::shared_ptr<Topic> t = FindTopic(topic);
  std::shared_ptr<Partition> p = t ? t->partition(partition) : nullptr;
  if (p == nullptr) {
    return Status::NotFound("no partition " + std::to_string(partition) + " of topic " +
                            std::string(topic));
  }
  TierStatus out;
  out.log_start_offset = p->log_start_offset();
  out.local_log_start_offset = p->local_log_start_offset();
  out.log_end_offset = p->log_end_offset();
  out.local_bytes = p->local_size_bytes();
  for (const RemoteSegment& r : p->RemoteRecords()) {
    if (r.state == RemoteState::kCopyFinished) out.remote_bytes += r.meta.size_bytes;
    if (r.state == RemoteState::kDeleteStarted) ++out.pending_deletes;
  }
  if (t->config().remote_storage_enable()) {
    for (auto& seg : p->Segments()) {
      if (seg->sealed() && seg->tier_copy() != Segment::TierCopy::kCopied) ++out.pending_copies;
    }
  }
  if (tier_manager_ != nullptr) out.last_error = tier_manager_->last_error(t->name(), partition);
  return out;
}

Status Store::SetTierPaused(std::string_view topic, bool paused) {
  if (FindTopic(topic) == nullptr) return Status::NotFound("no topic " + std::string(topic));
  TOPICFS_RETURN_IF_ERROR(meta_->PutStoreFlag(TierManager::PausedFlag(topic), paused ? "1" : "0"));
  if (tier_manager_ != nullptr) tier_manager_->SetPaused(std::string(topic), paused);
  return Status::OK();
}

Result<bool> Store::TierPaused(std::string_view topic) {
  if (FindTopic(topic) == nullptr) return Status::NotFound("no topic " + std::string(topic));
  Result<std::optional<std::string>> flag = meta_->GetStoreFlag(TierManager::PausedFlag(topic));
  if (!flag.ok()) return flag.status();
  return flag->value_or("0") == "1";
}

Status Store::ApplyLocalRetention(Topic& topic, int64_t now_ms) {
  const TopicConfig config = topic.config();
  const RetentionPolicy policy{config.local_retention_ms(), config.local_retention_bytes()};
  for (auto& p : topic.partitions()) {
    std::vector<SegmentSummary> local;
    for (auto& s : p->Segments()) {
      if (!s->remote_only()) {
        local.push_back({s->base_offset(), s->size(), s->max_timestamp_ms(), s->sealed()});
      }
    }
    const int n = SegmentsToDelete(local, policy, now_ms);
    if (n == 0) continue;
    const int64_t cutoff = local[n].base_offset;
    Result<int> dropped = p->DropLocalCopies(
        [cutoff](const Segment& s) { return s.base_offset() < cutoff; }, tier_cache_);
    if (!dropped.ok()) return dropped.status();
  }
  return Status::OK();
}

Result<std::optional<Ownership>> Store::GetOwner(std::string_view topic, int32_t partition) {
  return meta_->GetOwner(partition == kTopicItself ? TopicObjectKey(topic)
                                                   : PartitionObjectKey(topic, partition));
}

Status Store::SetOwner(std::string_view topic, int32_t partition, const Ownership& owner) {
  const bool itself = partition == kTopicItself;
  std::shared_ptr<Topic> t = FindTopic(topic);
  if (t == nullptr || (!itself && t->partition(partition) == nullptr)) {
    return Status::NotFound("no topic " + std::string(topic) +
                            (itself ? "" : " partition " + std::to_string(partition)));
  }
  TOPICFS_RETURN_IF_ERROR(KeepOwnerOnDir(
      *env_, itself ? TopicDir(topic) : TopicDir(topic) + "/" + std::to_string(partition), owner));
  return meta_->PutOwner(itself ? TopicObjectKey(topic) : PartitionObjectKey(topic, partition),
                         owner);
}

namespace {

std::string HolderKey(const Store::AttributeHolder& holder) {
  if (holder.segment_base >= 0) {
    return SegmentObjectKey(holder.topic, holder.partition, holder.segment_base);
  }
  if (holder.partition != Store::kTopicItself) {
    return PartitionObjectKey(holder.topic, holder.partition);
  }
  return TopicObjectKey(holder.topic);
}

}  // namespace

Result<std::optional<std::string>> Store::GetUserAttribute(const AttributeHolder& holder,
                                                           std::string_view name) {
  return meta_->GetXattr(HolderKey(holder), name);
}

Status Store::SetUserAttribute(const AttributeHolder& holder, std::string_view name,
                               std::string_view value, SetMode mode) {
  const std::string key = HolderKey(holder);
  if (mode != SetMode::kAny) {
    Result<std::optional<std::string>> old = meta_->GetXattr(key, name);
    if (!old.ok()) return old.status();
    if (mode == SetMode::kCreate && old->has_value()) {
      return Status::AlreadyExists(std::string(name) + " is set");
    }
    if (mode == SetMode::kReplace && !old->has_value()) {
      return Status::NotFound(std::string(name) + " is not set");
    }
  }
  return meta_->PutXattr(key, name, value);
}

Status Store::RemoveUserAttribute(const AttributeHolder& holder, std::string_view name) {
  const std::string key = HolderKey(holder);
  Result<std::optional<std::string>> old = meta_->GetXattr(key, name);
  if (!old.ok()) return old.status();
  if (!old->has_value()) return Status::NotFound(std::string(name) + " is not set");
  return meta_->DeleteXattr(key, name);
}

Result<std::vector<std::string>> Store::ListUserAttributes(const AttributeHolder& holder) {
  return meta_->ListXattrs(HolderKey(holder));
}

void Store::RestoreOwners(Metadata::Batch& batch, const std::string& topic, int32_t partitions) {
  std::optional<Ownership> owner = ReadDirOwner(TopicDir(topic));
  if (!owner) {
    owner = DefaultOwner();
    owner->mode = 0700;
    (void)KeepOwnerOnDir(*env_, TopicDir(topic), *owner);
  }
  batch.PutOwner(TopicObjectKey(topic), *owner);
  for (int32_t p = 0; p < partitions; ++p) {
    if (std::optional<Ownership> own = ReadDirOwner(TopicDir(topic) + "/" + std::to_string(p))) {
      batch.PutOwner(PartitionObjectKey(topic, p), *own);
    }
  }
}

Status Store::CopyToDirsOnce() {
  Result<std::optional<std::string>> done = meta_->GetStoreFlag(kKeptOnDirsFlag);
  if (!done.ok()) return done.status();
  if (done->has_value()) return Status::OK();
  for (const std::shared_ptr<Topic>& topic : AllTopics()) {
    TOPICFS_RETURN_IF_ERROR(KeepConfigOnDir(*env_, TopicDir(topic->name()), topic->config()));
    Result<std::optional<Ownership>> owner = GetOwner(topic->name(), kTopicItself);
    if (!owner.ok()) return owner.status();
    // Recorded as the mount shows it, so a rebuild gives it back unchanged.
    TOPICFS_RETURN_IF_ERROR(SetOwner(topic->name(), kTopicItself, owner->value_or(DefaultOwner())));
    for (int32_t p = 0; p < topic->partition_count(); ++p) {
      Result<std::optional<Ownership>> own = GetOwner(topic->name(), p);
      if (!own.ok()) return own.status();
      if (own->has_value()) TOPICFS_RETURN_IF_ERROR(SetOwner(topic->name(), p, **own));
    }
  }
  return meta_->PutStoreFlag(kKeptOnDirsFlag, "1");
}

std::vector<Status> Store::RunFlushPolicy(int64_t now_ms) {
  std::vector<Status> failures;
  for (auto& topic : AllTopics()) {
    for (auto& p : topic->partitions()) {
      // A failure is the partition's until the next open (Partition::Fail):
      // it is reported below, whichever flush met it.
      (void)p->MaybeFlushOnTime(now_ms);
      if (p->TakeFailureToReport()) {
        failures.push_back(p->failure());
        Notify(
            [&](StoreListener& l) { l.OnPartitionFailed(topic->name(), p->id(), p->failure()); });
      }
    }
  }
  return failures;
}

void Store::AddListener(StoreListener* listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(listener);
}

void Store::RemoveListener(StoreListener* listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), listener), listeners_.end());
}

void Store::Notify(const std::function<void(StoreListener&)>& event) {
  // Held across the calls, so that RemoveListener() returns only once no
  // call to the listener is in flight.
  std::lock_guard lock(listeners_mu_);
  for (StoreListener* l : listeners_) event(*l);
}

Status Store::FlushAll() {
  for (auto& topic : AllTopics()) {
    for (auto& p : topic->partitions()) TOPICFS_RETURN_IF_ERROR(p->Flush());
  }
  return meta_->Sync();
}

}  // namespace topicfs::store

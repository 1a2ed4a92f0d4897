// The store: a data directory of topics, each a set of partitions, with the
// metadata in RocksDB (DESIGN §3). Knows nothing of FUSE or of the CLI.
//
//   DATA/meta/                      RocksDB
//   DATA/topics/<topic>/<p>/<base>.log, .index, .timeindex
//   DATA/clean-shutdown             present only between a clean close and the next open
//   DATA/boot-id                    the kernel boot that last opened the store
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/clock.h"
#include "store/consumer_groups.h"
#include "store/descriptor_cache.h"
#include "store/env.h"
#include "store/events.h"
#include "store/ownership.h"
#include "store/partition.h"
#include "store/recovery_reporter.h"
#include "store/remote_tier.h"
#include "store/status.h"
#include "store/topic_config.h"

namespace topicfs::store {

class Metadata;
class MetadataBatch;
class Segment;
class TierCache;
class TierManager;

class Topic {
 public:
  Topic(std::string name, TopicConfig config, std::vector<std::shared_ptr<Partition>> partitions)
      : name_(std::move(name)), config_(config), partitions_(std::move(partitions)) {}
  const std::string& name() const { return name_; }
  TopicConfig config() const;
  int32_t partition_count() const;
  // nullptr when there is no such partition.
  std::shared_ptr<Partition> partition(int32_t id) const;
  std::vector<std::shared_ptr<Partition>> partitions() const;
  // True when no partition has ever held a record (log end 0 everywhere).
  bool HoldsRecords() const;

 private:
  friend class Store;
  const std::string name_;
  mutable std::mutex mu_;
  TopicConfig config_;                                  // guarded by mu_
  std::vector<std::shared_ptr<Partition>> partitions_;  // guarded by mu_
  bool deleted_ = false;                                // guarded by mu_
};

struct RetentionAction {
  std::string topic;
  int32_t partition;
  int64_t base_offset;
  int64_t size_bytes;
};

struct VerifyProblem {
  std::string path;
  std::string what;
};

class Store {
 public:
  struct Options {
    std::string data_dir;
    bool create_if_missing = true;
    // Scan every segment, as after meta/ was lost (topicfs recover).
    bool full_recovery = false;
    RecoveryReporter* reporter = nullptr;  // borrowed; may be null
    // For commands that only read: RocksDB opened read-only, nothing
    // created, no marker consumed or left, no catalog written. A store that
    // was not closed cleanly is refused (recovery would write).
    bool read_only = false;
    // The running kernel's boot id; empty reads /proc/sys/kernel/random/boot_id.
    // A test sets another value to open the store as after a reboot.
    std::string boot_id = {};
    // Descriptors of segment files kept open at most (pinned ones excepted,
    // see DescriptorCache); 0: DescriptorCache::DefaultCapacity().
    size_t max_open_files = 0;
    // The remote tier (DESIGN §9); null: none. Segments already held only
    // there are then listed but their reads fail (Unavailable).
    std::shared_ptr<RemoteTier> tier = nullptr;
    // The cache of remote reads; 0: TierCache::kDefaultCapacity.
    int64_t tier_cache_bytes = 0;
    // Starts the tier's background thread (a mount); commands that only
    // look, or run the work themselves (TierManager::RunUntilIdle), do not.
    bool tier_background = true;
    // Where the store's file I/O and the front-ends' messages go (borrowed;
    // outlives the store); null: Env::Default().
    Env* env = nullptr;
  };
  static Result<std::unique_ptr<Store>> Open(const Options& options);
  // The Env the store was opened with.
  Env& env() const { return *env_; }
  // What Open checks first, reading only: OK when DATA/meta is topicfs's
  // RocksDB or absent; Corruption (saying to run `topicfs recover`) when
  // damaged; NotSupported when it is another program's.
  static Status CheckMetadata(const std::string& data_dir);
  // Closes cleanly if Close() was not called.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  // Flushes everything and leaves the clean-shutdown marker.
  Status Close();

  const std::string& data_dir() const { return data_dir_; }
  // True when this open found no clean-shutdown marker and recovered.
  bool recovered() const { return recovered_; }
  // kSameBoot when this open found the store last opened by the running
  // kernel boot: recovery then kept every acknowledged byte (DESIGN §4).
  TailTrust tail_trust() const { return tail_trust_; }

  // With `owner`, the topic's owner and mode are recorded with it, in the
  // same commit (see SetOwner).
  Status CreateTopic(std::string_view name, int32_t partitions, const TopicConfig& config,
                     std::optional<Ownership> owner = std::nullopt);
  // With `require_empty`, NotEmpty when a partition holds a record (rmdir).
  // Appends fail from the moment it is decided; the files are removed after
  // the name is free, without the store's lock (open readers keep reading).
  Status DeleteTopic(std::string_view name, bool require_empty);
  // Tests: runs after a deletion freed the name and before its files
  // (moved to `trash_path`) are removed.
  void SetDeletionHookForTest(std::function<void(const std::string& trash_path)> hook) {
    deletion_hook_ = std::move(hook);
  }
  // Adds partitions up to `count` (InvalidArgument when count is smaller).
  Status SetPartitionCount(std::string_view name, int32_t count);
  std::vector<std::string> ListTopics() const;
  std::shared_ptr<Topic> FindTopic(std::string_view name) const;
  std::shared_ptr<Partition> FindPartition(std::string_view topic, int32_t id) const;

  // Consumer groups' committed offsets and claims (DESIGN §7).
  ConsumerGroups& groups() { return *groups_; }

  // Events (events.h). `listener` is borrowed until removed; removing waits
  // for a call to it in flight. A listener must not add or remove one.
  void AddListener(StoreListener* listener);
  void RemoveListener(StoreListener* listener);

  // The owner and mode of a topic (`partition` kTopicItself) or of one of
  // its partitions: kept in meta/ and on its directory under topics/, so a
  // rebuild of meta/ restores them (dir_owner.h). nullopt: none recorded.
  static constexpr int32_t kTopicItself = -1;
  Result<std::optional<Ownership>> GetOwner(std::string_view topic, int32_t partition);
  Status SetOwner(std::string_view topic, int32_t partition, const Ownership& owner);

  // What carries user attributes (`user.*`, kept in meta/): a topic, one of
  // its partitions, or one segment of a partition.
  struct AttributeHolder {
    std::string_view topic;
    int32_t partition = kTopicItself;
    int64_t segment_base = -1;  // >= 0: the segment based there
  };
  enum class SetMode { kAny, kCreate /* AlreadyExists if set */, kReplace /* NotFound if not */ };
  Result<std::optional<std::string>> GetUserAttribute(const AttributeHolder& holder,
                                                      std::string_view name);
  Status SetUserAttribute(const AttributeHolder& holder, std::string_view name,
                          std::string_view value, SetMode mode = SetMode::kAny);
  // NotFound when it is not set.
  Status RemoveUserAttribute(const AttributeHolder& holder, std::string_view name);
  Result<std::vector<std::string>> ListUserAttributes(const AttributeHolder& holder);

  // Applies `change` to a copy of the topic's config and commits the result
  // whole, or nothing when `change` fails (a Kafka AlterConfigs of several
  // values). Permission for record.delimiter once a record exists.
  Status ChangeTopicConfig(std::string_view topic,
                           const std::function<Status(TopicConfig&)>& change);
  // Config by Kafka name; Permission for record.delimiter once a record exists.
  Status SetTopicConfig(std::string_view topic, std::string_view name, std::string_view value);
  Status UnsetTopicConfig(std::string_view topic, std::string_view name);

  // Applies (or with dry_run only lists) retention for one topic or all.
  Result<std::vector<RetentionAction>> ApplyRetention(int64_t now_ms, bool dry_run,
                                                      std::optional<std::string> topic = {});
  // Runs flush.ms for every partition. Returns each partition failure
  // (Partition::failure) once, the first time after it happened, whatever
  // flush met it, for the caller to log.
  std::vector<Status> RunFlushPolicy(int64_t now_ms);
  // fsync of everything.
  Status FlushAll();

  // Re-reads sealed segments against their XXH3-64 and checks every index.
  // `progress`, when given, hears the bytes checked so far and in all
  // after each segment.
  std::vector<VerifyProblem> Verify(
      const std::function<void(int64_t done_bytes, int64_t total_bytes)>& progress = nullptr);

  DescriptorCache& descriptor_cache() { return *files_; }

  // A partition as the remote tier sees it (`topicfs tier status`).
  struct TierStatus {
    int64_t log_start_offset = 0;
    int64_t local_log_start_offset = 0;
    int64_t log_end_offset = 0;
    int64_t local_bytes = 0;
    int64_t remote_bytes = 0;     // segments whose copy is finished
    int64_t pending_copies = 0;   // sealed local segments not yet copied
    int64_t pending_deletes = 0;  // objects retention let go, not yet deleted
    std::string last_error;       // the tier's, until an attempt works again
  };
  Result<TierStatus> PartitionTierStatus(std::string_view topic, int32_t partition);
  // A paused topic copies nothing to the tier (deletions go on); kept in meta/.
  Status SetTierPaused(std::string_view topic, bool paused);
  Result<bool> TierPaused(std::string_view topic);

  // What the remote tier did since the store opened (the metrics front-end's
  // counters); nullopt when the store has no tier.
  struct TierTotals {
    int64_t copied_segments = 0;
    int64_t copied_bytes = 0;  // the .log and its two indexes
    int64_t deleted_segments = 0;
    int64_t failures = 0;  // failed attempts (each is retried)
    // The cache remote-only reads go through.
    int64_t remote_reads = 0;  // ranged GETs made
    int64_t remote_read_bytes = 0;
    int64_t cache_hits = 0;
    int64_t cache_bytes = 0;
    int64_t cache_capacity_bytes = 0;
  };
  std::optional<TierTotals> TierTotalsNow() const;

  // The remote tier's work and facts (store/ and its tests); null when the
  // store has no tier.
  TierManager* tier() { return tier_manager_.get(); }
  TierCache* tier_cache() { return tier_cache_.get(); }

 private:
  Store() = default;
  Status LoadTopics(const Options& options, bool clean);
  Result<std::shared_ptr<Partition>> OpenPartition(const std::string& topic, int32_t p,
                                                   const TopicConfig& config, bool clean,
                                                   const Options& options,
                                                   MetadataBatch* changes /* what it repaired */);
  // A synced commit of `batch`, when it holds anything.
  Status CommitIfAny(MetadataBatch& batch);
  // The steps of CreateTopic and SetPartitionCount, run without mu_ while
  // the name is reserved; on error the caller removes what they made
  // (DESIGN §3: a failed mkdir leaves nothing).
  Result<std::shared_ptr<Topic>> MakeTopic(const std::string& topic, int32_t partitions,
                                           const TopicConfig& config,
                                           const std::optional<Ownership>& owner);
  // A topic adopted from its files (meta/ lost): its owner and those of its
  // partitions from their directories; a topic without one gets its
  // owner's alone (0700, the daemon's user), which grants nothing more.
  void RestoreOwners(MetadataBatch& batch, const std::string& topic, int32_t partitions);
  // Once per store: the owners and configs recorded in meta/ before they
  // were also kept on the directories are written there.
  Status CopyToDirsOnce();
  Status AddPartitionsLocked(Topic& topic, int32_t count);
  // A name whose files are being made, added to or moved aside without
  // mu_: nobody else creates, grows or deletes it meanwhile (store.cc).
  class NameReservation;
  // Every topic now, copied under mu_ for work done without it.
  std::vector<std::shared_ptr<Topic>> AllTopics() const;
  void RemoveNewTopic(const std::string& topic);
  void RemoveNewPartitions(const std::string& topic, int32_t from, int32_t to);
  std::string TopicDir(std::string_view topic) const;
  // DeleteTopic's first part: marks, unlists, moves the files aside,
  // commits; returns where the files went.
  Result<std::string> UnlistTopic(std::string_view name, bool require_empty);

  std::string data_dir_;
  Env* env_ = &Env::Default();
  std::unique_ptr<Metadata> meta_;
  std::unique_ptr<ConsumerGroups> groups_;  // over meta_
  // Calls `event` on every listener, outside every store lock.
  void Notify(const std::function<void(StoreListener&)>& event);
  std::mutex listeners_mu_;
  std::vector<StoreListener*> listeners_;   // guarded by listeners_mu_
  std::shared_ptr<DescriptorCache> files_;  // shared with every segment
  std::shared_ptr<TierCache> tier_cache_;   // shared with remote-only segments
  std::unique_ptr<TierManager> tier_manager_;
  // The remote catalog of a partition joined to its local segments: the
  // segments held only remotely go in front, the others learn their state.
  Status JoinRemote(const std::string& topic, int32_t p,
                    std::vector<std::shared_ptr<Segment>>& segments, PartitionState& state,
                    const std::optional<PartitionState>& stored, std::vector<RemoteSegment> listed,
                    std::vector<RemoteSegment>* records, MetadataBatch* changes);
  // The remote catalog from the manifests in `tier` (meta/ was lost).
  Status RebuildRemoteCatalog(RemoteTier& tier);
  // local.retention.* of the tiered topics (after ApplyRetention's own).
  Status ApplyLocalRetention(Topic& topic, int64_t now_ms);
  bool recovered_ = false;
  bool read_only_ = false;
  TailTrust tail_trust_ = TailTrust::kNewBoot;
  bool closed_ = true;  // until Open() has loaded everything
  // Guards topics_ and reserved_names_; never held across file I/O, so
  // lookups of every topic go on while one is made or deleted.
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Topic>, std::less<>> topics_;
  std::set<std::string, std::less<>> reserved_names_;
  std::condition_variable name_released_;
  std::function<void(const std::string&)> deletion_hook_;  // tests only
};

}  // namespace topicfs::store

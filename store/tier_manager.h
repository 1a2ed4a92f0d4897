// The remote tier's background work (DESIGN §9), on one thread: copies
// each sealed segment of a topic with remote.storage.enable to the tier,
// the oldest first and up to kParallelCopies at once, and deletes the
// objects that retention or a topic's deletion let go. Uploads and
// deletions never run at once (a pass deletes, then copies, then waits for
// its copies), so a segment deleted while it is copied is seen by
// FinishCopy and its objects go after.
//
// A failure (the tier down, a 500) is kept as the partition's last error
// and retried with back-off, doubling from 1 s to 60 s, with jitter;
// everything local goes on meanwhile.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/private_header.h"
#include "store/remote_tier.h"
#include "store/status.h"

namespace topicfs::store {

class Metadata;
class Partition;
class Segment;
class Store;
struct RemoteSegment;

class TierManager {
 public:
  // Segments copied at once (Kafka's remote.log.manager.copier.thread.pool.size).
  static constexpr size_t kParallelCopies = 4;

  // `store` and `meta` are borrowed and outlive the manager. `on_failure`
  // hears of the first failure of a run of them, per partition.
  using FailureFn = std::function<void(std::string_view what, const Status& why)>;
  TierManager(Store& store, Metadata& meta, std::shared_ptr<RemoteTier> tier,
              FailureFn on_failure = {});
  ~TierManager();  // stops the thread
  TierManager(const TierManager&) = delete;
  TierManager& operator=(const TierManager&) = delete;

  void Start();
  void Stop();
  // Work may be waiting (a roll, retention): look now rather than at the next tick.
  void Wake();
  // Runs passes until nothing is left to copy or delete, or an error; for
  // tests and `topicfs tier` commands run against a store not mounted.
  Status RunUntilIdle();

  // Paused topics copy nothing (deletions go on); Store::SetTierPaused
  // keeps it in meta/, read again here at the next open.
  void SetPaused(const std::string& topic, bool paused);
  bool paused(const std::string& topic) const;
  // The last failure of the partition's tier work; empty once a later
  // attempt worked.
  std::string last_error(const std::string& topic, int32_t partition) const;
  static std::string PausedFlag(std::string_view topic);

  // The work done since the store opened, for metrics.
  struct Totals {
    int64_t copied_segments = 0;
    int64_t copied_bytes = 0;  // the .log and its two indexes
    int64_t deleted_segments = 0;
    int64_t failures = 0;  // failed attempts (each is retried)
  };
  Totals totals() const;

 private:
  // One pass over every partition: deletions first, then copies (RunCopies).
  // True when it did something (another pass may have more).
  bool Pass();
  struct CopyJob {
    std::string topic;
    std::shared_ptr<Partition> partition;
    std::shared_ptr<Segment> segment;
    Status status;
    bool ran = false;
  };
  // Runs `copies` on up to kParallelCopies threads and returns when all are done.
  void RunCopies(std::vector<CopyJob>& copies);
  bool stopping() const;
  Status DeleteObjects(const RemoteSegment& record);
  Status Copy(const std::string& topic, Partition& p, const std::shared_ptr<Segment>& seg);
  Result<std::string> TopicTierId(const std::string& topic);
  void Loop();
  using Key = std::pair<std::string, int32_t>;
  void NoteResult(const Key& key, const Status& s);
  bool BackingOff(const Key& key, int64_t now_ms) const;

  Store& store_;
  Metadata& meta_;
  std::shared_ptr<RemoteTier> tier_;
  FailureFn on_failure_;

  std::mutex tier_id_mu_;  // serialises TopicTierId
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = false;            // guarded by mu_
  bool stopping_ = false;         // guarded by mu_
  std::set<std::string> paused_;  // guarded by mu_
  struct Health {
    std::string last_error;
    int64_t last_error_ms = 0;
    int64_t retry_at_ms = 0;
    int64_t backoff_ms = 0;
  };
  std::map<Key, Health> health_;  // guarded by mu_
  std::atomic<int64_t> copied_segments_{0};
  std::atomic<int64_t> copied_bytes_{0};
  std::atomic<int64_t> deleted_segments_{0};
  std::atomic<int64_t> failures_{0};
  std::thread thread_;
};

}  // namespace topicfs::store

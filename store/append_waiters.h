// Who waits for a partition to grow: the mount's follow/ readers, and the
// Kafka Fetch's long polls later. A waiter names the partition-wide stream
// position it needs a record at; the append that writes past it wakes it,
// and nobody polls. Not thread-safe: the partition guards it with its mu_,
// and calls the wake-ups it takes out only after letting go of that lock.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "store/status.h"

namespace topicfs::store {

// Called once: OK when the awaited bytes exist, NotFound when the topic was
// deleted, Unavailable when the store closed. It runs on the appending (or
// deleting) thread, so it should only hand the news on.
using WakeFn = std::function<void(const Status&)>;
// 0 never names a wait.
using WaitId = uint64_t;

class AppendWaiters {
 public:
  WaitId Add(int64_t stream_pos, WakeFn wake);
  // True when `id` was still waiting: it is gone and will not be woken.
  bool Cancel(WaitId id);
  bool empty() const { return waiting_.empty(); }
  // The wake-ups of everyone waiting below `stream_end`, taken out.
  std::vector<WakeFn> TakeReached(int64_t stream_end);
  std::vector<WakeFn> TakeAll();

 private:
  struct Waiter {
    WaitId id;
    int64_t stream_pos;
    WakeFn wake;
  };
  std::vector<Waiter> waiting_;
  WaitId last_id_ = 0;
};

// Calls each of `wakes` with `status`.
void WakeAll(std::vector<WakeFn>& wakes, const Status& status);

}  // namespace topicfs::store

#include "store/append_waiters.h"

#include <algorithm>
#include <utility>

namespace topicfs::store {

WaitId AppendWaiters::Add(int64_t stream_pos, WakeFn wake) {
  waiting_.push_back({++last_id_, stream_pos, std::move(wake)});
  return last_id_;
}

bool AppendWaiters::Cancel(WaitId id) {
  auto it = std::find_if(waiting_.begin(), waiting_.end(),
                         [id](const Waiter& w) { return w.id == id; });
  if (it == waiting_.end()) return false;
  *it = std::move(waiting_.back());
  waiting_.pop_back();
  return true;
}

std::vector<WakeFn> AppendWaiters::TakeReached(int64_t stream_end) {
  std::vector<WakeFn> reached;
  auto still = std::partition(waiting_.begin(), waiting_.end(),
                              [stream_end](const Waiter& w) { return w.stream_pos >= stream_end; });
  for (auto it = still; it != waiting_.end(); ++it) reached.push_back(std::move(it->wake));
  waiting_.erase(still, waiting_.end());
  return reached;
}

std::vector<WakeFn> AppendWaiters::TakeAll() { return TakeReached(INT64_MAX); }

void WakeAll(std::vector<WakeFn>& wakes, const Status& status) {
  for (WakeFn& wake : wakes) wake(status);
}

}  // namespace topicfs::store

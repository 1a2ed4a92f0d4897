// The daemon's background task over the store: the flush.ms policy every
// second and retention every retention.check.interval.ms (DESIGN §1.5, §2),
// logging what they did. Front-ends hear of deleted segments and failed
// partitions as store events (store/events.h).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace topicfs::store {
class Store;
}

namespace topicfs::daemon {

class Housekeeping {
 public:
  // `store` is borrowed; it must outlive Stop().
  Housekeeping(store::Store* store, int64_t retention_interval_ms);
  ~Housekeeping();
  Housekeeping(const Housekeeping&) = delete;
  Housekeeping& operator=(const Housekeeping&) = delete;

  void Start();
  void Stop();
  // One retention pass now (also what the timer runs).
  void RunRetention();

 private:
  void Run();

  store::Store* const store_;
  const int64_t retention_interval_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace topicfs::daemon

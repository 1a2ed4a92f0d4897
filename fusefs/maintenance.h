// The daemon's background task: the flush.ms policy every second and
// retention every retention.check.interval.ms (DESIGN §1.5, §2), telling
// the kernel about the segments retention deleted.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace topicfs::store {
class Store;
}

namespace topicfs::fusefs {

class TopicFs;

class Maintenance {
 public:
  // Both borrowed; they must outlive Stop().
  Maintenance(store::Store* store, TopicFs* fs, int64_t retention_interval_ms);
  ~Maintenance();
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  void Start();
  void Stop();
  // One retention pass now (also what the timer runs).
  void RunRetention();

 private:
  void Run();

  store::Store* const store_;
  TopicFs* const fs_;
  const int64_t retention_interval_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace topicfs::fusefs

// What went through a partition since the store opened, for metrics:
// relaxed atomic counters, one add per append or read call (never per
// record), read without a lock by a scrape.
#pragma once

#include <atomic>
#include <cstdint>

namespace topicfs::store {

class PartitionTraffic {
 public:
  struct Totals {
    int64_t appended_bytes = 0;
    int64_t appended_records = 0;
    int64_t read_bytes = 0;
    // Records handed out as whole-record runs (a Kafka Fetch, `topicfs
    // consume`); a file read counts bytes only, as it need not end on one.
    int64_t read_records = 0;
    // Followers moved on to the log start because retention deleted the
    // segments ahead of them (DESIGN §7).
    int64_t overtaken_followers = 0;
  };

  void CountAppend(int64_t bytes, int64_t records) {
    appended_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    appended_records_.fetch_add(records, std::memory_order_relaxed);
  }
  void CountRead(int64_t bytes, int64_t records) {
    read_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    if (records != 0) read_records_.fetch_add(records, std::memory_order_relaxed);
  }
  void CountOvertaken() { overtaken_followers_.fetch_add(1, std::memory_order_relaxed); }
  Totals totals() const {
    return {appended_bytes_.load(std::memory_order_relaxed),
            appended_records_.load(std::memory_order_relaxed),
            read_bytes_.load(std::memory_order_relaxed),
            read_records_.load(std::memory_order_relaxed),
            overtaken_followers_.load(std::memory_order_relaxed)};
  }

 private:
  std::atomic<int64_t> appended_bytes_{0};
  std::atomic<int64_t> appended_records_{0};
  std::atomic<int64_t> read_bytes_{0};
  std::atomic<int64_t> read_records_{0};
  std::atomic<int64_t> overtaken_followers_{0};
};

}  // namespace topicfs::store

// Idempotent producers (DESIGN §8): a batch a client retries is appended
// once. For each producer id and partition the broker remembers the last
// five batches' sequence numbers and where they landed (Kafka keeps five:
// a producer has at most five requests in flight), so a retry of one of
// them is answered with its first append's offset, and a gap in the
// sequence is refused (OUT_OF_ORDER_SEQUENCE_NUMBER).
//
// The state lives in memory: after the daemon restarts, producers get new
// ids (InitProducerId) and a batch retried across the restart by an old id
// is appended again. Kafka snapshots it to disk; docs/KAFKA.md says so.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "kafka/api.h"
#include "store/status.h"

namespace topicfs::kafka {

// What a producer's batch claims about itself.
struct Sequenced {
  int64_t producer_id = -1;
  int16_t epoch = -1;
  int32_t first_sequence = -1;
  int32_t last_sequence = -1;
};

// Where a batch landed.
struct Landed {
  int64_t base_offset = -1;
  int64_t append_time_ms = -1;
};

class ProducerStates {
 public:
  // A new producer id: unique across restarts (the start time's
  // milliseconds, times 1024, plus a count), so no id of a previous run
  // meets this run's state.
  int64_t NewProducerId();

  // Appends through `append` unless `batch` repeats one of the last five
  // of its producer on `partition`: then `*landed` is where that one went
  // and `append` is not called. Serialized per partition, so a retry
  // racing its original cannot append twice.
  ErrorCode Append(const std::string& topic, int32_t partition, const Sequenced& batch,
                   const std::function<ErrorCode(Landed*)>& append, Landed* landed);

 private:
  struct Entry {
    int32_t first_sequence = -1;
    int32_t last_sequence = -1;
    Landed landed;
  };
  struct State {
    int16_t epoch = -1;
    std::array<Entry, 5> recent{};  // a ring, the newest at `next - 1`
    int next = 0;
    int count = 0;
  };
  std::mutex mu_;
  std::map<std::tuple<std::string, int32_t, int64_t>, State> states_;  // guarded by mu_
  std::atomic<int64_t> issued_{0};
};

}  // namespace topicfs::kafka

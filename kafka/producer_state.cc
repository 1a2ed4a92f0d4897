#include "kafka/producer_state.h"

#include "store/clock.h"

namespace topicfs::kafka {

int64_t ProducerStates::NewProducerId() {
  static const int64_t kStart = store::NowMs() * 1024;
  return kStart + issued_.fetch_add(1);
}

ErrorCode ProducerStates::Append(const std::string& topic, int32_t partition,
                                 const Sequenced& batch,
                                 const std::function<ErrorCode(Landed*)>& append, Landed* landed) {
  if (batch.producer_id < 0 || batch.first_sequence < 0) return append(landed);
  // One lock for all: appends of idempotent producers are serialized with
  // each other (not with anything else), which is what makes a retry that
  // races its original safe.
  std::lock_guard lock(mu_);
  State& state = states_[{topic, partition, batch.producer_id}];
  if (batch.epoch < state.epoch) return kInvalidProducerEpoch;
  if (batch.epoch > state.epoch) state = State{batch.epoch};  // a new epoch starts over
  for (int i = 0; i < state.count; ++i) {
    const Entry& e = state.recent[static_cast<size_t>(i)];
    if (e.first_sequence == batch.first_sequence && e.last_sequence == batch.last_sequence) {
      *landed = e.landed;  // a retry: already appended
      return kNone;
    }
  }
  if (state.count > 0) {
    const Entry& last = state.recent[static_cast<size_t>((state.next + 4) % 5)];
    // Sequence numbers wrap at INT32_MAX to 0.
    const int32_t expected = last.last_sequence == INT32_MAX ? 0 : last.last_sequence + 1;
    if (batch.first_sequence != expected) return kOutOfOrderSequenceNumber;
  }
  const ErrorCode error = append(landed);
  if (error != kNone) return error;
  state.recent[static_cast<size_t>(state.next)] = {batch.first_sequence, batch.last_sequence,
                                                   *landed};
  state.next = (state.next + 1) % 5;
  if (state.count < 5) ++state.count;
  return kNone;
}

}  // namespace topicfs::kafka

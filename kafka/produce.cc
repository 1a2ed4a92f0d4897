// Produce (DESIGN §8): each partition's batches are appended as one
// all-or-nothing store batch, or refused whole with Kafka's error code; a
// batch an idempotent producer retries is appended once (producer_state.h).
#include <string>

#include "kafka/broker.h"
#include "kafka/messages.h"
#include "kafka/record_batch.h"
#include "kafka/reply.h"
#include "store/clock.h"

namespace topicfs::kafka {
namespace {

// Decodes one partition's records field into `*out` (cleared first), as
// the store takes it: each value with the delimiter added. Control batches
// (transaction markers) carry no values.
store::Result<Sequenced> DecodeRecords(std::string_view records, char delim, size_t max_bytes,
                                       std::string* out) {
  out->clear();
  Sequenced sequence;
  bool first = true;
  while (!records.empty()) {
    size_t used = 0;
    store::Result<ProducedBatch> batch = DecodeBatch(records, max_bytes, &used);
    if (!batch.ok()) return batch.status();
    records.remove_prefix(used);
    if (batch->transactional) return store::Status::Permission("transactions are not supported");
    if (batch->control) continue;
    TOPICFS_RETURN_IF_ERROR(AppendRecords(*batch, delim, out));
    if (first) {
      sequence = {batch->producer_id, batch->producer_epoch, batch->base_sequence, -1};
      first = false;
    }
    if (batch->base_sequence >= 0) {
      sequence.last_sequence = batch->base_sequence + batch->last_offset_delta;
    }
  }
  if (out->empty()) return store::Status::InvalidArgument("no records");
  return sequence;
}

// The bytes a Produce appends, kept per handling thread so that a stream
// of batches reuses one buffer instead of faulting in fresh pages for each;
// a rare huge batch does not pin its size.
class RecordsBuffer {
 public:
  RecordsBuffer() : bytes_(Mine()) {}
  ~RecordsBuffer() {
    if (bytes_.capacity() > kKeptBytes) std::string().swap(bytes_);
  }
  std::string* get() { return &bytes_; }

 private:
  static constexpr size_t kKeptBytes = 16 << 20;
  static std::string& Mine() {
    thread_local std::string bytes;
    return bytes;
  }
  std::string& bytes_;
};

ErrorCode ProduceError(const store::Status& s) {
  return s.Is(store::Code::kPermission) ? kTransactionalIdAuthorizationFailed : ErrorFor(s);
}

}  // namespace

Reply Broker::Produce(const RequestHeader& h, std::string_view body) {
  ProduceRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "Produce");
  ProduceResponse response;
  for (const ProduceRequest::Topic& topic : request.topic_data) {
    ProduceResponse::Topic& out = response.responses.emplace_back();
    out.name = topic.name;
    for (const ProduceRequest::Partition& part : topic.partitions) {
      ProduceResponse::Partition& result = out.partitions.emplace_back();
      result.index = part.index;
      if (request.transactional_id) {
        result.error_code = kTransactionalIdAuthorizationFailed;
        continue;
      }
      std::shared_ptr<store::Partition> partition = store_->FindPartition(topic.name, part.index);
      if (partition == nullptr) {
        result.error_code = kUnknownTopicOrPartition;
        continue;
      }
      RecordsBuffer records;
      store::Result<Sequenced> sequence =
          DecodeRecords(part.records.value_or(""), partition->delimiter(),
                        static_cast<size_t>(options_.max_message_batch_bytes), records.get());
      if (!sequence.ok()) {
        result.error_code = ProduceError(sequence.status());
        continue;
      }
      Landed landed;
      result.error_code = producers_.Append(
          partition->topic(), part.index, *sequence,
          [&](Landed* l) {
            store::Result<store::Partition::BatchAppended> appended =
                partition->AppendBatch(*records.get(), store::NowMs());
            if (!appended.ok()) return ProduceError(appended.status());
            *l = {appended->base_offset.value(), appended->append_time_ms};
            return kNone;
          },
          &landed);
      if (result.error_code != kNone) continue;
      result.base_offset = landed.base_offset;
      result.log_append_time_ms = landed.append_time_ms;
      result.log_start_offset = partition->log_start_offset();
    }
  }
  if (request.acks == 0) return Reply{Reply::Kind::kNothing, {}, 0, {}};
  return Respond(h, response);
}

Reply Broker::InitProducerId(const RequestHeader& h, std::string_view body) {
  InitProducerIdRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "InitProducerId");
  InitProducerIdResponse response;
  if (request.transactional_id) {
    response.error_code = kTransactionalIdAuthorizationFailed;  // no transactions
  } else if (request.producer_id >= 0) {
    // A producer that lost track of a batch bumps its epoch and starts its
    // sequences over (KIP-360).
    response.producer_id = request.producer_id;
    response.producer_epoch = static_cast<int16_t>(request.producer_epoch + 1);
  } else {
    response.producer_id = producers_.NewProducerId();
  }
  return Respond(h, response);
}

}  // namespace topicfs::kafka

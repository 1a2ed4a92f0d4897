// Produce (DESIGN §8): each partition's batches are appended as one
// all-or-nothing store batch, or refused whole with Kafka's error code.
#include "kafka/broker.h"
#include "kafka/messages.h"
#include "kafka/record_batch.h"
#include "kafka/reply.h"
#include "store/clock.h"

namespace topicfs::kafka {
namespace {

// The topicfs records of every batch in `records`, in order, each value with
// `delim` added. Control batches (transaction markers) carry no values.
store::Result<std::string> RecordsOf(std::string_view records, char delim, size_t max_bytes) {
  std::string out;
  while (!records.empty()) {
    size_t used = 0;
    store::Result<ProducedBatch> batch = DecodeBatch(records, max_bytes, &used);
    if (!batch.ok()) return batch.status();
    records.remove_prefix(used);
    if (batch->transactional) return store::Status::Permission("transactions are not supported");
    if (batch->control) continue;
    store::Result<std::string> values = ToRecords(*batch, delim);
    if (!values.ok()) return values.status();
    out += *values;
  }
  return out;
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
      store::Result<std::string> records =
          RecordsOf(part.records.value_or(""), partition->delimiter(),
                    static_cast<size_t>(options_.max_message_batch_bytes));
      store::Status status = records.status();
      if (status.ok() && records->empty()) status = store::Status::InvalidArgument("no records");
      if (status.ok()) {
        store::Result<store::Partition::BatchAppended> appended =
            partition->AppendBatch(*records, store::NowMs());
        if (appended.ok()) {
          result.base_offset = appended->base_offset.value();
          result.log_append_time_ms = appended->append_time_ms;
          result.log_start_offset = partition->log_start_offset();
          continue;
        }
        status = appended.status();
      }
      result.error_code = status.Is(store::Code::kPermission) ? kTransactionalIdAuthorizationFailed
                                                              : ErrorFor(status);
    }
  }
  if (request.acks == 0) return Reply{Reply::Kind::kNothing, {}, 0, {}};
  return Respond(h, response);
}

}  // namespace topicfs::kafka

// ListOffsets (DESIGN §8): the log's ends, or the offset for a time through
// the sparse .timeindex. topicfs keeps no time per record, so an offset for
// a time is the first record of an index interval at or before the first
// record appended at or after it: a consumer starting there sees at most
// one interval of earlier records, never misses one.
#include "kafka/broker.h"
#include "kafka/messages.h"
#include "kafka/reply.h"

namespace topicfs::kafka {
namespace {

constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;
constexpr int64_t kMaxTimestamp = -3;  // version 7: the newest record

}  // namespace

Reply Broker::ListOffsets(const RequestHeader& h, std::string_view body) {
  ListOffsetsRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "ListOffsets");
  ListOffsetsResponse response;
  for (const ListOffsetsRequest::Topic& topic : request.topics) {
    ListOffsetsResponse::Topic& topic_out = response.topics.emplace_back();
    topic_out.name = topic.name;
    for (const ListOffsetsRequest::Partition& part : topic.partitions) {
      ListOffsetsResponse::Partition& out = topic_out.partitions.emplace_back();
      out.partition_index = part.partition_index;
      out.leader_epoch = 0;
      std::shared_ptr<store::Partition> partition =
          store_->FindPartition(topic.name, part.partition_index);
      if (partition == nullptr) {
        out.error_code = kUnknownTopicOrPartition;
        continue;
      }
      if (part.timestamp == kLatest) {
        out.offset = partition->log_end_offset();
      } else if (part.timestamp == kEarliest) {
        out.offset = partition->log_start_offset();
      } else if (part.timestamp == kMaxTimestamp) {
        out.offset = std::max(partition->log_start_offset(), partition->log_end_offset() - 1);
      } else {
        store::Result<std::unique_ptr<store::PartitionReader>> reader =
            store::PartitionReader::FromTime(partition, part.timestamp);
        if (!reader.ok()) {
          out.error_code = ErrorFor(reader.status());
          continue;
        }
        const int64_t offset = (*reader)->start_offset().value();
        // Kafka answers -1 when no record is that new.
        out.offset = offset < partition->log_end_offset() ? offset : -1;
        out.timestamp = offset < partition->log_end_offset() ? part.timestamp : -1;
      }
    }
  }
  return Respond(h, response);
}

}  // namespace topicfs::kafka

// Fetch (DESIGN §8): whole records from the segments, each run re-framed as
// one uncompressed RecordBatch v2; a Fetch that finds fewer than min_bytes
// waits for appends (up to max_wait_ms) exactly as a follow/ read does, and
// is answered again from its offsets when one comes.
#include <deque>

#include "kafka/broker.h"
#include "kafka/messages.h"
#include "kafka/record_batch.h"
#include "kafka/reply.h"

namespace topicfs::kafka {

store::Result<Session::Reader*> Session::ReaderAt(
    const std::shared_ptr<store::Partition>& partition, int64_t offset) {
  Reader& r = readers_[{partition->topic(), partition->id()}];
  if (r.reader != nullptr && &r.reader->partition() == partition.get() && r.next_offset == offset) {
    return &r;
  }
  r.CancelWait();
  store::Result<std::unique_ptr<store::PartitionReader>> reader =
      store::PartitionReader::FromOffset(partition, store::Offset(offset));
  if (!reader.ok()) {
    // Kept, empty: a Fetch naming the partition twice may hold it.
    r.reader.reset();
    return reader.status();
  }
  r.reader = std::move(*reader);
  r.next_offset = r.reader->start_offset().value();
  r.next = store::ReadPosition(0);
  return &r;
}

Reply Broker::Fetch(const RequestHeader& h, std::string_view body, Session& session,
                    bool may_wait) {
  FetchRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "Fetch");
  FetchResponse response;
  std::deque<std::string> batches;  // what `response` points into
  std::vector<Session::Reader*> readers;  // the partitions that can wait
  int64_t budget = request.max_bytes;
  int64_t total = 0;
  bool any = false;
  for (const FetchRequest::Topic& topic : request.topics) {
    FetchResponse::Topic& topic_out = response.responses.emplace_back();
    topic_out.topic = topic.topic;
    for (const FetchRequest::Partition& part : topic.partitions) {
      FetchResponse::Partition& out = topic_out.partitions.emplace_back();
      out.partition_index = part.partition;
      std::shared_ptr<store::Partition> partition =
          store_->FindPartition(topic.topic, part.partition);
      if (partition == nullptr) {
        out.error_code = kUnknownTopicOrPartition;
        continue;
      }
      out.high_watermark = partition->log_end_offset();
      out.last_stable_offset = out.high_watermark;
      out.log_start_offset = partition->log_start_offset();
      store::Result<Session::Reader*> reader = session.ReaderAt(partition, part.fetch_offset);
      if (!reader.ok()) {
        out.error_code = ErrorFor(reader.status());
        continue;
      }
      Session::Reader& r = **reader;
      r.CancelWait();
      std::string& records = batches.emplace_back();
      // At least one record per response however big (Kafka's KIP-74),
      // else up to the partition's and the response's limits.
      const int64_t limit = std::min<int64_t>(part.partition_max_bytes, any ? budget : INT32_MAX);
      while (static_cast<int64_t>(records.size()) < limit) {
        const size_t want = static_cast<size_t>(limit - static_cast<int64_t>(records.size()));
        store::Result<store::RecordRun> run = r.reader->ReadRecords(want, &session.scratch_);
        if (!run.ok()) {
          out.error_code = ErrorFor(run.status());
          break;
        }
        if (run->bytes == 0) break;
        partition->traffic().CountRead(static_cast<int64_t>(run->bytes), run->records);
        EncodeBatch(run->first_offset.value(), session.scratch_, partition->delimiter(),
                    run->newest_time_ms, &records);
        r.next_offset = run->first_offset.value() + run->records;
        r.next = store::ReadPosition(run->position.value() + static_cast<int64_t>(run->bytes));
      }
      if (out.error_code == kNone) readers.push_back(&r);
      if (records.empty()) continue;
      out.records = records;
      budget -= static_cast<int64_t>(records.size());
      total += static_cast<int64_t>(records.size());
      any = true;
    }
  }
  const int64_t min_bytes = std::max<int32_t>(request.min_bytes, 1);
  if (total < min_bytes && may_wait && request.max_wait_ms > 0 && !readers.empty()) {
    bool ready = false;
    for (Session::Reader* r : readers) {
      if (r->reader == nullptr) continue;  // named again with a bad offset
      store::Result<store::WaitId> wait = r->reader->WhenReadable(r->next, session.wake_);
      if (wait.ok()) r->wait = *wait;
      ready = ready || !wait.ok() || *wait == 0;  // a record came meanwhile
    }
    // Asked again at once: it reads on from its offsets.
    if (ready) session.wake_(store::Status::OK());
    Reply reply;
    reply.kind = Reply::Kind::kWait;
    reply.wait_ms = request.max_wait_ms;
    return reply;
  }
  return Respond(h, response);
}

}  // namespace topicfs::kafka

// Kafka's RecordBatch v2 (magic 2) both ways, mapped to topicfs records as
// DESIGN §8 says: a Kafka record's value is one topicfs record without its
// delimiter; keys, headers and the producer's timestamps are not stored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/compression.h"
#include "store/status.h"

namespace topicfs::kafka {

// What a producer sent in one batch.
struct ProducedBatch {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t last_offset_delta = 0;
  bool transactional = false;
  bool control = false;
  Codec codec = Codec::kNone;
  int32_t count = 0;  // records, as the header says

  // The records section, uncompressed.
  std::string_view records() const { return codec == Codec::kNone ? raw : storage; }

  std::string_view raw;  // the records section as sent (a view into the input)
  std::string storage;   // the decompressed records, when compressed
};

// Decodes the RecordBatch at the start of `bytes`; `*used` is its length.
// Corruption for a failed CRC-32C or malformed records (Kafka's
// CORRUPT_MESSAGE); NotSupported for a magic other than 2; TooBig when the
// records decompress past `max_bytes`.
store::Result<ProducedBatch> DecodeBatch(std::string_view bytes, size_t max_bytes, size_t* used);

// Appends the batch's values to `*out` as topicfs records, each with
// `delim` added (a null value is an empty record): what
// Partition::AppendBatch takes. One pass over the records, no allocation per
// record. Corruption (CORRUPT_MESSAGE) when a record is malformed;
// InvalidArgument (INVALID_RECORD) when a value holds the delimiter, so the
// batch is refused whole. On error `*out` holds a part: discard it.
store::Status AppendRecords(const ProducedBatch& batch, char delim, std::string* out);

// Appends to `*out` one uncompressed RecordBatch v2 holding `records`
// (whole topicfs records, each ending with `delim`) from `base_offset`, with
// LogAppendTime `append_time_ms`: what a Fetch returns. One pass, no
// allocation per record.
void EncodeBatch(int64_t base_offset, std::string_view records, char delim, int64_t append_time_ms,
                 std::string* out);

}  // namespace topicfs::kafka

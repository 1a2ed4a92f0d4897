// Any bytes as a producer's RecordBatch: decoded (CRC-32C, varint records,
// the four codecs, bounded decompression) or refused, never a crash; what
// decodes maps to topicfs records or is refused whole.
#include <cstdint>
#include <string>
#include <string_view>

#include "kafka/record_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t used = 0;
  auto batch = topicfs::kafka::DecodeBatch(bytes, 1 << 20, &used);
  if (batch.ok()) {
    if (used > size) __builtin_trap();
    std::string records;
    (void)topicfs::kafka::AppendRecords(*batch, '\n', &records);
  }
  return 0;
}

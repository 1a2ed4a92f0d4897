#include "kafka/record_batch.h"

#include <cstring>

#include "kafka/crc32c.h"
#include "kafka/wire.h"

namespace topicfs::kafka {
namespace {

using store::Result;
using store::Status;

// Byte offsets in a batch's header.
constexpr size_t kLengthEnd = 12;  // baseOffset (8) + batchLength (4)
constexpr size_t kMagicAt = 16;    // after partitionLeaderEpoch
constexpr size_t kCrcAt = 17;
constexpr size_t kAttributesAt = 21;  // the CRC covers from here to the end
constexpr size_t kHeaderBytes = 61;   // up to and including the record count

constexpr int16_t kCodecMask = 0x07;
constexpr int16_t kLogAppendTime = 0x08;
constexpr int16_t kTransactional = 0x10;
constexpr int16_t kControl = 0x20;

Status Malformed(std::string_view why) {
  return Status::Corruption("malformed record batch: " + std::string(why));
}

// A record takes at least 7 bytes (its length and six empty fields).
constexpr size_t kSmallestRecord = 7;

}  // namespace

Status AppendRecords(const ProducedBatch& batch, char delim, std::string* out) {
  const std::string_view in = batch.records();
  // Every value with its delimiter fits in the records section's size.
  out->reserve(out->size() + in.size());
  WireReader r(in);
  for (int32_t i = 0; i < batch.count; ++i) {
    const int64_t length = r.Varlong();
    if (!r.ok() || length < 0 || static_cast<uint64_t>(length) > r.remaining()) {
      return Malformed("a record's length");
    }
    WireReader rec(r.Bytes(static_cast<size_t>(length)));
    rec.Int8();      // attributes
    rec.Varlong();   // timestampDelta
    rec.Varint();    // offsetDelta
    rec.VarBytes();  // key
    std::optional<std::string_view> value = rec.VarBytes();
    const int64_t headers = rec.Varint();
    for (int64_t h = 0; rec.ok() && h < headers; ++h) {
      rec.VarBytes();
      rec.VarBytes();
    }
    if (!rec.ok() || headers < 0) return Malformed("a record's fields");
    if (value && std::memchr(value->data(), delim, value->size()) != nullptr) {
      return Status::InvalidArgument("a record value holds the topic's delimiter");
    }
    if (value) out->append(*value);
    out->push_back(delim);
  }
  if (r.remaining() != 0) return Malformed("bytes after the last record");
  return Status::OK();
}

Result<ProducedBatch> DecodeBatch(std::string_view bytes, size_t max_bytes, size_t* used) {
  if (bytes.size() < kHeaderBytes) return Malformed("shorter than its header");
  WireReader head(bytes);
  head.Int64();  // baseOffset: the broker assigns offsets
  const int32_t length = head.Int32();
  if (length < static_cast<int32_t>(kHeaderBytes - kLengthEnd) ||
      static_cast<size_t>(length) > bytes.size() - kLengthEnd) {
    return Malformed("its length");
  }
  const std::string_view batch = bytes.substr(0, kLengthEnd + static_cast<size_t>(length));
  *used = batch.size();
  if (static_cast<int8_t>(batch[kMagicAt]) != 2) {
    return Status::NotSupported("record batch magic " +
                                std::to_string(static_cast<int8_t>(batch[kMagicAt])) +
                                " (only 2 is supported)");
  }
  WireReader crc_field(batch.substr(kCrcAt, 4));
  if (crc_field.Uint32() != Crc32c(batch.substr(kAttributesAt))) {
    return Status::Corruption("record batch CRC-32C mismatch");
  }
  WireReader r(batch.substr(kAttributesAt));
  ProducedBatch out;
  const int16_t attributes = r.Int16();
  out.last_offset_delta = r.Int32();
  r.Int64();  // baseTimestamp
  r.Int64();  // maxTimestamp
  out.producer_id = r.Int64();
  out.producer_epoch = r.Int16();
  out.base_sequence = r.Int32();
  const int32_t count = r.Int32();
  if (!r.ok() || count < 0) return Malformed("its header");
  out.codec = static_cast<Codec>(attributes & kCodecMask);
  out.transactional = attributes & kTransactional;
  out.control = attributes & kControl;
  out.count = count;
  out.raw = r.rest();
  if (out.codec != Codec::kNone) {
    Result<std::string> plain = Decompress(out.codec, out.raw, max_bytes);
    if (!plain.ok()) return plain.status();
    out.storage = std::move(*plain);
  }
  // A count the bytes cannot hold is malformed, before anything is sized by it.
  if (static_cast<size_t>(count) > out.records().size() / kSmallestRecord) {
    return Malformed("its record count");
  }
  return out;
}

void EncodeBatch(int64_t base_offset, std::string_view records, char delim, int64_t append_time_ms,
                 std::string* out) {
  const size_t start = out->size();
  WireWriter w(out);
  w.Int64(base_offset);
  w.Int32(0);   // batchLength, set below
  w.Int32(0);   // partitionLeaderEpoch
  w.Int8(2);    // magic
  w.Uint32(0);  // crc, set below
  w.Int16(kLogAppendTime);
  w.Int32(0);  // lastOffsetDelta, set below
  w.Int64(append_time_ms);
  w.Int64(append_time_ms);
  w.Int64(-1);  // producerId
  w.Int16(-1);  // producerEpoch
  w.Int32(-1);  // baseSequence
  w.Int32(0);   // record count, set below
  int32_t n = 0;
  while (!records.empty()) {
    const void* end = std::memchr(records.data(), delim, records.size());
    const size_t len = end ? static_cast<const char*>(end) - records.data() : records.size();
    const std::string_view value = records.substr(0, len);
    records.remove_prefix(end ? len + 1 : len);
    // attributes, timestampDelta 0, offsetDelta, null key, value, no headers
    const int64_t body = 1 + VarlongSize(0) + VarlongSize(n) + VarlongSize(-1) +
                         VarlongSize(static_cast<int64_t>(value.size())) +
                         static_cast<int64_t>(value.size()) + VarlongSize(0);
    w.Varlong(body);
    w.Int8(0);
    w.Varlong(0);
    w.Varint(n);
    w.Varint(-1);
    w.VarBytes(value);
    w.Varint(0);
    ++n;
  }
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) (*out)[start + at + i] = static_cast<char>(v >> (24 - 8 * i));
  };
  put32(8, static_cast<uint32_t>(out->size() - start - kLengthEnd));
  put32(23, static_cast<uint32_t>(n > 0 ? n - 1 : 0));  // lastOffsetDelta
  put32(57, static_cast<uint32_t>(n));
  put32(kCrcAt, Crc32c(std::string_view(*out).substr(start + kAttributesAt)));
}

}  // namespace topicfs::kafka

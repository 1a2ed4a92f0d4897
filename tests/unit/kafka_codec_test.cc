// Kafka's wire primitives and RecordBatch v2 (kafka/): CRC-32C against the
// standard check value, varints against the protocol's encodings, batches
// round-tripped, refused when corrupt, unsupported or bearing a delimiter,
// and read back when compressed with each of the four codecs (snappy both
// raw and in the xerial framing Java clients write).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kafka/compression.h"
#include "kafka/crc32c.h"
#include "kafka/record_batch.h"
#include "kafka/wire.h"

namespace topicfs::kafka {
namespace {

using store::Code;

TEST(KafkaCrc32cTest, MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(KafkaWireTest, VarintsUseZigZagAndRoundTrip) {
  std::string out;
  WireWriter w(&out);
  w.Varint(-1);
  w.Varint(300);
  EXPECT_EQ(out, std::string("\x01\xd8\x04", 3));
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-64}, int64_t{1} << 40, INT64_MAX, INT64_MIN}) {
    std::string b;
    WireWriter(&b).Varlong(v);
    EXPECT_EQ(static_cast<int>(b.size()), VarlongSize(v)) << v;
    WireReader r(b);
    EXPECT_EQ(r.Varlong(), v);
    EXPECT_TRUE(r.ok());
  }
  WireReader truncated(std::string_view("\x80", 1));
  truncated.Varlong();
  EXPECT_FALSE(truncated.ok());
}

// The batch's values as topicfs records ending with `delim`, or the error.
store::Result<std::string> Records(const ProducedBatch& batch, char delim) {
  std::string out;
  store::Status s = AppendRecords(batch, delim, &out);
  if (!s.ok()) return s;
  return out;
}

std::string Batch(std::string_view records, int64_t base = 7) {
  std::string out;
  EncodeBatch(base, records, '\n', 1'700'000'000'000, &out);
  return out;
}

// `batch` with its records section compressed with `codec` (or replaced by
// `records_bytes`), the attributes and length and CRC set to match.
std::string Rewrite(const std::string& batch, Codec codec, const std::string* records_bytes) {
  std::string head = batch.substr(0, 61);
  std::string records = batch.substr(61);
  std::string body = records_bytes ? *records_bytes : *Compress(codec, records);
  std::string out = head + body;
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>(v >> (24 - 8 * i));
  };
  out[22] = static_cast<char>((out[22] & ~0x07) | static_cast<int>(codec));
  put32(8, static_cast<uint32_t>(out.size() - 12));
  put32(17, Crc32c(std::string_view(out).substr(21)));
  return out;
}

TEST(KafkaRecordBatchTest, EncodedRecordsDecodeToTheSameValues) {
  const std::string records = "alpha\n\nlonger value with spaces\n";
  const std::string batch = Batch(records);
  size_t used = 0;
  const std::string input = batch + "trailing";  // the values are views into it
  auto decoded = DecodeBatch(input, 1 << 20, &used);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(used, batch.size());
  EXPECT_EQ(decoded->count, 3);
  EXPECT_EQ(decoded->last_offset_delta, 2);
  EXPECT_EQ(decoded->producer_id, -1);
  EXPECT_EQ(*Records(*decoded, '\n'), records);
  // LogAppendTime is set (attribute bit 3).
  EXPECT_EQ(batch[22] & 0x08, 0x08);
}

TEST(KafkaRecordBatchTest, ACorruptByteFailsTheCrc) {
  std::string batch = Batch("a\nb\n");
  batch[batch.size() - 3] ^= 0x40;
  size_t used;
  EXPECT_TRUE(DecodeBatch(batch, 1 << 20, &used).status().Is(Code::kCorruption));
}

TEST(KafkaRecordBatchTest, OtherMagicsAreNotSupported) {
  std::string batch = Batch("a\n");
  batch[16] = 1;
  size_t used;
  EXPECT_TRUE(DecodeBatch(batch, 1 << 20, &used).status().Is(Code::kNotSupported));
}

TEST(KafkaRecordBatchTest, AValueHoldingTheDelimiterRefusesTheBatch) {
  // A NUL-delimited topic: the newline-separated values encode as records
  // with no NUL, but one holding a NUL is refused whole.
  size_t used;
  const std::string input = Batch("one\ntwo\n");  // the values are views into it
  auto ok = DecodeBatch(input, 1 << 20, &used);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*Records(*ok, '\0'), std::string("one\0two\0", 8));
  const std::string with_nul = Batch(std::string("fine\nhas\0nul\n", 13));
  auto bad = DecodeBatch(with_nul, 1 << 20, &used);
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(Records(*bad, '\0').status().Is(Code::kInvalidArgument));
}

TEST(KafkaRecordBatchTest, EveryCodecDecodes) {
  std::string records;
  for (int i = 0; i < 500; ++i) records += "record number " + std::to_string(i) + "\n";
  const std::string plain = Batch(records);
  for (Codec codec : {Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd}) {
    size_t used;
    auto decoded = DecodeBatch(Rewrite(plain, codec, nullptr), 1 << 20, &used);
    ASSERT_TRUE(decoded.ok()) << static_cast<int>(codec) << ": " << decoded.status().ToString();
    EXPECT_EQ(decoded->codec, codec);
    EXPECT_EQ(*Records(*decoded, '\n'), records) << static_cast<int>(codec);
  }
}

TEST(KafkaRecordBatchTest, XerialFramedSnappyDecodes) {
  std::string records;
  for (int i = 0; i < 100; ++i) records += "x" + std::to_string(i) + "\n";
  const std::string plain = Batch(records);
  const std::string section = plain.substr(61);
  // Two blocks, as SnappyOutputStream writes a long stream.
  std::string framed("\x82SNAPPY\0\0\0\0\x01\0\0\0\x01", 16);
  for (std::string_view part :
       {std::string_view(section).substr(0, 100), std::string_view(section).substr(100)}) {
    std::string block = *Compress(Codec::kSnappy, part);
    for (int i = 0; i < 4; ++i) framed.push_back(static_cast<char>(block.size() >> (24 - 8 * i)));
    framed += block;
  }
  size_t used;
  auto decoded = DecodeBatch(Rewrite(plain, Codec::kSnappy, &framed), 1 << 20, &used);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*Records(*decoded, '\n'), records);
}

TEST(KafkaRecordBatchTest, RecordsThatExpandTooFarAreRefused) {
  const std::string plain = Batch(std::string(100000, 'z') + "\n");
  size_t used;
  auto decoded = DecodeBatch(Rewrite(plain, Codec::kZstd, nullptr), 4096, &used);
  EXPECT_TRUE(decoded.status().Is(Code::kTooBig)) << decoded.status().ToString();
}

TEST(KafkaRecordBatchTest, TruncatedOrGarbledBatchesAreCorrupt) {
  const std::string batch = Batch("a\nb\n");
  size_t used;
  EXPECT_TRUE(DecodeBatch(batch.substr(0, 40), 1 << 20, &used).status().Is(Code::kCorruption));
  EXPECT_TRUE(DecodeBatch(batch.substr(0, batch.size() - 1), 1 << 20, &used)
                  .status()
                  .Is(Code::kCorruption));
  // A record cut short inside a batch whose length and CRC agree.
  const std::string short_records = batch.substr(61, 14);  // 8 + 6 of two 8-byte records
  const std::string cut = Rewrite(batch, Codec::kNone, &short_records);
  auto decoded = DecodeBatch(cut, 1 << 20, &used);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(Records(*decoded, '\n').status().Is(Code::kCorruption));
  std::string garbage = "not lz4 at all";
  EXPECT_TRUE(DecodeBatch(Rewrite(batch, Codec::kLz4, &garbage), 1 << 20, &used)
                  .status()
                  .Is(Code::kCorruption));
}

TEST(KafkaRecordBatchTest, ARecordCountTheBytesCannotHoldIsCorruptNotAnAllocation) {
  std::string batch = Batch("a\nb\n");
  // The count (at byte 57) says two billion records; the CRC is made right.
  const uint32_t count = 0x7fff0000;
  for (int i = 0; i < 4; ++i) batch[57 + i] = static_cast<char>(count >> (24 - 8 * i));
  const std::string rewritten = Rewrite(batch, Codec::kNone, nullptr);
  size_t used;
  EXPECT_TRUE(DecodeBatch(rewritten, 1 << 20, &used).status().Is(Code::kCorruption));
}

}  // namespace
}  // namespace topicfs::kafka

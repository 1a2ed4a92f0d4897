// Kafka's primitive types on the wire (the protocol guide's "Protocol
// Primitive Types"): big-endian integers, zig-zag varints, unsigned
// varints, and the strings and byte arrays built from them. A reader never
// reads past its end: running out sets an error that every later read keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace topicfs::kafka {

class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : rest_(bytes) {}

  int8_t Int8() { return static_cast<int8_t>(Fixed(1)); }
  int16_t Int16() { return static_cast<int16_t>(Fixed(2)); }
  int32_t Int32() { return static_cast<int32_t>(Fixed(4)); }
  int64_t Int64() { return static_cast<int64_t>(Fixed(8)); }
  uint32_t Uint32() { return static_cast<uint32_t>(Fixed(4)); }
  // Zig-zag encoded (records' fields).
  int32_t Varint() { return static_cast<int32_t>(Varlong()); }
  int64_t Varlong() {
    const uint64_t z = UnsignedVarint();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  // Unsigned (compact lengths, tagged fields). Inline for the one-byte
  // case, which most of a record's fields are: decoding runs per field of
  // every produced record.
  uint64_t UnsignedVarint() {
    if (ok_ && !rest_.empty() && static_cast<uint8_t>(rest_[0]) < 0x80) {
      const uint64_t v = static_cast<uint8_t>(rest_[0]);
      rest_.remove_prefix(1);
      return v;
    }
    return LongUnsignedVarint();
  }
  // `n` raw bytes.
  std::string_view Bytes(size_t n);
  // A varint length then the bytes; -1 is null (nullopt).
  std::optional<std::string_view> VarBytes();

  bool ok() const { return ok_; }
  size_t remaining() const { return rest_.size(); }
  std::string_view rest() const { return rest_; }

 private:
  uint64_t Fixed(int n);
  uint64_t LongUnsignedVarint();
  std::string_view rest_;
  bool ok_ = true;
};

class WireWriter {
 public:
  explicit WireWriter(std::string* out) : out_(out) {}
  void Int8(int8_t v) { Fixed(static_cast<uint8_t>(v), 1); }
  void Int16(int16_t v) { Fixed(static_cast<uint16_t>(v), 2); }
  void Int32(int32_t v) { Fixed(static_cast<uint32_t>(v), 4); }
  void Int64(int64_t v) { Fixed(static_cast<uint64_t>(v), 8); }
  void Uint32(uint32_t v) { Fixed(v, 4); }
  void Varint(int32_t v) { Varlong(v); }
  void Varlong(int64_t v);
  void UnsignedVarint(uint64_t v);
  void Bytes(std::string_view b) { out_->append(b); }
  // A varint length then the bytes; nullopt is -1.
  void VarBytes(std::optional<std::string_view> b);
  std::string& out() { return *out_; }

 private:
  void Fixed(uint64_t v, int n);
  std::string* out_;
};

// How many bytes Varlong(v) writes.
int VarlongSize(int64_t v);

}  // namespace topicfs::kafka

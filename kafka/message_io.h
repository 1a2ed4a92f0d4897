// Kafka messages described once, read and written by the same description.
// Each message struct lists its fields in wire order in a template
//
//   template <class IO> void Fields(IO& io) {
//     io.Int32(throttle_time_ms, Since(1));
//     io.Array(topics);
//   }
//
// and MessageReader or MessageWriter walks it for one version, as Kafka's
// JSON schemas (clients/src/main/resources/common/message/) say: a field
// outside its versions is skipped (reading leaves the member's default),
// and in flexible versions strings, bytes and arrays are compact and every
// struct ends with tagged fields. Tagged fields are skipped when read and
// none are written: nothing topicfs answers needs one.
//
// Strings and bytes read are views into the request buffer; strings and
// bytes written are views the caller keeps alive until the write.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/wire.h"

namespace topicfs::kafka {

// The versions a field exists in, inclusive.
struct Versions {
  int16_t min = 0;
  int16_t max = INT16_MAX;
  bool Has(int16_t v) const { return v >= min && v <= max; }
};
constexpr Versions Since(int16_t v) { return {v, INT16_MAX}; }
constexpr Versions Between(int16_t a, int16_t b) { return {a, b}; }
constexpr Versions kAll{};

using Uuid = std::array<uint8_t, 16>;

class MessageReader {
 public:
  MessageReader(std::string_view bytes, int16_t version, bool flexible)
      : in_(bytes), version_(version), flexible_(flexible) {}

  int16_t version() const { return version_; }
  bool ok() const { return in_.ok() && ok_; }
  WireReader& wire() { return in_; }

  void Int8(int8_t& v, Versions at = kAll) {
    if (at.Has(version_)) v = in_.Int8();
  }
  void Int16(int16_t& v, Versions at = kAll) {
    if (at.Has(version_)) v = in_.Int16();
  }
  void Int32(int32_t& v, Versions at = kAll) {
    if (at.Has(version_)) v = in_.Int32();
  }
  void Int64(int64_t& v, Versions at = kAll) {
    if (at.Has(version_)) v = in_.Int64();
  }
  void Bool(bool& v, Versions at = kAll) {
    if (at.Has(version_)) v = in_.Int8() != 0;
  }
  void Uuid(kafka::Uuid& v, Versions at = kAll);
  void String(std::string_view& v, Versions at = kAll);
  void NullableString(std::optional<std::string_view>& v, Versions at = kAll);
  // Bytes and records: always nullable here.
  void Bytes(std::optional<std::string_view>& v, Versions at = kAll);
  void Int32Array(std::vector<int32_t>& v, Versions at = kAll);
  void StringArray(std::vector<std::string_view>& v, Versions at = kAll);
  void NullableStringArray(std::optional<std::vector<std::string_view>>& v, Versions at = kAll);

  template <class T>
  void Array(std::vector<T>& v, Versions at = kAll) {
    if (!at.Has(version_)) return;
    const int64_t n = Length();
    v.clear();
    if (n <= 0) return;
    for (int64_t i = 0; i < n && ok(); ++i) {
      v.emplace_back();
      Struct(v.back());
    }
  }
  template <class T>
  void NullableArray(std::optional<std::vector<T>>& v, Versions at = kAll) {
    if (!at.Has(version_)) return;
    const int64_t n = Length();
    v.reset();
    if (n < 0 || !ok()) return;
    v.emplace();
    for (int64_t i = 0; i < n && ok(); ++i) {
      v->emplace_back();
      Struct(v->back());
    }
  }
  template <class T>
  void Struct(T& s) {
    s.Fields(*this);
    EndStruct();
  }
  // Tagged fields, in flexible versions: skipped.
  void EndStruct();

 private:
  // An array's or string's length: -1 for null. A length longer than the
  // bytes left is malformed (and never allocated for).
  int64_t Length();
  WireReader in_;
  const int16_t version_;
  const bool flexible_;
  bool ok_ = true;
};

class MessageWriter {
 public:
  MessageWriter(std::string* out, int16_t version, bool flexible)
      : out_(out), version_(version), flexible_(flexible) {}

  int16_t version() const { return version_; }
  bool ok() const { return true; }

  void Int8(int8_t v, Versions at = kAll) {
    if (at.Has(version_)) out_.Int8(v);
  }
  void Int16(int16_t v, Versions at = kAll) {
    if (at.Has(version_)) out_.Int16(v);
  }
  void Int32(int32_t v, Versions at = kAll) {
    if (at.Has(version_)) out_.Int32(v);
  }
  void Int64(int64_t v, Versions at = kAll) {
    if (at.Has(version_)) out_.Int64(v);
  }
  void Bool(bool v, Versions at = kAll) {
    if (at.Has(version_)) out_.Int8(v ? 1 : 0);
  }
  void Uuid(const kafka::Uuid& v, Versions at = kAll);
  void String(std::string_view v, Versions at = kAll);
  void NullableString(const std::optional<std::string_view>& v, Versions at = kAll);
  void Bytes(const std::optional<std::string_view>& v, Versions at = kAll);
  void Int32Array(const std::vector<int32_t>& v, Versions at = kAll);
  void StringArray(const std::vector<std::string_view>& v, Versions at = kAll);
  void NullableStringArray(const std::optional<std::vector<std::string_view>>& v,
                           Versions at = kAll);

  template <class T>
  void Array(const std::vector<T>& v, Versions at = kAll) {
    if (!at.Has(version_)) return;
    Length(static_cast<int64_t>(v.size()));
    for (const T& e : v) Struct(e);
  }
  template <class T>
  void NullableArray(const std::optional<std::vector<T>>& v, Versions at = kAll) {
    if (!at.Has(version_)) return;
    if (!v) return Length(-1);
    Array(*v, at);
  }
  template <class T>
  void Struct(const T& s) {
    // Descriptions take their members by reference to serve both ways.
    const_cast<T&>(s).Fields(*this);
    EndStruct();
  }
  void EndStruct() {
    if (flexible_) out_.UnsignedVarint(0);
  }

 private:
  void Length(int64_t n);
  WireWriter out_;
  const int16_t version_;
  const bool flexible_;
};

}  // namespace topicfs::kafka

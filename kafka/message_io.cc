#include "kafka/message_io.h"

#include <cstring>

namespace topicfs::kafka {

int64_t MessageReader::Length() {
  int64_t n;
  if (flexible_) {
    n = static_cast<int64_t>(in_.UnsignedVarint()) - 1;  // 0 is null
  } else {
    n = in_.Int32();
  }
  if (!in_.ok() || n < -1 || n > static_cast<int64_t>(in_.remaining())) {
    ok_ = false;
    return -1;
  }
  return n;
}

void MessageReader::Uuid(kafka::Uuid& v, Versions at) {
  if (!at.Has(version_)) return;
  std::string_view b = in_.Bytes(v.size());
  if (in_.ok()) std::memcpy(v.data(), b.data(), v.size());
}

void MessageReader::String(std::string_view& v, Versions at) {
  std::optional<std::string_view> s;
  if (!at.Has(version_)) return;
  NullableString(s, at);
  if (!s) {
    ok_ = false;  // a null where the schema allows none
    return;
  }
  v = *s;
}

void MessageReader::NullableString(std::optional<std::string_view>& v, Versions at) {
  if (!at.Has(version_)) return;
  int64_t n;
  if (flexible_) {
    n = Length();
  } else {
    n = in_.Int16();
    if (n < -1) ok_ = false;
  }
  if (!ok() || n < 0) {
    v.reset();
    return;
  }
  v = in_.Bytes(static_cast<size_t>(n));
}

void MessageReader::Bytes(std::optional<std::string_view>& v, Versions at) {
  if (!at.Has(version_)) return;
  const int64_t n = Length();
  if (!ok() || n < 0) {
    v.reset();
    return;
  }
  v = in_.Bytes(static_cast<size_t>(n));
}

void MessageReader::Int32Array(std::vector<int32_t>& v, Versions at) {
  if (!at.Has(version_)) return;
  const int64_t n = Length();
  v.clear();
  for (int64_t i = 0; i < n && ok(); ++i) v.push_back(in_.Int32());
}

void MessageReader::StringArray(std::vector<std::string_view>& v, Versions at) {
  std::optional<std::vector<std::string_view>> list;
  NullableStringArray(list, at);
  if (at.Has(version_)) v = list.value_or(std::vector<std::string_view>{});
}

void MessageReader::NullableStringArray(std::optional<std::vector<std::string_view>>& v,
                                        Versions at) {
  if (!at.Has(version_)) return;
  const int64_t n = Length();
  v.reset();
  if (n < 0 || !ok()) return;
  v.emplace();
  for (int64_t i = 0; i < n && ok(); ++i) String(v->emplace_back());
}

void MessageReader::EndStruct() {
  if (!flexible_) return;
  const uint64_t tags = in_.UnsignedVarint();
  for (uint64_t i = 0; i < tags && ok(); ++i) {
    in_.UnsignedVarint();  // the tag
    const uint64_t size = in_.UnsignedVarint();
    if (size > in_.remaining()) {
      ok_ = false;
      return;
    }
    in_.Bytes(static_cast<size_t>(size));
  }
}

void MessageWriter::Length(int64_t n) {
  if (flexible_) {
    out_.UnsignedVarint(static_cast<uint64_t>(n + 1));
  } else {
    out_.Int32(static_cast<int32_t>(n));
  }
}

void MessageWriter::StringArray(const std::vector<std::string_view>& v, Versions at) {
  if (!at.Has(version_)) return;
  Length(static_cast<int64_t>(v.size()));
  for (std::string_view s : v) String(s);
}

void MessageWriter::NullableStringArray(const std::optional<std::vector<std::string_view>>& v,
                                        Versions at) {
  if (!at.Has(version_)) return;
  if (!v) return Length(-1);
  StringArray(*v, at);
}

void MessageWriter::Uuid(const kafka::Uuid& v, Versions at) {
  if (at.Has(version_))
    out_.Bytes(std::string_view(reinterpret_cast<const char*>(v.data()), v.size()));
}

void MessageWriter::String(std::string_view v, Versions at) {
  if (at.Has(version_)) NullableString(v, at);
}

void MessageWriter::NullableString(const std::optional<std::string_view>& v, Versions at) {
  if (!at.Has(version_)) return;
  if (flexible_) {
    Length(v ? static_cast<int64_t>(v->size()) : -1);
  } else {
    out_.Int16(v ? static_cast<int16_t>(v->size()) : -1);
  }
  if (v) out_.Bytes(*v);
}

void MessageWriter::Bytes(const std::optional<std::string_view>& v, Versions at) {
  if (!at.Has(version_)) return;
  Length(v ? static_cast<int64_t>(v->size()) : -1);
  if (v) out_.Bytes(*v);
}

void MessageWriter::Int32Array(const std::vector<int32_t>& v, Versions at) {
  if (!at.Has(version_)) return;
  Length(static_cast<int64_t>(v.size()));
  for (int32_t x : v) out_.Int32(x);
}

}  // namespace topicfs::kafka

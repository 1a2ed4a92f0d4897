#include "kafka/wire.h"

namespace topicfs::kafka {

uint64_t WireReader::Fixed(int n) {
  if (!ok_ || rest_.size() < static_cast<size_t>(n)) {
    ok_ = false;
    return 0;
  }
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(rest_[i]);
  rest_.remove_prefix(n);
  return v;
}

uint64_t WireReader::LongUnsignedVarint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (!ok_ || rest_.empty()) break;
    const uint8_t b = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  ok_ = false;  // ran out, or longer than 10 bytes
  return 0;
}

std::string_view WireReader::Bytes(size_t n) {
  if (!ok_ || rest_.size() < n) {
    ok_ = false;
    return {};
  }
  std::string_view b = rest_.substr(0, n);
  rest_.remove_prefix(n);
  return b;
}

std::optional<std::string_view> WireReader::VarBytes() {
  const int64_t n = Varlong();
  if (!ok_) return std::nullopt;
  if (n == -1) return std::nullopt;
  if (n < 0) {
    ok_ = false;
    return std::nullopt;
  }
  return Bytes(static_cast<size_t>(n));
}

void WireWriter::Fixed(uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out_->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void WireWriter::UnsignedVarint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void WireWriter::Varlong(int64_t v) {
  UnsignedVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void WireWriter::VarBytes(std::optional<std::string_view> b) {
  if (!b) return Varlong(-1);
  Varlong(static_cast<int64_t>(b->size()));
  Bytes(*b);
}

int VarlongSize(int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  int n = 1;
  while (z >= 0x80) {
    z >>= 7;
    ++n;
  }
  return n;
}

}  // namespace topicfs::kafka

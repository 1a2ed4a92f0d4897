// Strong types for the numbers a reader deals in, so that a record offset
// and a byte position cannot be swapped without the compiler noticing
// (redpanda's model::offset). Each is an int64_t with comparisons and the
// one arithmetic it needs: moving forward by a count.
#pragma once

#include <compare>
#include <cstdint>

namespace topicfs::store {

template <typename Tag>
class StrongInt {
 public:
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(int64_t value) : value_(value) {}
  constexpr int64_t value() const { return value_; }
  constexpr auto operator<=>(const StrongInt&) const = default;
  // `n` further on (records for an Offset, bytes for a position).
  constexpr StrongInt operator+(int64_t n) const { return StrongInt(value_ + n); }
  // How far apart two values are.
  constexpr int64_t operator-(StrongInt other) const { return value_ - other.value_; }

 private:
  int64_t value_ = 0;
};

// A record's offset in its partition: 0, 1, 2, ... without gaps (DESIGN §1.2).
using Offset = StrongInt<struct OffsetTag>;
// A byte position in what one PartitionReader reads: 0 is the first byte of
// its first record (the file offset of from/<N> and since/<T>).
using ReadPosition = StrongInt<struct ReadPositionTag>;

}  // namespace topicfs::store

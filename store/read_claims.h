// What open readers still need of a partition's oldest segments. A
// PartitionReader claims every segment from the one it is reading to the
// log end; when retention, a trim (`rm`) or a topic deletion removes a
// claimed segment, the segment is retired here instead of dropped: its
// .log stays readable through the pinned descriptor the deletion leaves it
// (Segment::RemoveFiles with `held`), and the reader walks on through it
// into the segments after it, as a reader of an unlinked file would
// (DESIGN §1.4). A retired segment goes once no claim reaches it.
//
// Not thread-safe: the owning Partition guards it with its mu_.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace topicfs::store {
class Segment;
}

namespace topicfs::store {

// One reader's claim: every segment based at `from_base` or later.
struct ReadClaim {
  int64_t from_base = 0;
};

class ReadClaims {
 public:
  void Add(ReadClaim* claim /* borrowed until Remove */) { claims_.push_back(claim); }
  void Remove(ReadClaim* claim);
  bool empty() const { return claims_.empty(); }

  // Segments leaving the partition, oldest first: keeps those a claim
  // reaches. Call before asking each whether it is held.
  void Retire(const std::vector<std::shared_ptr<Segment>>& gone);
  // The oldest retired segment based after `base_offset`, or null.
  std::shared_ptr<Segment> After(int64_t base_offset) const;
  // The retired segment holding partition-wide stream position `pos`, or null.
  std::shared_ptr<Segment> Holding(int64_t pos) const;
  // Drops retired segments that no claim reaches any more.
  void Prune();

 private:
  int64_t LowestClaim() const;

  std::vector<ReadClaim*> claims_;
  std::deque<std::shared_ptr<Segment>> retired_;  // oldest first, all older than the live ones
};

}  // namespace topicfs::store

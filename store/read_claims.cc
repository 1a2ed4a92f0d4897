#include "store/read_claims.h"

#include <algorithm>
#include <limits>

#include "store/segment.h"

namespace topicfs::store {

void ReadClaims::Remove(ReadClaim* claim) {
  claims_.erase(std::remove(claims_.begin(), claims_.end(), claim), claims_.end());
  Prune();
}

int64_t ReadClaims::LowestClaim() const {
  int64_t lowest = std::numeric_limits<int64_t>::max();
  for (const ReadClaim* c : claims_) lowest = std::min(lowest, c->from_base);
  return lowest;
}

void ReadClaims::Retire(const std::vector<std::shared_ptr<Segment>>& gone) {
  const int64_t lowest = LowestClaim();
  for (const std::shared_ptr<Segment>& seg : gone) {
    if (seg->base_offset() >= lowest) retired_.push_back(seg);
  }
}

std::shared_ptr<Segment> ReadClaims::After(int64_t base_offset) const {
  for (const std::shared_ptr<Segment>& seg : retired_) {
    if (seg->base_offset() > base_offset) return seg;
  }
  return nullptr;
}

std::shared_ptr<Segment> ReadClaims::Holding(int64_t pos) const {
  for (const std::shared_ptr<Segment>& seg : retired_) {
    if (seg->stream_base() <= pos && pos < seg->stream_base() + seg->size()) return seg;
  }
  return nullptr;
}

void ReadClaims::Prune() {
  const int64_t lowest = LowestClaim();
  while (!retired_.empty() && retired_.front()->base_offset() < lowest) retired_.pop_front();
}

}  // namespace topicfs::store

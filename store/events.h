// What happens in a store that its front-ends and metrics observe, as
// RocksDB's EventListener: the mount drops what the kernel cached of a
// segment retention deleted; metrics count failures. A listener is called
// on the thread that made the event happen, after the store's locks are
// released; it should be quick and may call the store's read methods.
#pragma once

#include <cstdint>
#include <string_view>

#include "store/status.h"

namespace topicfs::store {

class StoreListener {
 public:
  virtual ~StoreListener() = default;
  // Retention deleted the segment based at `base_offset` of a partition.
  virtual void OnSegmentDeleted(std::string_view /*topic*/, int32_t /*partition*/,
                                int64_t /*base_offset*/) {}
  // A failed fsync stopped a partition (once per failure; Partition::failure).
  virtual void OnPartitionFailed(std::string_view /*topic*/, int32_t /*partition*/,
                                 const Status& /*why*/) {}
  // The remote tier failed `what` ("read", "copy", "delete"); said once
  // per failure, the caller decides how often to log.
  virtual void OnTierFailure(std::string_view /*what*/, const Status& /*why*/) {}
};

}  // namespace topicfs::store

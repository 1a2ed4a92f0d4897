// The store's figures at scrape time: per partition its offsets, bytes,
// segments and traffic; per consumer group its committed offsets and lag;
// the remote tier's work and cache. Read through the store's public face
// only, under no lock of the mount's.
#pragma once

#include <prometheus/collectable.h>

#include <vector>

namespace topicfs::store {
class Store;
}

namespace topicfs::metrics {

class StoreCollector : public prometheus::Collectable {
 public:
  // `store` is borrowed and outlives the collector's last scrape.
  explicit StoreCollector(store::Store* store) : store_(store) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  store::Store* const store_;
};

}  // namespace topicfs::metrics

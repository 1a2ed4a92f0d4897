// The daemon process's own figures, under the names every Prometheus
// client library uses (process_open_fds, process_resident_memory_bytes,
// ...), read from /proc/self at scrape time.
#pragma once

#include <prometheus/collectable.h>

#include <vector>

namespace topicfs::metrics {

class ProcessCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace topicfs::metrics

// A front-end's requests at scrape time, from its store::RequestStats:
// <prefix>_requests_total and <prefix>_request_duration_seconds by kind,
// and <prefix>_errors_total by kind and error (an errno's name, such as
// ENOENT, or a number).
#pragma once

#include <prometheus/collectable.h>

#include <string>
#include <vector>

namespace topicfs::store {
class RequestStats;
}

namespace topicfs::metrics {

class RequestCollector : public prometheus::Collectable {
 public:
  struct Naming {
    std::string prefix;      // "topicfs_fuse"
    std::string kind_label;  // "op"
    std::string what;        // "FUSE requests", for the help texts
    bool errnos = false;     // error codes are errnos: named ENOENT, ...
  };
  // `stats` is borrowed and outlives the collector's last scrape.
  RequestCollector(const store::RequestStats* stats, Naming naming)
      : stats_(stats), naming_(std::move(naming)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const store::RequestStats* const stats_;
  const Naming naming_;
};

}  // namespace topicfs::metrics

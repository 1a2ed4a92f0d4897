// Building Prometheus metric families at scrape time from figures the
// store and the front-ends keep: a thin layer over prometheus-cpp's
// MetricFamily, so each collector reads as a list of names and values.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/request_stats.h"

namespace topicfs::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Families {
 public:
  // Adds a sample to family `name` (made with `help` and `type` at its
  // first sample; families keep the order they first appear in).
  void Gauge(const std::string& name, const std::string& help, const Labels& labels, double value);
  void Counter(const std::string& name, const std::string& help, const Labels& labels,
               double value);
  // A latency histogram from a RequestStats kind's totals.
  void Histogram(const std::string& name, const std::string& help, const Labels& labels,
                 const store::RequestStats::Totals& totals);

  std::vector<prometheus::MetricFamily> Take() { return std::move(families_); }

 private:
  prometheus::ClientMetric& Add(const std::string& name, const std::string& help,
                                prometheus::MetricType type, const Labels& labels);
  std::vector<prometheus::MetricFamily> families_;
};

}  // namespace topicfs::metrics

#include "metrics/families.h"

#include <limits>

namespace topicfs::metrics {

prometheus::ClientMetric& Families::Add(const std::string& name, const std::string& help,
                                        prometheus::MetricType type, const Labels& labels) {
  prometheus::MetricFamily* family = nullptr;
  for (prometheus::MetricFamily& f : families_) {
    if (f.name == name) family = &f;
  }
  if (family == nullptr) {
    family = &families_.emplace_back();
    family->name = name;
    family->help = help;
    family->type = type;
  }
  prometheus::ClientMetric& metric = family->metric.emplace_back();
  for (const auto& [key, value] : labels) metric.label.push_back({key, value});
  return metric;
}

void Families::Gauge(const std::string& name, const std::string& help, const Labels& labels,
                     double value) {
  Add(name, help, prometheus::MetricType::Gauge, labels).gauge.value = value;
}

void Families::Counter(const std::string& name, const std::string& help, const Labels& labels,
                       double value) {
  Add(name, help, prometheus::MetricType::Counter, labels).counter.value = value;
}

void Families::Histogram(const std::string& name, const std::string& help, const Labels& labels,
                         const store::RequestStats::Totals& totals) {
  prometheus::ClientMetric& metric = Add(name, help, prometheus::MetricType::Histogram, labels);
  metric.histogram.sample_count = totals.count;
  metric.histogram.sample_sum = totals.sum_seconds;
  for (size_t i = 0; i < store::RequestStats::kBucketSeconds.size(); ++i) {
    metric.histogram.bucket.push_back(
        {totals.at_or_under[i], store::RequestStats::kBucketSeconds[i]});
  }
  metric.histogram.bucket.push_back({totals.count, std::numeric_limits<double>::infinity()});
}

}  // namespace topicfs::metrics

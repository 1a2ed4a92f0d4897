#include "metrics/request_collector.h"

#include <string.h>

#include "metrics/families.h"
#include "store/request_stats.h"

namespace topicfs::metrics {
namespace {

std::string ErrorName(int code, bool errnos) {
  if (errnos) {
    if (const char* name = strerrorname_np(code)) return name;
  }
  return std::to_string(code);
}

}  // namespace

std::vector<prometheus::MetricFamily> RequestCollector::Collect() const {
  Families out;
  const std::vector<store::RequestStats::Totals> totals = stats_->Snapshot();
  const std::string& prefix = naming_.prefix;
  for (const store::RequestStats::Totals& t : totals) {
    const Labels at{{naming_.kind_label, t.kind}};
    out.Counter(prefix + "_requests_total", naming_.what + " answered", at,
                static_cast<double>(t.count));
  }
  for (const store::RequestStats::Totals& t : totals) {
    out.Histogram(prefix + "_request_duration_seconds", "Time to answer " + naming_.what,
                  {{naming_.kind_label, t.kind}}, t);
  }
  for (const store::RequestStats::Totals& t : totals) {
    for (const auto& [code, count] : t.errors) {
      out.Counter(prefix + "_errors_total", naming_.what + " refused, by error",
                  {{naming_.kind_label, t.kind}, {"error", ErrorName(code, naming_.errnos)}},
                  static_cast<double>(count));
    }
  }
  return out.Take();
}

}  // namespace topicfs::metrics

#include "metrics/process_collector.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "metrics/families.h"

namespace topicfs::metrics {
namespace {

int64_t OpenDescriptors() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int64_t n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the one opendir holds
}

// /proc/self/stat: utime and stime (fields 14, 15) in clock ticks,
// starttime (22) in ticks since boot, rss (24) in pages.
struct ProcStat {
  double cpu_seconds = 0;
  double start_ticks = 0;
  double rss_pages = 0;
  double virtual_bytes = 0;
};
bool ReadProcStat(ProcStat* out) {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  // The command name (field 2) may hold spaces: fields go on after its ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (int i = 3; rest >> field; ++i) {
    if (i == 14 || i == 15) out->cpu_seconds += std::stod(field) / ticks;
    if (i == 22) out->start_ticks = std::stod(field);
    if (i == 23) out->virtual_bytes = std::stod(field);
    if (i == 24) {
      out->rss_pages = std::stod(field);
      return true;
    }
  }
  return false;
}

double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  Families out;
  if (int64_t fds = OpenDescriptors(); fds >= 0) {
    out.Gauge("process_open_fds", "Open file descriptors", {}, static_cast<double>(fds));
  }
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.Gauge("process_max_fds", "Maximum open file descriptors", {},
              static_cast<double>(limit.rlim_cur));
  }
  ProcStat stat;
  if (ReadProcStat(&stat)) {
    out.Counter("process_cpu_seconds_total", "User and system CPU time", {}, stat.cpu_seconds);
    out.Gauge("process_resident_memory_bytes", "Resident memory", {},
              stat.rss_pages * static_cast<double>(sysconf(_SC_PAGESIZE)));
    out.Gauge("process_virtual_memory_bytes", "Virtual memory", {}, stat.virtual_bytes);
    out.Gauge("process_start_time_seconds", "Start time since the Unix epoch", {},
              BootTimeSeconds() + stat.start_ticks / static_cast<double>(sysconf(_SC_CLK_TCK)));
  }
  return out.Take();
}

}  // namespace topicfs::metrics

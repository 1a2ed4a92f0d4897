#include "cli/progress_line.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "store/clock.h"

namespace topicfs::cli {
namespace {

constexpr int64_t kRedrawMs = 200;
// A command done within this never shows a line at all.
constexpr int64_t kFirstDrawMs = 1000;

std::string Amount(int64_t n, const char* unit) {
  char buf[48];
  if (std::strcmp(unit, "bytes") != 0) {
    std::snprintf(buf, sizeof buf, "%lld %s", static_cast<long long>(n), unit);
    return buf;
  }
  const char* units[] = {"B", "K", "M", "G", "T"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
  return buf;
}

}  // namespace

ProgressLine::ProgressLine(std::string what)
    : what_(std::move(what)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_ms_(store::SteadyNowMs()) {}

ProgressLine::~ProgressLine() { Clear(); }

void ProgressLine::Clear() {
  if (!drawn_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

void ProgressLine::Update(int64_t done, int64_t total, const char* unit) {
  if (!enabled_) return;
  const int64_t now = store::SteadyNowMs();
  if (now - start_ms_ < kFirstDrawMs || now - last_draw_ms_ < kRedrawMs) return;
  last_draw_ms_ = now;
  std::string line = what_ + ": " + Amount(done, unit);
  if (total > 0) {
    line += " of " + Amount(total, unit) + " (" +
            std::to_string(
                static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total))) +
            "%)";
  }
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace topicfs::cli

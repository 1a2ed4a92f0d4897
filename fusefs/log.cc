#include "fusefs/log.h"

#define FUSE_USE_VERSION FUSE_MAKE_VERSION(3, 12)
#include <fuse_log.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace topicfs::fusefs {
namespace {

std::mutex g_mu;
LogSink g_sink = LogSink::kStderr;
FILE* g_file = nullptr;  // guarded by g_mu

void Write(int priority, const char* text) {
  if (g_sink == LogSink::kSyslog) {
    syslog(priority, "%s", text);
    return;
  }
  char stamp[32];
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard<std::mutex> lock(g_mu);
  FILE* out = g_file != nullptr ? g_file : stderr;
  std::fprintf(out, "%s.%03ldZ topicfs[%d] %s: %s\n", stamp, ts.tv_nsec / 1000000,
               static_cast<int>(getpid()), priority <= LOG_ERR ? "error" : "info", text);
  std::fflush(out);
}

void FuseLogFunc(enum fuse_log_level level, const char* fmt, va_list ap) {
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  size_t n = std::strlen(buf);
  while (n > 0 && buf[n - 1] == '\n') buf[--n] = '\0';
  Write(level <= FUSE_LOG_ERR ? LOG_ERR : LOG_INFO, buf);
}

}  // namespace

bool InitLog(LogSink sink, const std::string& path, std::string* error) {
  g_sink = sink;
  if (sink == LogSink::kFile) {
    FILE* f = std::fopen(path.c_str(), "a");
    if (f == nullptr) {
      *error = "cannot open log file " + path + ": " + std::strerror(errno);
      return false;
    }
    std::lock_guard<std::mutex> lock(g_mu);
    g_file = f;
  } else if (sink == LogSink::kSyslog) {
    openlog("topicfs", LOG_PID, LOG_DAEMON);
  }
  fuse_set_log_func(FuseLogFunc);
  return true;
}

void LogInfo(const std::string& message) { Write(LOG_INFO, message.c_str()); }
void LogError(const std::string& message) { Write(LOG_ERR, message.c_str()); }

}  // namespace topicfs::fusefs

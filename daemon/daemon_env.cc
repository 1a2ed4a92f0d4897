#include "daemon/daemon_env.h"

#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

namespace topicfs::daemon {

store::Result<std::unique_ptr<DaemonEnv>> DaemonEnv::Open(LogSink sink, const std::string& path) {
  std::unique_ptr<DaemonEnv> env(new DaemonEnv(sink));
  if (sink == LogSink::kFile) {
    env->file_ = std::fopen(path.c_str(), "a");
    if (env->file_ == nullptr) {
      return store::Status::FromErrno(errno, "cannot open log file " + path);
    }
  } else if (sink == LogSink::kSyslog) {
    openlog("topicfs", LOG_PID, LOG_DAEMON);
  }
  return env;
}

DaemonEnv::~DaemonEnv() {
  if (file_ != nullptr) std::fclose(file_);
}

void DaemonEnv::LogInfo(std::string_view message) { Write(LOG_INFO, message); }

void DaemonEnv::LogError(std::string_view message) { Write(LOG_ERR, message); }

void DaemonEnv::Write(int priority, std::string_view text) {
  const int len = static_cast<int>(text.size());
  if (sink_ == LogSink::kSyslog) {
    syslog(priority, "%.*s", len, text.data());
    return;
  }
  char stamp[32];
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard<std::mutex> lock(mu_);
  FILE* out = file_ != nullptr ? file_ : stderr;
  std::fprintf(out, "%s.%03ldZ topicfs[%d] %s: %.*s\n", stamp, ts.tv_nsec / 1000000,
               static_cast<int>(getpid()), priority <= LOG_ERR ? "error" : "info", len,
               text.data());
  std::fflush(out);
}

}  // namespace topicfs::daemon

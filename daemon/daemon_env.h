// The daemon's Env: the log goes to stderr in the foreground, to a file
// with --log FILE, or to syslog once daemonized; the fault seam lets
// everything through. Made once by `topicfs mount` and handed to the store
// and every front-end (store/env.h).
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "store/env.h"
#include "store/status.h"

namespace topicfs::daemon {

enum class LogSink { kStderr, kFile, kSyslog };

class DaemonEnv : public store::Env {
 public:
  // `path` is used with kFile; an error when it cannot be opened.
  static store::Result<std::unique_ptr<DaemonEnv>> Open(LogSink sink, const std::string& path);
  ~DaemonEnv() override;
  DaemonEnv(const DaemonEnv&) = delete;
  DaemonEnv& operator=(const DaemonEnv&) = delete;

  void LogInfo(std::string_view message) override;
  void LogError(std::string_view message) override;

 private:
  explicit DaemonEnv(LogSink sink) : sink_(sink) {}
  void Write(int priority, std::string_view text);

  const LogSink sink_;
  std::mutex mu_;
  FILE* file_ = nullptr;  // kFile; guarded by mu_
};

}  // namespace topicfs::daemon

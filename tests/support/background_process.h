// A process a test starts and must stop: a follower such as `tail -F` that
// runs until killed. It gets its own stdout and stderr files, dies with the
// test process (PR_SET_PDEATHSIG), and is killed by its pid, never by name,
// when stopped or destroyed.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace topicfs::e2e {

class BackgroundProcess {
 public:
  // Runs argv[0] (looked up on PATH) with `argv`, in `cwd`, stdout to
  // `out_path` and stderr to `err_path`; false if it could not be started.
  bool Start(const std::vector<std::string>& argv, const std::string& cwd,
             const std::string& out_path, const std::string& err_path);
  BackgroundProcess() = default;
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  ~BackgroundProcess() { Stop(); }

  // True while it holds an open descriptor on a file under `dir`: a
  // follower has opened what it follows, so appends made from now on are
  // ones it must see.
  bool HoldsFileUnder(const std::string& dir) const;
  // SIGTERM, then SIGKILL if it has not exited within 5 s; reaps it.
  void Stop();
  // Sends `sig` (a Ctrl-C is SIGINT); false when it is not running.
  bool Signal(int sig) const;
  // Waits up to `timeout_s` seconds for it to exit and reaps it: its wait
  // status, or nullopt while it still runs.
  std::optional<int> Wait(int timeout_s);
  // The command line, for messages.
  const std::string& command() const { return command_; }

 private:
  pid_t pid_ = -1;
  std::string command_;
};

}  // namespace topicfs::e2e

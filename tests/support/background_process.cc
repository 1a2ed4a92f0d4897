#include "tests/support/background_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {

bool BackgroundProcess::Start(const std::vector<std::string>& argv, const std::string& cwd,
                              const std::string& out_path, const std::string& err_path) {
  if (pid_ >= 0 || argv.empty()) return false;
  command_.clear();
  for (const std::string& a : argv) command_ += (command_.empty() ? "" : " ") + a;
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    // A follower left running would hold the mount busy after a crash.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  pid_ = pid;
  return true;
}

bool BackgroundProcess::HoldsFileUnder(const std::string& dir) const {
  if (pid_ < 0) return false;
  std::string fd_dir = "/proc/" + std::to_string(pid_) + "/fd";
  DIR* d = ::opendir(fd_dir.c_str());
  if (d == nullptr) return false;
  bool holds = false;
  while (dirent* e = ::readdir(d)) {
    char target[PATH_MAX];
    std::string link = fd_dir + "/" + e->d_name;
    ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    if (std::string(target, n).rfind(dir + "/", 0) == 0) holds = true;
  }
  ::closedir(d);
  return holds;
}

void BackgroundProcess::Stop() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGTERM);
  auto reaped = [this] {
    pid_t r = ::waitpid(pid_, nullptr, WNOHANG);
    return r == pid_ || (r < 0 && errno == ECHILD);
  };
  if (!WaitUntil(reaped, 5)) {
    ::kill(pid_, SIGKILL);
    // A process blocked in a request the daemon never answers outlives
    // SIGKILL; the fixture's forced unmount ends it, so do not wait forever.
    if (!WaitUntil(reaped, 10)) {
      std::fprintf(stderr, "pid %d outlived SIGKILL (blocked on the mount?)\n", pid_);
    }
  }
  pid_ = -1;
}

bool BackgroundProcess::Signal(int sig) const { return pid_ > 0 && ::kill(pid_, sig) == 0; }

std::optional<int> BackgroundProcess::Wait(int timeout_s) {
  if (pid_ < 0) return std::nullopt;
  int status = 0;
  auto exited = [&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; };
  if (!WaitUntil(exited, timeout_s)) return std::nullopt;
  pid_ = -1;
  return status;
}

}  // namespace topicfs::e2e

#include "tests/support/mount_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

namespace topicfs::e2e {
namespace {

constexpr long kFuseSuperMagic = 0x65735546;

std::string ReadFd(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, n);
  }
  return out;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

std::string TopicfsBinary() {
  const char* env = std::getenv("TOPICFS_BIN");
  if (env != nullptr && *env != '\0') return env;
  return TOPICFS_BIN;
}

bool WaitUntil(const std::function<bool()>& done, int timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void MountTest::SetUp() {
  char tmpl[] = "/tmp/topicfs-e2e-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr) << std::strerror(errno);
  dir_ = tmpl;
  data_ = dir_ + "/data";
  mnt_ = dir_ + "/mnt";
  ASSERT_EQ(::mkdir(mnt_.c_str(), 0755), 0);
  ASSERT_EQ(::access(TopicfsBinary().c_str(), X_OK), 0)
      << "no topicfs binary at " << TopicfsBinary() << " (set TOPICFS_BIN)";
  Mount();
}

void MountTest::TearDown() {
  ForceUnmount();
  if (dir_.empty()) return;
  if (Mounted()) {
    ADD_FAILURE() << "mount " << mnt_ << " left behind";
    return;  // never rm -rf through a live mount
  }
  if (HasFailure()) std::cerr << "daemon log:\n" << DaemonLog() << std::endl;
  std::string rm = "rm -rf --one-file-system '" + dir_ + "'";
  if (std::system(rm.c_str()) != 0) ADD_FAILURE() << "cannot remove " << dir_;
}

bool MountTest::Mounted() const {
  std::ifstream in("/proc/mounts");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string source, target;
    fields >> source >> target;
    if (target == mnt_) return true;
  }
  return false;
}

void MountTest::Mount(const std::vector<std::string>& args) {
  ASSERT_EQ(daemon_, -1) << "already mounted";
  const pid_t parent = ::getpid();
  std::string log = dir_ + "/daemon.log";
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // If the test process dies, the daemon unmounts instead of lingering.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<std::string> argv_s = {"topicfs", "mount", "-f"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    argv_s.push_back(data_);
    argv_s.push_back(mnt_);
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string bin = TopicfsBinary();
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  daemon_ = pid;
  bool up = WaitUntil(
      [&] {
        int status;
        if (::waitpid(daemon_, &status, WNOHANG) == daemon_) {
          daemon_status_ = status;
          daemon_ = -1;
          return true;
        }
        struct statfs st;
        return ::statfs(mnt_.c_str(), &st) == 0 && static_cast<long>(st.f_type) == kFuseSuperMagic;
      },
      20);
  ASSERT_TRUE(up) << "mount did not answer within 20 s\n" << DaemonLog();
  ASSERT_NE(daemon_, -1) << "daemon exited while mounting\n" << DaemonLog();
}

void MountTest::KillDaemonAndDetach() {
  ASSERT_EQ(::kill(daemon_, SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] { return ::waitpid(daemon_, nullptr, WNOHANG) == daemon_; }, 20));
  daemon_ = -1;
  Out("fusermount3 -uz $M");
}

bool MountTest::WaitDaemon(int timeout_s) {
  if (daemon_ < 0) return true;
  bool done = WaitUntil(
      [&] {
        int status;
        pid_t r = ::waitpid(daemon_, &status, WNOHANG);
        if (r == daemon_) daemon_status_ = status;
        return r == daemon_ || (r < 0 && errno == ECHILD);
      },
      timeout_s);
  if (done) daemon_ = -1;
  return done;
}

bool MountTest::Unmount() {
  if (daemon_ < 0) return false;
  // EBUSY while a background reader still holds a file: retry briefly.
  bool unmounted = WaitUntil(
      [&] {
        std::string cmd = "fusermount3 -u '" + mnt_ + "' 2>/dev/null";
        return std::system(cmd.c_str()) == 0;
      },
      10);
  if (!unmounted) return false;
  if (!WaitDaemon(20)) return false;
  return WIFEXITED(daemon_status_) && WEXITSTATUS(daemon_status_) == 0;
}

void MountTest::ForceUnmount() {
  if (daemon_ >= 0 && !Unmount()) {
    ADD_FAILURE() << "clean unmount failed; forcing";
    std::string cmd = "fusermount3 -uz '" + mnt_ + "' 2>/dev/null";
    (void)std::system(cmd.c_str());
    if (daemon_ >= 0) {
      ::kill(daemon_, SIGTERM);
      if (!WaitDaemon(5)) {
        ::kill(daemon_, SIGKILL);
        WaitDaemon(5);
      }
    }
  }
  if (Mounted()) {
    std::string cmd = "fusermount3 -uz '" + mnt_ + "' 2>/dev/null";
    (void)std::system(cmd.c_str());
  }
  // A mount the test made elsewhere in its directory (a second store, one
  // that should have been refused): detached, and a failure.
  if (dir_.empty()) return;
  std::ifstream in("/proc/mounts");
  std::vector<std::string> stray;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string source, target;
    fields >> source >> target;
    if (target.starts_with(dir_ + "/") && target != mnt_) stray.push_back(target);
  }
  for (const std::string& target : stray) {
    ADD_FAILURE() << "mount " << target << " left behind";
    std::string cmd = "fusermount3 -u '" + target + "' 2>/dev/null || fusermount3 -uz '" + target +
                      "' 2>/dev/null";
    (void)std::system(cmd.c_str());
  }
}

ShellResult MountTest::Sh(const std::string& command, int timeout_s) {
  ShellResult result;
  int out_pipe[2], err_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) return result;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (::chdir(dir_.c_str()) != 0) ::_exit(126);
    ::setenv("M", mnt_.c_str(), 1);
    ::setenv("D", data_.c_str(), 1);
    ::setenv("T", TopicfsBinary().c_str(), 1);
    std::string limit = std::to_string(timeout_s);
    ::execl("/usr/bin/timeout", "timeout", "-k", "5", limit.c_str(), "/bin/sh", "-c",
            command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  // Read stderr on a thread so neither pipe can fill and block the child.
  std::string err;
  std::thread err_reader([&] { err = ReadFd(err_pipe[0]); });
  result.out = ReadFd(out_pipe[0]);
  err_reader.join();
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.err = std::move(err);
  return result;
}

std::string MountTest::Out(const std::string& command, int timeout_s) {
  ShellResult r = Sh(command, timeout_s);
  EXPECT_EQ(r.status, 0) << command << "\nstderr: " << r.err;
  return r.out;
}

void MountTest::MakeTopic(const std::string& name,
                          const std::vector<std::pair<std::string, std::string>>& config) {
  ASSERT_EQ(::mkdir(M(name).c_str(), 0755), 0) << name << ": " << std::strerror(errno);
  for (const auto& [key, value] : config) {
    ASSERT_EQ(SetXattrErrno(M(name), "user.topicfs." + key, value), 0) << key << "=" << value;
  }
}

std::string MountTest::Xattr(const std::string& path, const std::string& name) {
  char buf[65536 + 1];
  ssize_t n = ::getxattr(path.c_str(), name.c_str(), buf, sizeof buf);
  EXPECT_GE(n, 0) << path << " " << name << ": " << std::strerror(errno);
  return n < 0 ? std::string() : std::string(buf, n);
}

int MountTest::OpenErrno(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

int MountTest::GetXattrErrno(const std::string& path, const std::string& name) {
  char buf[65536 + 1];
  return ::getxattr(path.c_str(), name.c_str(), buf, sizeof buf) < 0 ? errno : 0;
}

int MountTest::SetXattrErrno(const std::string& path, const std::string& name,
                             const std::string& value) {
  return ::setxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0) != 0 ? errno : 0;
}

int MountTest::RemoveXattrErrno(const std::string& path, const std::string& name) {
  return ::removexattr(path.c_str(), name.c_str()) != 0 ? errno : 0;
}

std::string MountTest::ReadFile(const std::string& path) { return Slurp(path); }

void MountTest::WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), data.size());
}

std::vector<std::string> MountTest::List(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string MountTest::DaemonLog() { return Slurp(dir_ + "/daemon.log"); }

}  // namespace topicfs::e2e

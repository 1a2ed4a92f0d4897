// A store in use is reported as DESIGN §5 says, found by the lock on
// DATA/meta/LOCK rather than by /proc/mounts (issue 16 §5): a daemon whose
// mount this process cannot see is "mounted at MNT" (exit 2), any other
// holder "in use by process N" (exit 1), never RocksDB's "While lock file".
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/support/cli_runner.h"

namespace topicfs::cli_test {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool LockIsHeld(const std::string& data) {
  int fd = ::open((data + "/meta/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock fl = {};
  fl.l_type = F_RDLCK;
  bool held = ::fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

// Ends a child this test started: SIGTERM, then SIGKILL after 30 s.
void Stop(pid_t pid) {
  ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (::waitpid(pid, nullptr, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

class StoreLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::canonical(dir_.path()).string();
    data_ = root_ + "/data";
    RunResult r = RunTopicfs({"topic", "create", "--data", data_, "t"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override {
    if (holder_ > 0) Stop(holder_);
    KillAndDetachMountsUnder(root_);
  }
  // Every command that opens DATA gives the same one line.
  void ExpectRefused(int exit_code, const std::string& says) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"topic", "list", "--data", data_},
             {"consume", "--data", data_, "t", "--from-beginning"},
             {"produce", "--data", data_, "t"},
             {"verify", data_},
             {"recover", data_}}) {
      RunResult r = RunTopicfs(args, "x\n", 30);
      EXPECT_EQ(r.exit_code, exit_code) << args[0] << ": " << r.err;
      EXPECT_EQ(r.err_lines(), 1) << r.err;
      EXPECT_TRUE(Contains(r.err, says)) << args[0] << ": " << r.err;
      EXPECT_FALSE(Contains(r.err, "LOCK")) << r.err;
    }
  }

  TempDir dir_;
  std::string root_;
  std::string data_;
  pid_t holder_ = -1;
};

TEST_F(StoreLockTest, ADaemonThisProcessCannotSeeIsFoundByItsLock) {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse";
  if (std::system("unshare -m true 2>/dev/null") != 0) GTEST_SKIP() << "no unshare -m";
  std::string mnt = root_ + "/mnt";
  std::filesystem::create_directories(mnt);
  // The daemon mounts in its own mount namespace: /proc/mounts here never
  // lists it, as with a mount made under another name.
  holder_ = ::fork();
  if (holder_ == 0) {
    int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    ::execlp("unshare", "unshare", "-m", "--propagation", "private", TOPICFS_BIN, "mount", "-f",
             data_.c_str(), mnt.c_str(), nullptr);
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!LockIsHeld(data_) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(LockIsHeld(data_));
  ASSERT_FALSE(Contains(ReadFile("/proc/mounts"), mnt));
  ExpectRefused(2, data_ + " is mounted at " + mnt);
  std::filesystem::create_directories(root_ + "/mnt2");
  RunResult r = RunTopicfs({"mount", data_, root_ + "/mnt2"}, "", 30);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "is mounted at " + mnt)) << r.err;
  ASSERT_FALSE(IsMountPoint(root_ + "/mnt2"));
}

TEST_F(StoreLockTest, AnotherHolderIsNamedByItsProcess) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  holder_ = ::fork();
  if (holder_ == 0) {  // holds the lock as RocksDB would, then waits
    int fd = ::open((data_ + "/meta/LOCK").c_str(), O_RDWR);
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    char ok = ::fcntl(fd, F_SETLK, &fl) == 0 ? '1' : '0';
    (void)::write(ready[1], &ok, 1);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(ok, '1');
  ExpectRefused(1, data_ + " is in use by process " + std::to_string(holder_));
}

}  // namespace
}  // namespace topicfs::cli_test

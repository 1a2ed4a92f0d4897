// A GoogleTest fixture that mounts build/topicfs on a fresh temporary
// directory for each test, lets the test drive the mount with ordinary tools
// (through /bin/sh, with $M the mount point and $D the data directory), and
// always unmounts in TearDown: fusermount3 -u, then -uz and signals to the
// one daemon it started as a last resort. Every command runs under
// timeout(1), so a hung mount fails a test instead of stalling CI.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace topicfs::e2e {

// What a partition directory lists besides its segment files, sorted.
inline const std::vector<std::string> kPartitionEntries = {"current", "follow", "from", "groups",
                                                           "since"};

// The topicfs binary: $TOPICFS_BIN, else the one the build made.
std::string TopicfsBinary();

struct ShellResult {
  int status = -1;  // exit status, or 128+signal
  std::string out;  // stdout
  std::string err;  // stderr
};

class MountTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts `topicfs mount -f DATA MNT <args>` and waits until it answers.
  void Mount(const std::vector<std::string>& args = {});
  // fusermount3 -u and wait for the daemon; true when it exited with 0.
  bool Unmount();
  bool Mounted() const;
  // kill -9 of the daemon this test started, then the lazy unmount a user
  // does before mounting again.
  void KillDaemonAndDetach();
  // Reaps the daemon once it has exited (after an unmount the test ran
  // itself); false if it still runs after `timeout_s` seconds.
  bool WaitDaemon(int timeout_s);

  // Runs `command` with /bin/sh in the test directory; $M, $D and $T (the
  // topicfs binary) are set. Killed after `timeout_s` seconds.
  ShellResult Sh(const std::string& command, int timeout_s = 60);
  // Like Sh, but the command must succeed; returns its stdout.
  std::string Out(const std::string& command, int timeout_s = 60);

  std::string M(const std::string& rel = "") const { return Join(mnt_, rel); }
  std::string D(const std::string& rel = "") const { return Join(data_, rel); }
  std::string Dir(const std::string& rel = "") const { return Join(dir_, rel); }

  // mkdir of a topic with `config` set through setfattr (name -> value).
  void MakeTopic(const std::string& name,
                 const std::vector<std::pair<std::string, std::string>>& config = {});
  std::string Xattr(const std::string& path, const std::string& name);
  // errno of getxattr/setxattr/removexattr, 0 on success.
  int GetXattrErrno(const std::string& path, const std::string& name);
  int SetXattrErrno(const std::string& path, const std::string& name, const std::string& value);
  int RemoveXattrErrno(const std::string& path, const std::string& name);
  // errno of open(path, flags, 0644), 0 on success (then closed).
  int OpenErrno(const std::string& path, int flags);
  std::string ReadFile(const std::string& path);
  void WriteFile(const std::string& path, const std::string& data);
  // Names in a directory, sorted, without . and ..
  std::vector<std::string> List(const std::string& dir);
  // Polls `done` every 20 ms for up to `timeout_s` seconds.
  template <typename F>
  bool WaitFor(F done, int timeout_s = 20);
  std::string DaemonLog();

  std::string dir_, data_, mnt_;
  pid_t daemon_ = -1;
  int daemon_status_ = -1;

 private:
  static std::string Join(const std::string& a, const std::string& b) {
    return b.empty() ? a : a + "/" + b;
  }
  void ForceUnmount();
};

bool WaitUntil(const std::function<bool()>& done, int timeout_s);

template <typename F>
bool MountTest::WaitFor(F done, int timeout_s) {
  return WaitUntil(std::function<bool()>(done), timeout_s);
}

}  // namespace topicfs::e2e

// The daemon's life (DESIGN §4, §5): background mount and unmount, the form
// mount.fuse3 runs, SIGTERM, remounts keeping data, configs and xattrs, and
// the retention task.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class LifecycleTest : public MountTest {
 protected:
  bool CleanMarker() { return ::access(D("clean-shutdown").c_str(), F_OK) == 0; }
  // pid of a background daemon whose command line names our mount point.
  std::string BackgroundDaemonPid() {
    std::string pid = Out("pgrep -f -- \"mount -f --ready-fd [0-9]* .* $M\\$\" || true");
    while (!pid.empty() && pid.back() == '\n') pid.pop_back();
    return pid;
  }
  // Unmounts a background daemon even when the test failed half-way.
  void CleanUpBackground() {
    if (!Mounted()) return;
    Sh("$T unmount $M || fusermount3 -uz $M");
    std::string pid = BackgroundDaemonPid();
    if (!pid.empty()) Sh("kill " + pid);
  }
};

TEST_F(LifecycleTest, RemountKeepsRecordsConfigsXattrsAndOwners) {
  MakeTopic("app", {{"segment.bytes", "100"}, {"retention.ms", "7d"}});
  Out("seq 1 100 >> $M/app/0/current");
  ASSERT_EQ(SetXattrErrno(M("app"), "user.team", "payments"), 0);
  ASSERT_EQ(SetXattrErrno(M("app/0"), "user.note", "hot"), 0);
  std::string seg = List(M("app/0"))[1];
  ASSERT_EQ(SetXattrErrno(M("app/0/" + seg), "user.checked", "yes"), 0);
  ASSERT_EQ(::chmod(M("app/0").c_str(), 0750), 0);
  ASSERT_EQ(::chown(M("app").c_str(), 1234, 5678), 0);
  std::string listing = Out("ls -l --time-style=+ $M/app/0");
  ASSERT_TRUE(Unmount());
  EXPECT_TRUE(CleanMarker());
  EXPECT_FALSE(Mounted());
  Mount();
  EXPECT_EQ(Xattr(M("app"), "user.topicfs.segment.bytes"), "100");
  EXPECT_EQ(Xattr(M("app"), "user.topicfs.retention.ms"), "604800000");
  EXPECT_EQ(Xattr(M("app"), "user.team"), "payments");
  EXPECT_EQ(Xattr(M("app/0"), "user.note"), "hot");
  EXPECT_EQ(Xattr(M("app/0/" + seg), "user.checked"), "yes");
  EXPECT_EQ(Out("stat -c '%a %u %g' $M/app $M/app/0"), "755 1234 5678\n750 0 0\n");
  EXPECT_EQ(Out("ls -l --time-style=+ $M/app/0"), listing);
  EXPECT_EQ(Out("cat $M/app/0/from/0"), Out("seq 1 100"));
  Out("seq 101 110 >> $M/app/0/current");
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_end_offset"), "110");
}

TEST_F(LifecycleTest, SigtermUnmountsAndClosesCleanly) {
  MakeTopic("app");
  Out("seq 1 10 >> $M/app/0/current");
  ASSERT_EQ(::kill(daemon_, SIGTERM), 0);
  int status = 0;
  ASSERT_TRUE(WaitFor([&] { return ::waitpid(daemon_, &status, WNOHANG) == daemon_; }, 20));
  daemon_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(Mounted());
  EXPECT_TRUE(CleanMarker());
  Mount();
  EXPECT_EQ(ReadFile(M("app/0/from/0")), Out("seq 1 10"));
}

TEST_F(LifecycleTest, KillDashNineLosesNoAcknowledgedRecord) {
  MakeTopic("app", {{"segment.bytes", "4096"}});
  Out("seq 1 20000 >> $M/app/0/current && printf partial >> $M/app/0/current");
  ASSERT_EQ(::kill(daemon_, SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] { return ::waitpid(daemon_, nullptr, WNOHANG) == daemon_; }, 20));
  daemon_ = -1;
  struct stat st;
  EXPECT_EQ(::stat(M("app").c_str(), &st), -1);
  // Over FUSE-over-io_uring, a request caught in the ring's teardown ends
  // with ECONNABORTED or, when the kernel cancels the ring's commands first,
  // ECANCELED (seen once in CI): the mount is gone either way.
  EXPECT_TRUE(errno == ENOTCONN || errno == ECONNABORTED || errno == ECANCELED)
      << strerror(errno);
  Out("fusermount3 -uz $M");
  EXPECT_FALSE(CleanMarker());
  Mount();
  EXPECT_EQ(Out("cat $M/app/0/from/0"), Out("seq 1 20000; echo partial"));
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_end_offset"), "20001");
}

TEST_F(LifecycleTest, BackgroundMountReturnsOnceMountedAndUnmountWaits) {
  MakeTopic("app");
  Out("seq 1 10 >> $M/app/0/current");
  ASSERT_TRUE(Unmount());
  ShellResult r = Sh("$T mount $D $M --log " + Dir("bg.log"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(Mounted());
  EXPECT_EQ(Out("stat -f -c %t $M"), "65735546\n");
  std::string pid = BackgroundDaemonPid();
  EXPECT_FALSE(pid.empty()) << Out("ps -eo pid,args | grep topicfs");
  EXPECT_EQ(ReadFile(M("app/0/from/5")), "6\n7\n8\n9\n10\n");
  // A second mount of the same data is refused with where it is mounted.
  r = Sh("mkdir -p other && $T mount $D other");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(M()), std::string::npos) << r.err;
  r = Sh("$T unmount $M");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(Mounted());
  EXPECT_TRUE(CleanMarker());  // the daemon had exited when unmount returned
  if (!pid.empty()) {          // gone, or a zombie nobody has reaped yet
    EXPECT_EQ(Out("ps -o stat= -p " + pid + " | cut -c1 | grep -v Z || true"), "");
  }
  EXPECT_NE(ReadFile(Dir("bg.log")).find("store closed cleanly"), std::string::npos);
  CleanUpBackground();
}

// `unmount` runs fusermount3 without a shell: a mount point whose name
// holds a quote and spaces is unmounted like any other.
TEST_F(LifecycleTest, UnmountOfAMountPointWithAQuoteInItsName) {
  ASSERT_TRUE(Unmount());
  const std::string odd = Dir("it's a mnt");
  ASSERT_EQ(::mkdir(odd.c_str(), 0755), 0);
  ShellResult r = Sh("$T mount $D \"" + odd + "\" --log " + Dir("odd.log"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Out("stat -f -c %t \"" + odd + "\""), "65735546\n");
  r = Sh("$T unmount \"" + odd + "\"");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Out("stat -f -c %t \"" + odd + "\""), Out("stat -f -c %t " + Dir()));
  if (r.status != 0) (void)Sh("fusermount3 -uz \"" + odd + "\"");
  // Unmounted already: one line saying so, a usage error.
  r = Sh("$T unmount \"" + odd + "\"");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(odd + " is not a topicfs mount point"), std::string::npos) << r.err;
}

TEST_F(LifecycleTest, MountFuse3FormWithOptionsAndRetentionTask) {
  ASSERT_TRUE(Unmount());
  ShellResult r =
      Sh("$T $D $M -o retention.check.interval.ms=300,noatime,nodev --log " + Dir("bg.log"));
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(Mounted());
  EXPECT_NE(Out("grep \" $M \" /proc/mounts"), "");
  EXPECT_NE(Out("grep \" $M \" /proc/mounts").find("noatime"), std::string::npos);
  MakeTopic("app", {{"segment.bytes", "100"}, {"retention.bytes", "300"}});
  Out("seq 1 200 >> $M/app/0/current");
  // The retention task deletes the oldest segments down to retention.bytes,
  // and the kernel is told their names are gone.
  struct stat st;
  EXPECT_TRUE(WaitFor(
      [&] {
        return std::stoll(Xattr(M("app/0"), "user.topicfs.size_bytes")) <= 400 &&
               ::stat(M("app/0/00000000000000000000.log").c_str(), &st) == -1;
      },
      20));
  int64_t start = std::stoll(Xattr(M("app/0"), "user.topicfs.log_start_offset"));
  EXPECT_GT(start, 0);
  EXPECT_EQ(Out("cat $M/app/0/*.log | head -1"), std::to_string(start + 1) + "\n");
  EXPECT_NE(ReadFile(Dir("bg.log")).find("retention deleted app/0"), std::string::npos);
  r = Sh("$T unmount $M");
  EXPECT_EQ(r.status, 0) << r.err;
  CleanUpBackground();
}

TEST_F(LifecycleTest, MountFuse3HelperMountsLikeFstabWould) {
  ASSERT_TRUE(Unmount());
  // mount.fuse3 runs `topicfs DATA MNT -o OPTIONS` found on PATH.
  Out("mkdir -p bin && ln -sf $T bin/topicfs");
  ShellResult r =
      Sh("PATH=$PWD/bin:$PATH mount.fuse3 \"topicfs#$D\" $M "
         "-o defaults,_netdev,retention.check.interval.ms=60000,noatime");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(Mounted());
  MakeTopic("app");
  Out("seq 3 >> $M/app/0/current");
  EXPECT_EQ(ReadFile(M("app/0/from/1")), "2\n3\n");
  r = Sh("$T unmount $M");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(CleanMarker());
  CleanUpBackground();
}

TEST_F(LifecycleTest, AllowOtherLetsTheKernelEnforceModes) {
  MakeTopic("app");
  Out("seq 3 >> $M/app/0/current");
  ASSERT_EQ(::chmod(M("app/0").c_str(), 0700), 0);
  ASSERT_TRUE(Unmount());
  ASSERT_EQ(::chmod(Dir().c_str(), 0755), 0);  // mkdtemp made it 0700
  Mount({"--allow-other"});
  std::string line = Out("grep \" $M \" /proc/mounts");
  EXPECT_NE(line.find("allow_other"), std::string::npos) << line;
  EXPECT_NE(line.find("default_permissions"), std::string::npos) << line;
  const std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  ShellResult r = Sh(as_nobody + "cat $M/app/0/from/0");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  ASSERT_EQ(::chmod(M("app/0").c_str(), 0755), 0);
  EXPECT_EQ(Out(as_nobody + "cat $M/app/0/from/1"), "2\n3\n");
  r = Sh(as_nobody + "sh -c 'echo 4 >> $M/app/0/current'");
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  ASSERT_EQ(::chmod(M("app/0").c_str(), 0777), 0);
  Out(as_nobody + "sh -c 'echo 4 >> $M/app/0/current'");
  EXPECT_EQ(ReadFile(M("app/0/from/3")), "4\n");
}

TEST_F(LifecycleTest, BadMountOptionIsAUsageError) {
  ASSERT_TRUE(Unmount());
  ShellResult r = Sh("$T mount $D $M -o retention.check.interval.ms=soon");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("retention.check.interval.ms"), std::string::npos) << r.err;
  r = Sh("$T mount $D $M -o no_such_fuse_option");
  EXPECT_EQ(r.status, 1);
  EXPECT_FALSE(Mounted());
  CleanUpBackground();
}

}  // namespace
}  // namespace topicfs::e2e

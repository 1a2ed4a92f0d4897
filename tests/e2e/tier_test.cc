// Tiered storage through a real mount (DESIGN §9), over a directory tier:
// sealed segments move to the tier and leave the local disk while `cat`,
// from/<N> and since/<T> read every byte; the daemon killed at each step of
// a copy loses nothing and leaves nothing unknown in the tier; a tier that
// goes away fails remote reads with EIO while everything local goes on.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class TierTest : public MountTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    Out("mkdir -p " + Bucket());
    ASSERT_TRUE(Unmount());  // each test mounts with the tier
  }
  std::string Bucket() const { return Dir("bucket"); }
  void MountTiered() {
    Mount({"-o", "tier=file://" + Bucket() + ",retention.check.interval.ms=200"});
  }
  // 64 KiB segments of which 128 KiB stay local.
  void MakeTieredTopic() {
    MakeTopic("logs", {{"segment.bytes", "65536"},
                       {"remote.storage.enable", "true"},
                       {"local.retention.bytes", "131072"}});
  }
  // 100000 numbered lines, ~1 MiB: 16 segments.
  static constexpr const char* kLines = "seq 1 100000 | sed 's/^/line /'";
  void WriteLines() { Out(std::string(kLines) + " >> $M/logs/0/current"); }
  int64_t Fact(const std::string& name) {
    return std::stoll(Xattr(M("logs/0"), "user.topicfs." + name));
  }
  // True once every sealed segment is in the tier and local retention ran.
  bool Settled() {
    return Out("ls " + D("topics/logs/0") + " | grep -c '\\.log$' || true") == "3\n" &&
           Fact("local_log_start_offset") > 0;
  }
  std::string Expected() { return Out(std::string(kLines) + " | md5sum"); }
  int64_t Objects(const std::string& suffix) {
    return std::stoll(Out("find " + Bucket() + " -name '*" + suffix + "' | wc -l"));
  }
};

TEST_F(TierTest, OldSegmentsLeaveTheDiskAndEveryByteStaysReadable) {
  MountTiered();
  MakeTieredTopic();
  WriteLines();
  ASSERT_TRUE(WaitFor([&] { return Settled(); }, 30)) << DaemonLog();
  const std::string all = Expected();
  // Every segment is still listed, read through the tier where needed.
  EXPECT_EQ(Out("cat $M/logs/0/*.log | md5sum"), all);
  EXPECT_EQ(Out("cat $M/logs/0/from/0 | md5sum"), all);
  EXPECT_EQ(Out("cat $M/logs/0/since/0 | md5sum"), all);
  EXPECT_EQ(Out("head -n 1 $M/logs/0/from/5000"), "line 5001\n");
  EXPECT_EQ(Fact("log_start_offset"), 0);
  const std::string first = M("logs/0/00000000000000000000.log");
  EXPECT_EQ(Xattr(first, "user.topicfs.tier"), "remote");
  EXPECT_EQ(Out("stat -c %A " + first), "-r--r--r--\n");  // the topic is 0755
  EXPECT_EQ(OpenErrno(first, O_WRONLY | O_APPEND), EPERM);
  EXPECT_EQ(Out("wc -c < " + first),
            Out("cat " + Bucket() + "/logs-*/0/00000000000000000000.log | wc -c"));
  // The tier holds the same records as DATA, kept as DATA keeps them
  // (DESIGN §3): directories 0700, objects 0600.
  EXPECT_EQ(Out("find " + Bucket() + " -mindepth 1 -type d ! -perm 700"), "");
  EXPECT_EQ(Out("find " + Bucket() + " -type f ! -perm 600"), "");
  // Its indexes too, fetched from the tier.
  EXPECT_EQ(Out("cat $M/logs/0/00000000000000000000.index | md5sum"),
            Out("cat " + Bucket() + "/logs-*/0/00000000000000000000.index | md5sum"));
  EXPECT_EQ(Out("$T verify $M"), "no problems in mount " + M() + "\n");
  // And after a restart.
  ASSERT_TRUE(Unmount());
  MountTiered();
  EXPECT_EQ(Out("cat $M/logs/0/from/0 | md5sum"), all);
  EXPECT_EQ(Xattr(first, "user.topicfs.tier"), "remote");
}

// kill -9 right after each step of a copy: the next mount copies again
// what was cut short, and the tier holds exactly the catalog's segments.
TEST_F(TierTest, KillDuringACopyAtEachStepLosesNothingAndLeavesNoStrayObject) {
  for (const char* step : {"copy-started", "log-copied", "manifest-copied", "copy-finished"}) {
    SCOPED_TRACE(step);
    Out("rm -rf $D " + Bucket() + " && mkdir -p " + Bucket());
    ::setenv("TOPICFS_TEST_TIER_CRASH_AT", step, 1);
    MountTiered();
    ::unsetenv("TOPICFS_TEST_TIER_CRASH_AT");
    MakeTieredTopic();
    ShellResult wrote = Sh(std::string(kLines) + " >> $M/logs/0/current");
    ASSERT_TRUE(WaitDaemon(30)) << "the daemon did not die at " << step;
    Out("fusermount3 -uz $M");
    MountTiered();
    // What the writer was told was written is there, once, in order.
    if (wrote.status == 0) {
      EXPECT_EQ(Out("cat $M/logs/0/from/0 | md5sum"), Expected());
    }
    EXPECT_EQ(Out("cat $M/logs/0/from/0 | awk '$2 != NR' | head -3"), "");
    ASSERT_GE(Fact("segment_count"), 2);
    // Every sealed segment ends up copied once, and nothing else is there.
    ASSERT_TRUE(WaitFor([&] { return Objects(".manifest") == Fact("segment_count") - 1; }, 30))
        << DaemonLog();
    EXPECT_EQ(Objects(".log"), Fact("segment_count") - 1);
    EXPECT_EQ(Out("find " + Bucket() + " -name '*.tmp-*' | wc -l"), "0\n");
    EXPECT_EQ(Out("cat $M/logs/0/from/0 | md5sum"), Out("cat $M/logs/0/*.log | md5sum"));
    ASSERT_TRUE(Unmount());
  }
}

TEST_F(TierTest, TierStatusShowsTheRangesAndPauseStopsCopies) {
  MountTiered();
  MakeTieredTopic();
  Out("$T tier pause $M/logs");
  WriteLines();
  ::usleep(1500 * 1000);  // more than a tick of the tier thread
  EXPECT_EQ(Objects(".log"), 0);
  const std::string paused = Out("$T tier status $M/logs");
  EXPECT_NE(paused.find(", paused"), std::string::npos) << paused;
  const int64_t sealed = Fact("segment_count") - 1;
  EXPECT_EQ(Fact("tier_pending_copies"), sealed);
  EXPECT_NE(paused.find("pending " + std::to_string(sealed) + " copies"), std::string::npos)
      << paused;
  Out("$T tier resume $M/logs");
  ASSERT_TRUE(WaitFor([&] { return Settled(); }, 30)) << DaemonLog();
  const int64_t local = Fact("local_log_start_offset");
  EXPECT_EQ(Out("$T tier status $M/logs"),
            M("logs/0") + ": remote [0, " + std::to_string(local) + ") " +
                    std::to_string(Fact("remote_size_bytes")) + " bytes, local [" +
                    std::to_string(local) + ", 100000) " +
                    std::to_string(Fact("local_size_bytes")) +
                    " bytes, pending 0 copies 0 deletions\n");
  const std::string json = Out("$T tier status $M --json");
  EXPECT_NE(json.find("\"local_log_start_offset\":" + std::to_string(local)), std::string::npos);
}

TEST_F(TierTest, ATierThatGoesAwayFailsRemoteReadsWithEioAndLocalWorkGoesOn) {
  MountTiered();
  MakeTieredTopic();
  WriteLines();
  ASSERT_TRUE(WaitFor([&] { return Settled(); }, 30)) << DaemonLog();
  ASSERT_TRUE(Unmount());  // a fresh cache: remote reads must reach the tier
  MountTiered();
  Out("mv " + Bucket() + " " + Bucket() + ".away");
  ShellResult remote = Sh("cat $M/logs/0/00000000000000000000.log > /dev/null");
  EXPECT_NE(remote.status, 0);
  EXPECT_NE(remote.err.find("Input/output error"), std::string::npos) << remote.err;
  Out("echo after >> $M/logs/0/current");
  const int64_t local = Fact("local_log_start_offset");
  EXPECT_EQ(Out("tail -n 1 $M/logs/0/from/" + std::to_string(local)), "after\n");
  EXPECT_NE(DaemonLog().find("remote tier"), std::string::npos);
  Out("mv " + Bucket() + ".away " + Bucket());
  EXPECT_EQ(Out("head -n 1 $M/logs/0/00000000000000000000.log"), "line 1\n");
  EXPECT_EQ(Out("$T verify $M"), "no problems in mount " + M() + "\n");
}

}  // namespace
}  // namespace topicfs::e2e

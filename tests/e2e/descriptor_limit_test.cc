// DESIGN §3: every store the daemon wrote can be opened again, whatever its
// shape. Under a descriptor limit of 256 (as `prlimit --nofile=256:256`
// sets it: the daemon inherits this test's limit, the CLI is run through
// prlimit), 400 one-partition topics are made through the mount, then
// mounted again, recovered after kill -9, listed and verified offline, and
// every record is there. A failed mkdir leaves no topic.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

constexpr int kTopics = 400;
constexpr rlim_t kLimit = 256;

class DescriptorLimitTest : public MountTest {
 protected:
  void SetUp() override {
    // This test runs in a process of its own (gtest_discover_tests): the
    // daemon the fixture starts inherits the limit.
    struct rlimit limit = {kLimit, kLimit};
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
    MountTest::SetUp();
  }
  // The daemon's open descriptors, and its limit as the kernel has it.
  int DaemonDescriptors() { return std::stoi(Out("ls /proc/" + Pid() + "/fd | wc -l")); }
  std::string DaemonLimit() {
    return Out("awk '/Max open files/ {print $4 \" \" $5}' /proc/" + Pid() + "/limits");
  }
  std::string Pid() const { return std::to_string(daemon_); }
  // Every topic's records, through the mount, in one line per record.
  std::string AllRecords() {
    return Out("for i in $(seq 1 " + std::to_string(kTopics) +
               "); do cat $M/t$i/0/00000000000000000000.log || exit 1; done | md5sum");
  }
  void KillDaemonAndDetach() {
    ASSERT_EQ(::kill(daemon_, SIGKILL), 0);
    ASSERT_TRUE(WaitFor([&] { return ::waitpid(daemon_, nullptr, WNOHANG) == daemon_; }, 20));
    daemon_ = -1;
    Out("fusermount3 -uz $M");
  }
  // A CLI command on the unmounted data directory, under the same limit.
  ShellResult Offline(const std::string& args) {
    return Sh("prlimit --nofile=" + std::to_string(kLimit) + ":" + std::to_string(kLimit) + " $T " +
              args);
  }
};

TEST_F(DescriptorLimitTest, FourHundredTopicsMountRecoverListAndVerifyUnder256Descriptors) {
  EXPECT_EQ(DaemonLimit(), "256 256\n");
  // Two records per topic: one append each, and the mkdir of every topic.
  ShellResult made = Sh("for i in $(seq 1 " + std::to_string(kTopics) +
                        "); do mkdir $M/t$i && printf 'rec-%s-a\\nrec-%s-b\\n' $i $i >> "
                        "$M/t$i/0/current || exit 1; done");
  ASSERT_EQ(made.status, 0) << made.err;
  const std::string want = Out("for i in $(seq 1 " + std::to_string(kTopics) +
                               "); do printf 'rec-%s-a\\nrec-%s-b\\n' $i $i; done | md5sum");
  EXPECT_EQ(AllRecords(), want);
  // The default max.open.files under a limit of 256 is 128; RocksDB, FUSE
  // and the daemon's own files take a few dozen more.
  EXPECT_LE(DaemonDescriptors(), 128 + 64);

  ASSERT_TRUE(Unmount());
  Mount();
  EXPECT_EQ(Out("ls $M | wc -l"), std::to_string(kTopics) + "\n");
  EXPECT_EQ(AllRecords(), want);
  Out("printf 'after-remount\\n' >> $M/t7/0/current");

  KillDaemonAndDetach();
  Mount();  // recovers every partition
  EXPECT_NE(DaemonLog().find("recovered"), std::string::npos);
  EXPECT_EQ(Out("tail -n 1 $M/t7/0/00000000000000000000.log"), "after-remount\n");
  EXPECT_LE(DaemonDescriptors(), 128 + 64);
  ASSERT_TRUE(Unmount());

  ShellResult listed = Offline("topic list --data $D");
  ASSERT_EQ(listed.status, 0) << listed.err;
  EXPECT_EQ(std::count(listed.out.begin(), listed.out.end(), '\n'), kTopics) << listed.out;
  ShellResult verified = Offline("verify --data $D");
  EXPECT_EQ(verified.status, 0) << verified.out << verified.err;
  ShellResult consumed = Offline("consume --data $D t400 --from-beginning");
  EXPECT_EQ(consumed.status, 0) << consumed.err;
  EXPECT_EQ(consumed.out, "rec-400-a\nrec-400-b\n");
  Mount();
}

// The mkdir fails half way (its partition directory cannot be made): no
// topic is left in the mount, in the catalog or on disk, now or after a
// remount.
TEST_F(DescriptorLimitTest, AFailedMkdirLeavesNoTopic) {
  Out("touch $D/topics/bad");  // where the topic's directory would go
  ShellResult mkdir = Sh("mkdir $M/bad");
  EXPECT_NE(mkdir.status, 0);
  EXPECT_EQ(Sh("test -e $M/bad").status, 1);
  EXPECT_EQ(Sh("test -e $D/topics/bad").status, 1);
  ASSERT_TRUE(Unmount());
  Mount();
  EXPECT_EQ(Out("ls $M"), "");
  Out("mkdir $M/bad && echo ok >> $M/bad/0/current");
  EXPECT_EQ(ReadFile(M("bad/0/current")), "ok\n");
}

}  // namespace
}  // namespace topicfs::e2e

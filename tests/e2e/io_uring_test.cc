// The mount over FUSE-over-io_uring (fusefs/kernel/fuse_ring.h). The kernel offers
// it only while /sys/module/fuse/parameters/enable_uring is Y when mounting;
// these tests turn the switch on and restore it, then drive the mount with
// the same tools as everywhere else. scripts/test.sh also runs the whole
// end-to-end suite a second time with the switch on.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

constexpr char kSwitch[] = "/sys/module/fuse/parameters/enable_uring";

class IoUringTest : public MountTest {
 protected:
  void SetUp() override {
    std::ifstream in(kSwitch);
    has_switch_ = static_cast<bool>(in >> saved_);
    if (has_switch_) std::ofstream(kSwitch) << "Y";
    MountTest::SetUp();
  }
  void TearDown() override {
    MountTest::TearDown();
    if (has_switch_) std::ofstream(kSwitch) << saved_;
  }
  // The daemon says at mount which transport the kernel agreed to, just
  // after its INIT reply: the line may trail the mount by a moment.
  void ExpectRingOrSayWhyNot() {
    const std::string expected = has_switch_ ? "io_uring: on" : "io_uring: not offered";
    EXPECT_TRUE(WaitFor([&] { return DaemonLog().find(expected) != std::string::npos; }, 10))
        << DaemonLog();
  }
  // At a clean stop the daemon logs how many requests came over the rings.
  long RequestsServedOverTheRings() {
    std::string log = DaemonLog();
    size_t at = log.rfind(" requests served over the rings");
    if (at == std::string::npos) return -1;
    size_t start = log.rfind(": ", at);
    return std::stol(log.substr(start + 2, at - start - 2));
  }

  bool has_switch_ = false;
  std::string saved_;
};

TEST_F(IoUringTest, AppendsReadsLookupsAndXattrsGoOverTheRings) {
  ExpectRingOrSayWhyNot();
  MakeTopic("app", {{"segment.bytes", "16384"}});
  Out("for i in $(seq 1 300); do echo \"line $i\" >> $M/app/0/current; done");
  Out("seq 301 20000 | sed 's/^/line /' >> $M/app/0/current");
  Out("printf 'line 20001' >> $M/app/0/current");
  const std::string expected = Out("seq 1 20001 | sed 's/^/line /'");
  EXPECT_EQ(Out("cat $M/app/0/from/0"), expected);
  EXPECT_EQ(Out("cat $M/app/0/from/19999"), "line 20000\nline 20001\n");
  EXPECT_EQ(Out("cat $M/app/0/*.log | wc -l"), "20001\n");
  EXPECT_EQ(Out("tail -n 1 $M/app/0/current"), "line 20001\n");
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_end_offset"), "20001");
  EXPECT_EQ(SetXattrErrno(M("app"), "user.topicfs.retention.ms", "1d"), 0);
  EXPECT_EQ(Xattr(M("app"), "user.topicfs.retention.ms"), "86400000");
  // A refused write is refused the same way.
  EXPECT_NE(Sh("echo x > $M/app/0/current").status, 0);
  ASSERT_TRUE(Unmount());
  if (has_switch_) {
    EXPECT_GT(RequestsServedOverTheRings(), 20000 / 1000 + 300 * 4);
  }
  Mount();
  EXPECT_EQ(Out("cat $M/app/0/from/0"), expected);
}

TEST_F(IoUringTest, SigtermEndsTheRingThreadsAndClosesCleanly) {
  ExpectRingOrSayWhyNot();
  MakeTopic("app");
  Out("seq 1 1000 >> $M/app/0/current");
  ASSERT_EQ(::kill(daemon_, SIGTERM), 0);
  int status = -1;
  ASSERT_TRUE(WaitFor([&] { return ::waitpid(daemon_, &status, WNOHANG) == daemon_; }, 20));
  daemon_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(DaemonLog().find("store closed cleanly"), std::string::npos);
  Mount();
  EXPECT_EQ(Out("cat $M/app/0/from/0"), Out("seq 1 1000"));
}

}  // namespace
}  // namespace topicfs::e2e

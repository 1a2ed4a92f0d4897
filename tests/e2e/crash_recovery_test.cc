// Recovery after an unclean stop, through the mount (DESIGN §4, issue 17 §1):
// after kill -9 of the daemon in the same kernel boot every acknowledged
// byte is kept, NUL runs inside records included; after a new boot (the
// stored boot id rewritten while unmounted) a zero-filled unflushed tail is
// cut at the first sign of loss.
#include <signal.h>
#include <sys/wait.h>

#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class CrashRecoveryTest : public MountTest {
 protected:
  std::string LogEnd(const std::string& partition) {
    return Xattr(M(partition), "user.topicfs.log_end_offset");
  }
};

TEST_F(CrashRecoveryTest, KillDashNineKeepsRecordsHoldingNulBytes) {
  ASSERT_EQ(Sh("mkdir $M/n").status, 0);
  Out("printf 'a\\n' >> $M/n/0/current");
  Out("printf 'b\\0\\0\\0\\0\\0\\0\\0\\0c\\n' >> $M/n/0/current");
  Out("printf 'd\\ne\\n' >> $M/n/0/current");
  const std::string expected("a\nb\0\0\0\0\0\0\0\0c\nd\ne\n", 17);
  ASSERT_EQ(LogEnd("n/0"), "4");
  KillDaemonAndDetach();
  Mount();
  EXPECT_EQ(ReadFile(M("n/0/from/0")), expected);
  EXPECT_EQ(LogEnd("n/0"), "4");
  EXPECT_EQ(ReadFile(M("n/0/from/2")), "d\ne\n");
  EXPECT_NE(DaemonLog().find("same boot"), std::string::npos) << DaemonLog();
  EXPECT_EQ(DaemonLog().find("recovery: "), std::string::npos) << DaemonLog();
}

// Power loss as ext4's delayed allocation leaves it: the file keeps its
// size, the blocks that never reached the disk read as zeros.
TEST_F(CrashRecoveryTest, NewBootCutsAZeroFilledUnflushedTail) {
  ASSERT_EQ(Sh("mkdir $M/z").status, 0);
  Out("seq 1000 1999 >> $M/z/0/current");  // 1,000 records of 5 bytes
  ASSERT_EQ(LogEnd("z/0"), "1000");
  KillDaemonAndDetach();
  const std::string log = D("topics/z/0/00000000000000000000.log");
  ASSERT_EQ(Out("stat -c %s " + log), "5000\n");
  // Zeros from inside record 600 (byte 3002) to the end, as after a new boot.
  Out("dd if=/dev/zero of=" + log + " bs=1 seek=3002 count=1998 conv=notrunc status=none");
  Out("printf 'a-boot-before-a-power-loss\\n' > $D/boot-id");
  Mount();
  EXPECT_EQ(LogEnd("z/0"), "600");
  EXPECT_EQ(ReadFile(M("z/0/from/0")), Out("seq 1000 1599"));
  EXPECT_EQ(Out("stat -c %s " + log), "3000\n");
  EXPECT_NE(DaemonLog().find("new boot"), std::string::npos) << DaemonLog();
  // The store now belongs to this boot again.
  EXPECT_EQ(Out("cat $D/boot-id"), Out("cat /proc/sys/kernel/random/boot_id"));
  Out("printf 'after\\n' >> $M/z/0/current");
  EXPECT_EQ(LogEnd("z/0"), "601");
}

}  // namespace
}  // namespace topicfs::e2e

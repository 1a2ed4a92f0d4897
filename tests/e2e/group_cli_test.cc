// `topicfs group` and `topicfs consume --group [--exec]` (DESIGN §7), over a
// live mount and over --data, with the columns of kafka-consumer-groups.sh.
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class GroupCliTest : public MountTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    Out("$T topic create $M/t --partitions 2");
    Out("seq 1 5 >> $M/t/0/current; seq 6 8 >> $M/t/1/current");
  }
};

TEST_F(GroupCliTest, ConsumeWithAGroupHandsEachRecordOutOnce) {
  EXPECT_EQ(Out("$T consume $M/t --group g -n 3"), "1\n2\n3\n");
  EXPECT_EQ(Out("$T consume $M/t --group g"), "4\n5\n6\n7\n8\n");
  EXPECT_EQ(Out("$T consume $M/t --group g"), "");
  Out("echo 9 >> $M/t/1/current");
  EXPECT_EQ(Out("$T consume $M/t --group g -p 1"), "9\n");
  EXPECT_EQ(Out("$T group describe $M/t g"),
            "GROUP  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG\n"
            "g      0          5               5               0\n"
            "g      1          4               4               0\n");
}

TEST_F(GroupCliTest, ExecCommitsOnlyWhenTheCommandSucceeds) {
  ShellResult failed = Sh("$T consume $M/t --group g -p 0 --exec 'cat > seen; exit 3'");
  EXPECT_NE(failed.status, 0);
  EXPECT_NE(failed.err.find("exited with 3"), std::string::npos) << failed.err;
  EXPECT_EQ(ReadFile(Dir("seen")), "1\n2\n3\n4\n5\n");
  EXPECT_EQ(GetXattrErrno(M("t/0/groups/g"), "user.topicfs.committed_offset"), ENODATA);
  EXPECT_EQ(Out("$T consume $M/t --group g -p 0 --exec 'cat > seen2'"), "");
  EXPECT_EQ(ReadFile(Dir("seen2")), "1\n2\n3\n4\n5\n");
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.committed_offset"), "5");
  // Nothing new: the command is not run.
  Out("$T consume $M/t --group g -p 0 --exec 'echo ran > ran'");
  EXPECT_NE(Sh("test -e ran").status, 0);
}

TEST_F(GroupCliTest, ListDescribeAndJson) {
  Out("$T consume $M/t --group billing -n 2 > /dev/null");
  Out("$T consume $M/t --group audit -p 1 > /dev/null");
  EXPECT_EQ(Out("$T group list $M"), "audit\nbilling\n");
  EXPECT_EQ(Out("$T group list $M/t --json"), "[\"audit\",\"billing\"]\n");
  EXPECT_EQ(Out("$T group describe $M/t --json"),
            "[{\"group\":\"audit\",\"topic\":\"t\",\"partition\":1,\"current_offset\":3,"
            "\"log_end_offset\":3,\"lag\":0},"
            "{\"group\":\"billing\",\"topic\":\"t\",\"partition\":0,\"current_offset\":2,"
            "\"log_end_offset\":5,\"lag\":3}]\n");
  EXPECT_NE(Sh("$T group describe $M/t nosuch").status, 0);
}

TEST_F(GroupCliTest, ResetToOffsetTimeEarliestLatestAndShift) {
  Out("$T consume $M/t --group g > /dev/null");
  EXPECT_EQ(Out("$T group reset $M/t g --to-earliest --dry-run"),
            "GROUP  PARTITION  NEW-OFFSET      LOG-END-OFFSET  LAG\n"
            "g      0          0               5               5\n"
            "g      1          0               3               3\n");
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.committed_offset"), "5");  // dry run
  Out("$T group reset $M/t g --to-earliest");
  EXPECT_EQ(Out("$T consume $M/t --group g -p 1"), "6\n7\n8\n");
  // From 0: clamped at the log start, as kafka-consumer-groups.sh does, and said.
  ShellResult shifted = Sh("$T group reset $M/t g --shift-by -2 -p 0");
  EXPECT_EQ(shifted.status, 0);
  EXPECT_EQ(shifted.err, "topicfs: offset -2 is before the log start of t-0: reset to 0\n");
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.committed_offset"), "0");
  ShellResult past = Sh("$T group reset $M/t g --to-offset 9999 -p 1");
  EXPECT_EQ(past.status, 0);
  EXPECT_EQ(past.err, "topicfs: offset 9999 is past the log end of t-1: reset to 3\n");
  EXPECT_EQ(Xattr(M("t/1/groups/g"), "user.topicfs.committed_offset"), "3");
  Out("$T group reset $M/t g --to-earliest -p 1");
  Out("$T group reset $M/t g --to-offset 3 -p 0");
  EXPECT_EQ(Out("$T consume $M/t --group g -p 0"), "4\n5\n");
  Out("$T group reset $M/t g --shift-by -1 -p 0");
  EXPECT_EQ(Out("$T consume $M/t --group g -p 0"), "5\n");
  Out("$T group reset $M/t g --to-latest");
  EXPECT_EQ(Out("$T consume $M/t --group g"), "");
  // A time after every record: the log end; before them: the log start.
  Out("$T group reset $M/t g --to-time 1970-01-02T00:00:00Z");
  EXPECT_EQ(Out("$T consume $M/t --group g -p 1"), "6\n7\n8\n");
  EXPECT_NE(Sh("$T group reset $M/t g").status, 0);  // no target given
}

TEST_F(GroupCliTest, DeleteForgetsAndBusyGroupsAreRefused) {
  Out("$T consume $M/t --group g > /dev/null");
  ShellResult busy = Sh("exec 3< $M/t/0/groups/g; $T consume $M/t --group g -p 0");
  EXPECT_NE(busy.status, 0);
  EXPECT_NE(busy.err.find("busy"), std::string::npos) << busy.err;
  Out("$T group delete $M/t g");
  EXPECT_EQ(Out("$T group list $M"), "");
  EXPECT_NE(Sh("$T group delete $M/t g").status, 0);
}

TEST_F(GroupCliTest, TheSameGroupsOverDataWhenUnmounted) {
  Out("$T consume $M/t --group g -n 2 > /dev/null");
  ASSERT_TRUE(Unmount());
  EXPECT_EQ(Out("$T group list --data $D"), "g\n");
  EXPECT_EQ(Out("$T consume --data $D t --group g -p 0"), "3\n4\n5\n");
  Out("$T group reset --data $D t g --to-offset 1 -p 0");
  EXPECT_EQ(Out("$T group describe --data $D t g"),
            "GROUP  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG\n"
            "g      0          1               5               4\n");
  Mount();
  EXPECT_EQ(Out("cat $M/t/0/groups/g"), "2\n3\n4\n5\n");
}

}  // namespace
}  // namespace topicfs::e2e

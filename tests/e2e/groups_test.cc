// groups/<g> (DESIGN §7) driven with cat, wc, setfattr, getfattr, ls and rm:
// every record handed to a group once across sequential readers while
// writers append; EBUSY for a second open; commits that survive kill -9;
// resets through user.topicfs.committed_offset; lag; forgetting a group.
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "tests/support/background_process.h"
#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

using GroupsTest = MountTest;

TEST_F(GroupsTest, EveryRecordIsHandedOutOnceAcrossReadersWhileWritersAppend) {
  MakeTopic("t");
  // Two writers append 2,000 records each while readers of one group come
  // and go; what the readers got, put together, is every record once.
  BackgroundProcess w1, w2;
  ASSERT_TRUE(w1.Start({"sh", "-c", "for i in $(seq 1 2000); do echo a$i; done >> " + M("t/0/current")},
                       Dir(), Dir("w1.out"), Dir("w1.err")));
  ASSERT_TRUE(w2.Start({"sh", "-c", "for i in $(seq 1 2000); do echo b$i >> " + M("t/0/current") + "; done"},
                       Dir(), Dir("w2.out"), Dir("w2.err")));
  Out("for i in $(seq 1 40); do cat $M/t/0/groups/g >> got; done");
  ASSERT_TRUE(w1.Wait(60).has_value());
  ASSERT_TRUE(w2.Wait(60).has_value());
  Out("cat $M/t/0/groups/g >> got");
  EXPECT_EQ(Out("wc -l < got"), "4000\n");
  EXPECT_EQ(Out("sort got | uniq -d | wc -l"), "0\n");
  EXPECT_EQ(Out("grep -c '^a' got"), "2000\n");
  // a's in order, b's in order.
  EXPECT_EQ(Out("grep '^a' got | sed s/a// | sort -n -c && echo sorted"), "sorted\n");
  EXPECT_EQ(Out("grep '^b' got | sed s/b// | sort -n -c && echo sorted"), "sorted\n");
  EXPECT_EQ(Out("cat $M/t/0/groups/g | wc -l"), "0\n");
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.committed_offset"), "4000");
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.lag"), "0");
}

TEST_F(GroupsTest, ASecondOpenOfTheSameGroupAndPartitionIsEbusy) {
  Out("$T topic create $M/t --partitions 2");
  Out("echo a >> $M/t/0/current");
  // O_CLOEXEC: a copy of the descriptor in a child the test runs would
  // close, and the close() of any copy commits and lets the group go.
  int first = ::open(M("t/0/groups/g").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(first, 0);
  EXPECT_EQ(::open(M("t/0/groups/g").c_str(), O_RDONLY | O_CLOEXEC), -1);
  EXPECT_EQ(errno, EBUSY);
  // Another group, or the same group on another partition, is free.
  int other = ::open(M("t/0/groups/h").c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(other, 0);
  int p1 = ::open(M("t/1/groups/g").c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(p1, 0);
  EXPECT_NE(Sh("cat $M/t/0/groups/g").status, 0);
  EXPECT_EQ(SetXattrErrno(M("t/0/groups/g"), "user.topicfs.committed_offset", "0"), EBUSY);
  EXPECT_EQ(Sh("rm $M/t/0/groups/g").status, 1);
  ::close(other);
  ::close(p1);
  ::close(first);
  // A handle that returned nothing committed nothing; the group is free.
  EXPECT_EQ(GetXattrErrno(M("t/0/groups/g"), "user.topicfs.committed_offset"), ENODATA);
  EXPECT_EQ(Out("cat $M/t/0/groups/g"), "a\n");
  EXPECT_EQ(Out("ls $M/t/0/groups"), "g\n");
}

TEST_F(GroupsTest, OnlyWholeRecordsAreCommitted) {
  MakeTopic("t");
  Out("printf 'abcdef\\nghijkl\\n' >> $M/t/0/current");
  // 5 bytes: not a whole record, nothing committed.
  EXPECT_EQ(Out("dd if=$M/t/0/groups/g bs=5 count=1 status=none"), "abcde");
  EXPECT_EQ(GetXattrErrno(M("t/0/groups/g"), "user.topicfs.committed_offset"), ENODATA);
  // 10 bytes: one whole record and part of the next.
  EXPECT_EQ(Out("dd if=$M/t/0/groups/g bs=10 count=1 status=none"), "abcdef\nghi");
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.committed_offset"), "1");
  EXPECT_EQ(Out("cat $M/t/0/groups/g"), "ghijkl\n");
}

TEST_F(GroupsTest, CommitsSurviveKillDashNineAndRemount) {
  MakeTopic("t");
  Out("seq 1 10 >> $M/t/0/current");
  EXPECT_EQ(Out("head -n 3 $M/t/0/groups/g | wc -l"), "3\n");
  const std::string committed = Xattr(M("t/0/groups/g"), "user.topicfs.committed_offset");
  ASSERT_GE(std::stoi(committed), 3);
  KillDaemonAndDetach();
  Mount();
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.committed_offset"), committed);
  EXPECT_EQ(Out("cat $M/t/0/groups/g"), Out("seq " + std::to_string(std::stoi(committed) + 1) + " 10"));
  ASSERT_TRUE(Unmount());
  Mount();
  EXPECT_EQ(Out("cat $M/t/0/groups/g"), "");
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.committed_offset"), "10");
}

TEST_F(GroupsTest, SettingCommittedOffsetResetsTheGroup) {
  MakeTopic("t");
  Out("seq 1 5 >> $M/t/0/current");
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.lag"), "5");
  EXPECT_EQ(SetXattrErrno(M("t/0/groups/g"), "user.topicfs.committed_offset", "3"), 0);
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.lag"), "2");
  EXPECT_EQ(Out("cat $M/t/0/groups/g"), "4\n5\n");
  EXPECT_EQ(SetXattrErrno(M("t/0/groups/g"), "user.topicfs.committed_offset", "0"), 0);
  EXPECT_EQ(Out("cat $M/t/0/groups/g | wc -l"), "5\n");
  for (const char* bad : {"6", "-1", "x", ""}) {
    EXPECT_EQ(SetXattrErrno(M("t/0/groups/g"), "user.topicfs.committed_offset", bad), EINVAL)
        << bad;
  }
  EXPECT_EQ(SetXattrErrno(M("t/0/groups/g"), "user.topicfs.lag", "0"), EPERM);
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.committed_offset"), "5");
}

TEST_F(GroupsTest, LsListsGroupsWithAnOffsetAndRmForgetsOne) {
  Out("$T topic create $M/t --partitions 2");
  Out("echo a >> $M/t/0/current");
  EXPECT_EQ(Out("ls $M/t/0/groups"), "");
  Out("cat $M/t/0/groups/billing $M/t/0/groups/audit > /dev/null");
  Out("cat $M/t/1/groups/other > /dev/null");  // nothing to read: no commit
  EXPECT_EQ(Out("ls $M/t/0/groups"), "audit\nbilling\n");
  EXPECT_EQ(Out("ls $M/t/1/groups"), "");
  Out("rm $M/t/0/groups/audit");
  EXPECT_EQ(Out("ls $M/t/0/groups"), "billing\n");
  EXPECT_EQ(Out("cat $M/t/0/groups/audit"), "a\n");  // starts over at the log start
  EXPECT_NE(Sh("rm $M/t/0/groups/never").status, 0);
  // Group names follow topic-name rules.
  EXPECT_NE(Sh("cat '$M/t/0/groups/a b'").status, 0);
  EXPECT_NE(Sh("echo x > $M/t/0/groups/billing").status, 0);
}

TEST_F(GroupsTest, RetentionOvertakingACommittedOffsetReadsFromTheLogStart) {
  MakeTopic("t", {{"segment.bytes", "100"}});
  Out("seq 1 10 >> $M/t/0/current");
  Out("head -n 1 $M/t/0/groups/g > /dev/null");
  Out("seq 11 100 >> $M/t/0/current");
  // Remove the oldest segments by hand (a trim, as retention would).
  Out("cd $M/t/0 && for i in 1 2; do rm $(ls *.log | head -n 1); done");
  const std::string start = Xattr(M("t/0"), "user.topicfs.log_start_offset");
  ASSERT_GT(std::stoi(start), 1);
  EXPECT_EQ(Out("head -n 1 $M/t/0/groups/g"), std::to_string(std::stoi(start) + 1) + "\n");
}

}  // namespace
}  // namespace topicfs::e2e

// Following a partition as it grows (DESIGN §1.1, §1.4): tail -f from/0
// sees every record however fast segments roll; tail -F current follows a
// roll when the next one comes after its re-check window (GNU tail polls
// FUSE once a second and reopens a replaced name on the sixth unchanged
// poll). fast_roll_followers_test.cc pins each follower under fast rolls.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class FollowTest : public MountTest {
 protected:
  // Starts `command` in the background, writing to `out`; returns its pid file.
  void Background(const std::string& command) {
    Out("(" + command + ") > /dev/null 2>&1 & echo $! > bg.pid");
  }
  void StopBackground() { Sh("kill $(cat bg.pid) 2>/dev/null; sleep 0.1"); }
};

TEST_F(FollowTest, TailFFromZeroSeesEveryRecordAcrossFastRolls) {
  MakeTopic("app", {{"segment.bytes", "200"}});
  Out("seq 1 100 >> $M/app/0/current");
  Background("timeout 60 tail -c +1 -f $M/app/0/from/0 > followed");
  Out("seq 1 6000 > in.txt");
  // Keep appending while tail follows: several batches, many rolls each.
  Out("for i in 1 2 3 4 5 6; do sed -n \"$(( (i-1)*1000+1 )),$(( i*1000 ))p\" in.txt "
      ">> $M/app/0/current; sleep 0.2; done");
  std::string expected = Out("seq 1 100; cat in.txt");
  bool all = WaitFor([&] { return ReadFile(Dir("followed")).size() >= expected.size(); }, 30);
  StopBackground();
  EXPECT_TRUE(all);
  EXPECT_EQ(ReadFile(Dir("followed")), expected);
  EXPECT_GE(std::stoi(Xattr(M("app/0"), "user.topicfs.segment_count")), 100);
}

TEST_F(FollowTest, TailCapitalFCurrentFollowsAcrossRolls) {
  // 10 records of 9 bytes fill a 100-byte segment; the 12th rolls.
  MakeTopic("app", {{"segment.bytes", "100"}});
  Out("printf 'rec-%04d\\n' $(seq 1 5) >> $M/app/0/current");
  Background("timeout 60 tail -n +1 -F $M/app/0/current > followed");
  ASSERT_TRUE(WaitFor([&] { return ReadFile(Dir("followed")).size() == 45; }, 10));
  // Crosses a roll: the rest of segment 0 and the start of segment 11.
  Out("printf 'rec-%04d\\n' $(seq 6 15) >> $M/app/0/current");
  std::string expected = Out("printf 'rec-%04d\\n' $(seq 1 15)");
  EXPECT_TRUE(WaitFor([&] { return ReadFile(Dir("followed")) == expected; }, 20))
      << ReadFile(Dir("followed"));
  EXPECT_EQ(Out("readlink $M/app/0/current"), "00000000000000000011.log\n");
  // And another roll a few seconds later.
  Out("printf 'rec-%04d\\n' $(seq 16 25) >> $M/app/0/current");
  expected = Out("printf 'rec-%04d\\n' $(seq 1 25)");
  EXPECT_TRUE(WaitFor([&] { return ReadFile(Dir("followed")) == expected; }, 20))
      << ReadFile(Dir("followed"));
  StopBackground();
}

TEST_F(FollowTest, CurrentPointsAtTheNewSegmentTheMomentARollingWriteReturns) {
  MakeTopic("app", {{"segment.bytes", "20"}});
  // Every third or so append rolls; each check runs right after the write.
  EXPECT_EQ(Out("for i in $(seq 100 199); do echo $i >> $M/app/0/current; "
                "[ \"$(tail -c 4 $M/app/0/current)\" = $i ] || echo stale at $i; done"),
            "");
  EXPECT_GE(std::stoi(Xattr(M("app/0"), "user.topicfs.segment_count")), 15);
}

TEST_F(FollowTest, StatAndWcAreRightTheMomentWriteReturns) {
  MakeTopic("app", {{"segment.bytes", "1000"}});
  for (int i = 1; i <= 300; ++i) {
    Out("echo " + std::to_string(i) + " >> $M/app/0/current");
    if (i % 50 == 0) {
      EXPECT_EQ(Out("cat $M/app/0/*.log | wc -l"), std::to_string(i) + "\n");
      EXPECT_EQ(Out("wc -l < $M/app/0/from/0"), std::to_string(i) + "\n");
      EXPECT_EQ(Out("tail -1 $M/app/0/current"), std::to_string(i) + "\n");
      EXPECT_EQ(Out("stat -L -c %s $M/app/0/current"), Out("wc -c < $M/app/0/current"));
    }
  }
}

// An append handle opened before a roll keeps writing through the sealed
// segment's inode (the records go to the new segment): the kernel moves
// that inode's size by every write(), so a cached size would be wrong for
// a moment after each one. stat of the sealed segment must stay its size.
TEST_F(FollowTest, StatOfASealedSegmentStaysTrueWhileAnOldHandleWrites) {
  MakeTopic("app", {{"segment.bytes", "100"}});
  const std::string sealed = M("app/0/00000000000000000000.log");
  int fd = ::open(M("app/0/current").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  // The eleventh record rolls: the first ten fill the segment's 100 bytes.
  for (int i = 0; i < 11; ++i) EXPECT_EQ(::write(fd, "record-00\n", 10), 10);
  constexpr off_t size = 100;
  if (Out("cat " + sealed + " | wc -c") != "100\n") {
    ::close(fd);
    FAIL() << "the first segment was not sealed at 100 bytes: " << Out("ls -l $M/app/0");
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop) {
      if (::write(fd, "record-xx\n", 10) != 10) break;
    }
  });
  int stats = 0, wrong = 0;
  off_t largest = 0;
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
       std::chrono::steady_clock::now() < end; ++stats) {
    struct stat st;
    ASSERT_EQ(::stat(sealed.c_str(), &st), 0);
    if (st.st_size != size) ++wrong;
    largest = std::max(largest, st.st_size);
  }
  stop = true;
  writer.join();
  ::close(fd);
  EXPECT_EQ(wrong, 0) << "of " << stats << " stats; the largest said " << largest;
  EXPECT_EQ(Out("stat -c %s " + sealed), "100\n");
}

}  // namespace
}  // namespace topicfs::e2e

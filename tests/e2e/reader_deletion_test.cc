// Open from/<N> readers while segments are deleted under them (DESIGN §1.4,
// issue 17 §3): a manual trim (`rm` of the oldest .log) or retention that
// deletes the segment a reader is in lets it read on, byte for byte, into
// the segments after it; small reads never see an early end of file. A
// follow/<N> reader is instead moved on (DESIGN §7): it finishes the
// segment it is in, then goes on at the new log start, and the daemon's log
// says so.
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

constexpr const char* kOldest = "00000000000000000000.log";

class ReaderDeletionTest : public MountTest {
 protected:
  // Topic `x` of 300 numbered records in segments of at most 200 bytes.
  std::string MakeSegmentedTopic() {
    MakeTopic("x", {{"segment.bytes", "200"}});
    Out("seq 1 300 >> $M/x/0/current");
    EXPECT_GT(List(M("x/0")).size(), 20u) << "many segments";
    return ReadFile(M("x/0/from/0"));
  }
};

TEST_F(ReaderDeletionTest, TrimOfTheSegmentBeingReadLetsTheReaderReadOn) {
  const std::string all = MakeSegmentedTopic();
  // The reader is in the oldest segment; that one and the next are trimmed.
  const std::string rest = Out(
      "exec 3< $M/x/0/from/0; head -c 8 <&3 >/dev/null;"
      "rm $M/x/0/" + std::string(kOldest) + " && rm $M/x/0/$(ls $M/x/0 | grep '\\.log$' | head -1)"
      " && cat <&3");
  EXPECT_EQ(rest, all.substr(8));
  // The trim did happen: the old start is gone for a new reader.
  EXPECT_NE(Xattr(M("x/0"), "user.topicfs.log_start_offset"), "0");
  EXPECT_NE(Sh("cat $M/x/0/from/0").status, 0);
}

TEST_F(ReaderDeletionTest, SmallReadsAcrossDeletedSegmentsNeverEndEarly) {
  const std::string all = MakeSegmentedTopic();
  const std::string rest = Out(
      "exec 3< $M/x/0/from/0; head -c 8 <&3 >/dev/null; rm $M/x/0/" + std::string(kOldest) +
      " && dd bs=7 <&3 2>/dev/null");
  EXPECT_EQ(rest, all.substr(8));
}

TEST_F(ReaderDeletionTest, RetentionUnderAnOpenReaderLetsItFinishEverySegmentAfterIt) {
  const std::string all = MakeSegmentedTopic();
  const std::string from12 = ReadFile(M("x/0/from/12"));
  ASSERT_EQ(from12, all.substr(all.find("\n13\n") + 1));
  // retention.bytes lowered to one byte: every sealed segment goes.
  const std::string rest = Out(
      "exec 3< $M/x/0/from/12; head -c 8 <&3 >/dev/null;"
      "setfattr -n user.topicfs.retention.bytes -v 1 $M/x && $T retention apply $M/x >/dev/null"
      " && cat <&3");
  EXPECT_EQ(rest, from12.substr(8));
  EXPECT_NE(Sh("cat $M/x/0/from/12").status, 0) << "retention deleted the segment of offset 12";
  // Nothing of what was deleted stays on disk once the reader is gone.
  EXPECT_EQ(Out("ls $D/topics/x/0 | grep -c '\\.log$'"), "1\n");
  EXPECT_TRUE(WaitFor([&] {
    return Out("ls -l /proc/" + std::to_string(daemon_) + "/fd | grep -c deleted || true") == "0\n";
  }));
}

TEST_F(ReaderDeletionTest, AFollowerRetentionOvertookGoesOnAtTheNewLogStart) {
  const std::string all = MakeSegmentedTopic();
  // Offset k holds the line k+1; the follower starts at 12, in segment `base`.
  int64_t next_base = -1;
  for (const std::string& name : List(M("x/0"))) {
    if (name.size() != 24 || name.substr(20) != ".log") continue;
    const int64_t base = std::stoll(name.substr(0, 20));
    if (base > 12 && (next_base < 0 || base < next_base)) next_base = base;
  }
  ASSERT_GT(next_base, 12);
  // Reads with O_NONBLOCK until the log end (EAGAIN): 8 bytes, then
  // retention deletes every sealed segment, then the rest.
  const std::string script = R"(
import os, subprocess, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
out = os.read(fd, 8)
subprocess.run(sys.argv[2], shell=True, check=True)
while True:
    try:
        chunk = os.read(fd, 5)
    except BlockingIOError:
        break
    assert chunk, "end of file: a follower waits at the log end"
    out += chunk
sys.stdout.write(out.decode())
)";
  WriteFile(Dir("follow.py"), script);
  const std::string followed = Out(
      "python3 follow.py $M/x/0/follow/12 'setfattr -n user.topicfs.retention.bytes -v 1 $M/x"
      " && $T retention apply $M/x >/dev/null'");
  const int64_t log_start = std::stoll(Xattr(M("x/0"), "user.topicfs.log_start_offset"));
  ASSERT_GT(log_start, next_base) << "retention deleted the segments after the follower's";
  std::string in_segment;
  for (int64_t k = 12; k < next_base; ++k) in_segment += std::to_string(k + 1) + "\n";
  EXPECT_EQ(followed, in_segment + ReadFile(M("x/0/from/" + std::to_string(log_start))));
  EXPECT_NE(DaemonLog().find("retention overtook a follower; it goes on at the log start, offset " +
                             std::to_string(log_start)),
            std::string::npos)
      << DaemonLog();
}

TEST_F(ReaderDeletionTest, AFollowerTheTrimDidNotReachReadsOnEveryRecord) {
  const std::string all = MakeSegmentedTopic();
  const std::string followed = Out(
      "exec 3< $M/x/0/follow/150; rm $M/x/0/" + std::string(kOldest) +
      " && timeout 2 cat <&3 || true");
  EXPECT_EQ(followed, all.substr(all.find("\n151\n") + 1));
}

}  // namespace
}  // namespace topicfs::e2e

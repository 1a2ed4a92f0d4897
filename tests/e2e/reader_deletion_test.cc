// Open from/<N> readers while segments are deleted under them (DESIGN §1.4,
// issue 17 §3): a manual trim (`rm` of the oldest .log) or retention that
// deletes the segment a reader is in lets it read on, byte for byte, into
// the segments after it; small reads never see an early end of file.
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

}  // namespace
}  // namespace topicfs::e2e

// The topicfs commands against a live mount (issue 3, item 5): they work
// through the filesystem, and the data directory of a mounted store is
// refused with exit status 2.
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class OnlineCliTest : public MountTest {};

TEST_F(OnlineCliTest, TopicProduceConsumeRetentionVerifyThroughTheMount) {
  Out("$T topic create $M/orders --partitions 3 --segment-bytes 1K --retention 3d");
  EXPECT_EQ(List(M("orders")), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(Xattr(M("orders"), "user.topicfs.segment.bytes"), "1024");
  EXPECT_EQ(Xattr(M("orders"), "user.topicfs.retention.ms"), "259200000");
  Out("seq 1 1000 | $T produce $M/orders --partition 1");
  EXPECT_EQ(ReadFile(M("orders/1/from/0")), Out("seq 1 1000"));
  EXPECT_EQ(Out("$T consume $M/orders --partition 1 --offset 997"), "998\n999\n1000\n");
  EXPECT_NE(Out("$T topic describe $M/orders").find("orders"), std::string::npos);
  Out("$T retention set $M/orders --bytes 2K");
  EXPECT_EQ(Xattr(M("orders"), "user.topicfs.retention.bytes"), "2048");
  Out("$T retention apply $M/orders");
  EXPECT_GT(std::stoll(Xattr(M("orders/1"), "user.topicfs.log_start_offset")), 0);
  Out("$T verify $M");
  ShellResult r = Sh("$T topic list --data $D");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(M()), std::string::npos) << r.err;
}

}  // namespace
}  // namespace topicfs::e2e

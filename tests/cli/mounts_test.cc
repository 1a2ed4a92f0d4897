// The /proc/mounts parser the CLI uses to tell a mount from a data directory.
#include "cli/mounts.h"

#include <gtest/gtest.h>

namespace topicfs::cli {
namespace {

TEST(MountsTest, ParsesFieldsAndUndoesOctalEscapes) {
  std::vector<MountEntry> m = ParseMounts(
      "proc /proc proc rw 0 0\n"
      "/srv/my\\040data /mnt/log\\040s fuse.topicfs rw,nosuid 0 0\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1].source, "/srv/my data");
  EXPECT_EQ(m[1].mount_point, "/mnt/log s");
  EXPECT_EQ(m[1].type, "fuse.topicfs");
}

TEST(MountsTest, OnlyFuseTypesCanBeTopicfs) {
  EXPECT_TRUE(IsTopicfsType("fuse.topicfs"));
  EXPECT_TRUE(IsTopicfsType("fuse"));
  EXPECT_FALSE(IsTopicfsType("ext4"));
  EXPECT_FALSE(IsTopicfsType("fuse.sshfs"));
}

TEST(MountsTest, RootIsNoTopicfsMount) {
  EXPECT_FALSE(FindMountAt("/").has_value());
  EXPECT_FALSE(FindMountOfData("/").has_value());
}

}  // namespace
}  // namespace topicfs::cli

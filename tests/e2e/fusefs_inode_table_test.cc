// Inode numbers: distinct, stable, and lookup counts (fusefs/inode_table.h).
#include <gtest/gtest.h>

#include "fusefs/inode_table.h"

namespace topicfs::fusefs {
namespace {

TEST(InodeTableTest, RootIsOneAndObjectsGetDistinctStableInodes) {
  InodeTable table;
  EXPECT_EQ(table.Intern(RootKey(), false), kRootInode);
  uint64_t a = table.Intern(*ParsePath("/t/0/00000000000000000000.log"), true);
  uint64_t b = table.Intern(*ParsePath("/t/0/00000000000000000005.log"), true);
  uint64_t c = table.Intern(*ParsePath("/t/0/00000000000000000000.index"), true);
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, kRootInode);
  EXPECT_EQ(table.Intern(*ParsePath("/t/0/00000000000000000000.log"), false), a);
  EXPECT_EQ(table.Find(a), ParsePath("/t/0/00000000000000000000.log"));
}

TEST(InodeTableTest, ForgetDropsOnlyVirtualEntries) {
  InodeTable table;
  NodeKey seg = *ParsePath("/t/0/00000000000000000000.log");
  NodeKey from = *ParsePath("/t/0/from/3");
  uint64_t s = table.Intern(seg, true);
  uint64_t f = table.Intern(from, true);
  table.Intern(from, true);
  EXPECT_EQ(table.nlookup(f), 2u);
  table.Forget(s, 1);
  table.Forget(f, 1);
  EXPECT_TRUE(table.Find(f).has_value());
  table.Forget(f, 1);
  EXPECT_FALSE(table.Find(f).has_value());
  EXPECT_TRUE(table.Find(s).has_value());  // segments keep their number
  EXPECT_EQ(table.Intern(seg, false), s);
  EXPECT_NE(table.Intern(from, false), f);  // a fresh number, never reused
}

TEST(InodeTableTest, FlagsAreSetOnce) {
  InodeTable table;
  uint64_t s = table.Intern(*ParsePath("/t/0/00000000000000000000.log"), true);
  EXPECT_FALSE(table.TestAndSetFlag(s, 1));
  EXPECT_TRUE(table.TestAndSetFlag(s, 1));
}

TEST(InodeTableTest, InodesOfAPartition) {
  InodeTable table;
  uint64_t a = table.Intern(*ParsePath("/t/0/current"), false);
  uint64_t b = table.Intern(*ParsePath("/t/1/current"), false);
  table.Intern(*ParsePath("/u/0/current"), false);
  std::vector<uint64_t> of0 = table.InodesOf("t", 0);
  EXPECT_EQ(of0, std::vector<uint64_t>{a});
  EXPECT_EQ(table.InodesOf("t", -1).size(), 2u);
  (void)b;
}

}  // namespace
}  // namespace topicfs::fusefs

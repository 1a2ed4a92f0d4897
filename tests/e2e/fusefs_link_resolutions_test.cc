// fusefs/link_resolutions.h: which open may append to a segment sealed
// after the task's readlink of `current` named it.
#include <gtest/gtest.h>

#include "fusefs/link_resolutions.h"

namespace topicfs::fusefs {
namespace {

const int kPartition = 0;
const int kOther = 1;
constexpr int64_t kGrace = LinkResolutions::kGraceMs;

TEST(LinkResolutionsTest, TheNextOpenOfTheSameTaskAndSegmentWithinTheGraceIsNamed) {
  LinkResolutions links;
  links.Note(100, &kPartition, 36, 1000);
  EXPECT_TRUE(links.Take(100, &kPartition, 36, 1000 + kGrace - 1));
}

TEST(LinkResolutionsTest, OneResolutionServesOneOpen) {
  LinkResolutions links;
  links.Note(100, &kPartition, 36, 1000);
  EXPECT_TRUE(links.Take(100, &kPartition, 36, 1001));
  EXPECT_FALSE(links.Take(100, &kPartition, 36, 1002));
  // An open of something else uses it up too.
  links.Note(100, &kPartition, 36, 1003);
  EXPECT_FALSE(links.Take(100, &kPartition, 0, 1004));
  EXPECT_FALSE(links.Take(100, &kPartition, 36, 1005));
}

TEST(LinkResolutionsTest, OtherTasksSegmentsPartitionsAndLateOpensAreNotNamed) {
  LinkResolutions links;
  links.Note(100, &kPartition, 36, 1000);
  EXPECT_FALSE(links.Take(101, &kPartition, 36, 1001));
  EXPECT_FALSE(links.Take(100, &kOther, 36, 1001));
  links.Note(100, &kPartition, 36, 1000);
  EXPECT_FALSE(links.Take(100, &kPartition, 0, 1001));
  links.Note(100, &kPartition, 36, 1000);
  EXPECT_FALSE(links.Take(100, &kPartition, 36, 1000 + kGrace));
  links.Note(0, &kPartition, 36, 1000);  // an unknown task names nothing
  EXPECT_FALSE(links.Take(0, &kPartition, 36, 1001));
}

TEST(LinkResolutionsTest, ALaterReadlinkReplacesTheTasksEarlierOne) {
  LinkResolutions links;
  links.Note(100, &kPartition, 36, 1000);
  links.Note(100, &kPartition, 69, 1001);
  EXPECT_FALSE(links.Take(100, &kPartition, 36, 1002));
  links.Note(100, &kPartition, 36, 1000);
  links.Note(100, &kPartition, 69, 1001);
  EXPECT_TRUE(links.Take(100, &kPartition, 69, 1002));
}

TEST(LinkResolutionsTest, ManyTasksForgetTheOldestFirst) {
  LinkResolutions links;
  for (pid_t task = 1; task <= 1000; ++task) links.Note(task, &kPartition, task, 1000 + task);
  EXPECT_FALSE(links.Take(1, &kPartition, 1, 2000));      // long forgotten
  EXPECT_TRUE(links.Take(1000, &kPartition, 1000, 2001));  // the newest is kept
  EXPECT_TRUE(links.Take(990, &kPartition, 990, 2001));
}

}  // namespace
}  // namespace topicfs::fusefs

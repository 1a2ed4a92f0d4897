// GroupCoordinator (kafka/group_coordinator.h) on a clock the test moves:
// generations form when every member joined again or time is up, the
// leader's assignment reaches every member, and leaving, dying and
// heartbeats behave as Kafka's classic group protocol says.
#include <gtest/gtest.h>

#include "kafka/group_coordinator.h"

namespace topicfs::kafka {
namespace {

class GroupCoordinatorTest : public ::testing::Test {
 protected:
  GroupCoordinator::Joined Join(std::string_view member, int32_t session_ms = 6000) {
    GroupCoordinator::JoinArgs args;
    args.group = "g";
    args.member = member;
    args.client_id = "c";
    args.session_timeout_ms = session_ms;
    args.rebalance_timeout_ms = 10000;
    args.protocol_type = "consumer";
    const std::string metadata = "meta-" + std::string(member);  // outlives the call
    args.protocols = {{"range", metadata}, {"roundrobin", "x"}};
    return coordinator_.Join(args, now_, [this](const store::Status&) { ++wakes_; });
  }
  GroupCoordinator coordinator_;
  int64_t now_ = 1000000;
  int wakes_ = 0;
};

TEST_F(GroupCoordinatorTest, ANewGroupWaitsOutItsInitialDelayThenFormsAGeneration) {
  GroupCoordinator::Joined a = Join("");
  ASSERT_TRUE(a.wait);
  EXPECT_EQ(a.wait_until_ms, now_ + GroupCoordinator::kInitialDelayMs);
  GroupCoordinator::Joined b = Join("");
  ASSERT_TRUE(b.wait);
  EXPECT_NE(a.member, b.member);
  now_ += GroupCoordinator::kInitialDelayMs;
  // Asked again (the same members): the generation forms.
  a = Join(a.member);
  ASSERT_FALSE(a.wait);
  EXPECT_EQ(a.error, kNone);
  EXPECT_EQ(a.generation, 1);
  EXPECT_EQ(a.protocol_name, "range");
  EXPECT_GT(wakes_, 0);
  b = Join(b.member);
  ASSERT_FALSE(b.wait);
  EXPECT_EQ(b.generation, 1);
  EXPECT_EQ(a.leader, b.leader);
  // Only the leader gets the members.
  const GroupCoordinator::Joined& leader = a.member == a.leader ? a : b;
  const GroupCoordinator::Joined& follower = a.member == a.leader ? b : a;
  EXPECT_EQ(leader.members.size(), 2u);
  EXPECT_TRUE(follower.members.empty());

  // The follower waits in SyncGroup until the leader assigns.
  GroupCoordinator::Synced f = coordinator_.Sync("g", 1, follower.member, {}, now_, true, {});
  EXPECT_TRUE(f.wait);
  GroupCoordinator::Synced l = coordinator_.Sync(
      "g", 1, leader.member, {{leader.member, "A"}, {follower.member, "B"}}, now_, true, {});
  ASSERT_FALSE(l.wait);
  EXPECT_EQ(l.assignment, "A");
  f = coordinator_.Sync("g", 1, follower.member, {}, now_, true, {});
  ASSERT_FALSE(f.wait);
  EXPECT_EQ(f.assignment, "B");
  EXPECT_EQ(coordinator_.Heartbeat("g", 1, follower.member, now_), kNone);
  EXPECT_EQ(coordinator_.Heartbeat("g", 0, follower.member, now_), kIllegalGeneration);
  EXPECT_EQ(coordinator_.Heartbeat("g", 1, "stranger", now_), kUnknownMemberId);
  EXPECT_EQ(coordinator_.MayCommit("g", 1, leader.member, now_), kNone);
  EXPECT_EQ(coordinator_.MayCommit("g", -1, "", now_), kIllegalGeneration);
}

TEST_F(GroupCoordinatorTest, ASilentMemberIsDroppedAndTheOthersRebalance) {
  GroupCoordinator::Joined a = Join("");
  GroupCoordinator::Joined b = Join("");
  now_ += GroupCoordinator::kInitialDelayMs;
  a = Join(a.member);
  b = Join(b.member);
  ASSERT_EQ(a.generation, 1);
  coordinator_.Sync("g", 1, a.leader, {}, now_, true, {});
  // b goes silent; a heartbeats past b's session timeout.
  now_ += 4000;
  EXPECT_EQ(coordinator_.Heartbeat("g", 1, a.member, now_), kNone);
  now_ += 3000;
  EXPECT_EQ(coordinator_.Heartbeat("g", 1, a.member, now_), kRebalanceInProgress);
  // a joins again, alone: no initial delay this time, no wait for b.
  GroupCoordinator::Joined again = Join(a.member);
  ASSERT_FALSE(again.wait);
  EXPECT_EQ(again.generation, 2);
  EXPECT_EQ(again.leader, a.member);
  ASSERT_EQ(again.members.size(), 1u);
  std::optional<GroupCoordinator::GroupView> view = coordinator_.Describe("g", now_);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->state, "CompletingRebalance");
  EXPECT_EQ(view->members.size(), 1u);
}

TEST_F(GroupCoordinatorTest, AJoinWaitsForAMemberThatHasNotJoinedAgainOnlyUntilItsSessionEnds) {
  GroupCoordinator::Joined a = Join("");
  GroupCoordinator::Joined b = Join("");
  now_ += GroupCoordinator::kInitialDelayMs;
  a = Join(a.member);
  b = Join(b.member);
  // A third member arrives: a new rebalance; a joins again, b is silent.
  GroupCoordinator::Joined c = Join("");
  ASSERT_TRUE(c.wait);
  GroupCoordinator::Joined a2 = Join(a.member);
  ASSERT_TRUE(a2.wait);
  EXPECT_EQ(a2.wait_until_ms, now_ + 6000 + 1);  // b's session, not the rebalance timeout
  now_ = a2.wait_until_ms;
  a2 = Join(a.member);
  ASSERT_FALSE(a2.wait);
  EXPECT_EQ(a2.generation, 2);
  c = Join(c.member);
  EXPECT_EQ(c.generation, 2);
  EXPECT_EQ(coordinator_.Describe("g", now_)->members.size(), 2u);
}

TEST_F(GroupCoordinatorTest, LeavingEmptiesTheGroupOrRebalancesIt) {
  GroupCoordinator::Joined a = Join("");
  now_ += GroupCoordinator::kInitialDelayMs;
  a = Join(a.member);
  ASSERT_EQ(a.generation, 1);
  EXPECT_EQ(coordinator_.Leave("g", a.member, now_), kNone);
  EXPECT_EQ(coordinator_.Leave("g", a.member, now_), kUnknownMemberId);
  EXPECT_EQ(coordinator_.Describe("g", now_)->state, "Empty");
  EXPECT_EQ(coordinator_.MayCommit("g", -1, "", now_), kNone);
  EXPECT_EQ(coordinator_.List(now_).size(), 1u);
}

}  // namespace
}  // namespace topicfs::kafka

// The classic consumer group protocol's coordinator (DESIGN §8): members
// join, one is chosen leader and assigns partitions, everyone gets their
// share, and any join, leave or missed heartbeat starts a new generation.
// Only who is in which group lives here, in memory (a restart makes every
// member join again, as a coordinator change does in Kafka); committed
// offsets live in the store, shared with the mount's groups/<g>.
//
// Calls never block. A JoinGroup or SyncGroup that must wait for the other
// members gets `wait` and the time to wait until; the caller asks again
// when woken (the member's `wake`) or then. A JoinGroup waits until its
// generation forms (every member joined again, or the rebalance timeout
// passed, members whose session ran out meanwhile dropped); a SyncGroup
// until the leader has assigned, or, asked with `may_wait` false, no
// longer. Times are milliseconds of a monotonic clock, passed in.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/api.h"
#include "store/append_waiters.h"

namespace topicfs::kafka {

class GroupCoordinator {
 public:
  // A new group waits this long for more members before its first
  // generation (Kafka's group.initial.rebalance.delay.ms).
  static constexpr int64_t kInitialDelayMs = 3000;

  struct JoinArgs {
    std::string_view group;
    std::string_view member;  // empty: a new member
    std::string_view client_id;
    std::string_view client_host;
    int32_t session_timeout_ms = 10000;
    int32_t rebalance_timeout_ms = -1;  // -1: the session timeout
    std::string_view protocol_type;
    std::vector<std::pair<std::string_view, std::string_view>> protocols;  // name, metadata
  };
  struct Joined {
    bool wait = false;
    int64_t wait_until_ms = 0;
    ErrorCode error = kNone;
    int32_t generation = -1;
    std::string member, leader, protocol_type, protocol_name;
    // For the leader only: every member and its metadata for the protocol.
    std::vector<std::pair<std::string, std::string>> members;
  };
  Joined Join(const JoinArgs& args, int64_t now_ms, const store::WakeFn& wake);

  struct Synced {
    bool wait = false;
    int64_t wait_until_ms = 0;
    ErrorCode error = kNone;
    std::string protocol_type, protocol_name, assignment;
  };
  // `assignments` (member, assignment) count only from the leader.
  Synced Sync(std::string_view group, int32_t generation, std::string_view member,
              const std::vector<std::pair<std::string_view, std::string_view>>& assignments,
              int64_t now_ms, bool may_wait, const store::WakeFn& wake);

  ErrorCode Heartbeat(std::string_view group, int32_t generation, std::string_view member,
                      int64_t now_ms);
  ErrorCode Leave(std::string_view group, std::string_view member, int64_t now_ms);
  // Whether an OffsetCommit by `member` in `generation` may commit: a
  // member of the current generation, or anyone (-1) while no member is in
  // the group.
  ErrorCode MayCommit(std::string_view group, int32_t generation, std::string_view member,
                      int64_t now_ms);

  struct MemberView {
    std::string member, client_id, client_host, metadata, assignment;
  };
  struct GroupView {
    std::string group, state, protocol_type, protocol_name;
    std::vector<MemberView> members;
  };
  // Groups with members, or that had some since the daemon started.
  std::vector<GroupView> List(int64_t now_ms);
  std::optional<GroupView> Describe(std::string_view group, int64_t now_ms);

 private:
  enum class State { kEmpty, kPreparing, kCompleting, kStable };
  struct Member {
    std::string client_id, client_host, protocol_type;
    std::vector<std::pair<std::string, std::string>> protocols;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = 0;
    int64_t last_seen_ms = 0;
    bool joining = false;       // its JoinGroup waits for the rebalance
    bool join_answered = true;  // false: the new generation's answer is due
    std::string assignment;
    store::WakeFn wake;  // its waiting request's connection
  };
  struct Group {
    State state = State::kEmpty;
    int32_t generation = 0;
    std::string protocol_type, protocol_name, leader;
    int64_t rebalance_deadline_ms = 0;
    bool delaying = false;  // a new group's first rebalance: waits out its delay
    std::map<std::string, Member, std::less<>> members;
  };

  static std::string_view StateName(State s);
  // Drops members whose session ran out; a rebalance starts if any went.
  void Expire(Group& g, int64_t now_ms);
  void StartRebalance(Group& g, int64_t now_ms, int64_t timeout_ms, bool delaying = false);
  // Ends the rebalance when every member joined again, or its time is up.
  void TryCompleteJoin(Group& g, int64_t now_ms);
  static void WakeAll(Group& g);
  GroupView View(const std::string& id, const Group& g) const;

  std::mutex mu_;
  std::map<std::string, Group, std::less<>> groups_;  // guarded by mu_
  uint64_t next_member_ = 0;                          // guarded by mu_
};

}  // namespace topicfs::kafka

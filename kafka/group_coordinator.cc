#include "kafka/group_coordinator.h"

#include <algorithm>

namespace topicfs::kafka {
std::string_view GroupCoordinator::StateName(State s) {
  switch (s) {
    case State::kEmpty:
      return "Empty";
    case State::kPreparing:
      return "PreparingRebalance";
    case State::kCompleting:
      return "CompletingRebalance";
    case State::kStable:
      return "Stable";
  }
  return "Dead";
}

void GroupCoordinator::WakeAll(Group& g) {
  for (auto& [id, m] : g.members) {
    if (m.wake) m.wake(store::Status::OK());
  }
}

void GroupCoordinator::StartRebalance(Group& g, int64_t now_ms, int64_t timeout_ms, bool delaying) {
  if (g.state == State::kPreparing) return;
  g.state = State::kPreparing;
  g.rebalance_deadline_ms = now_ms + timeout_ms;
  g.delaying = delaying;
  WakeAll(g);  // a follower waiting in SyncGroup learns of it
}

void GroupCoordinator::Expire(Group& g, int64_t now_ms) {
  bool gone = false;
  for (auto it = g.members.begin(); it != g.members.end();) {
    const Member& m = it->second;
    // A member waiting in JoinGroup is alive until the rebalance ends.
    const bool waiting = m.joining && g.state == State::kPreparing;
    if (!waiting && now_ms > m.last_seen_ms + m.session_timeout_ms) {
      it = g.members.erase(it);
      gone = true;
    } else {
      ++it;
    }
  }
  if (!gone) return;
  if (g.members.empty()) {
    g.state = State::kEmpty;
    return;
  }
  int64_t timeout = 0;
  for (auto& [id, m] : g.members) timeout = std::max<int64_t>(timeout, m.rebalance_timeout_ms);
  StartRebalance(g, now_ms, timeout);
}

void GroupCoordinator::TryCompleteJoin(Group& g, int64_t now_ms) {
  if (g.state != State::kPreparing) return;
  const bool all =
      !g.members.empty() && std::all_of(g.members.begin(), g.members.end(),
                                        [](const auto& kv) { return kv.second.joining; });
  if (now_ms < g.rebalance_deadline_ms && !(all && !g.delaying)) return;
  // Who did not join again in time is out.
  std::erase_if(g.members, [](const auto& kv) { return !kv.second.joining; });
  if (g.members.empty()) {
    g.state = State::kEmpty;
    return;
  }
  ++g.generation;
  if (!g.members.contains(g.leader)) g.leader = g.members.begin()->first;
  // The leader's first protocol that every member speaks.
  g.protocol_name.clear();
  for (const auto& protocol : g.members.at(g.leader).protocols) {
    const std::string& name = protocol.first;
    const bool shared = std::all_of(g.members.begin(), g.members.end(), [&](const auto& kv) {
      return std::any_of(kv.second.protocols.begin(), kv.second.protocols.end(),
                         [&](const auto& p) { return p.first == name; });
    });
    if (shared) {
      g.protocol_name = name;
      break;
    }
  }
  g.protocol_type = g.members.at(g.leader).protocol_type;
  g.state = State::kCompleting;
  for (auto& [id, m] : g.members) {
    m.joining = false;
    m.join_answered = false;
    m.assignment.clear();
    m.last_seen_ms = now_ms;
  }
  WakeAll(g);
}

GroupCoordinator::Joined GroupCoordinator::Join(const JoinArgs& args, int64_t now_ms,
                                                const store::WakeFn& wake) {
  std::lock_guard lock(mu_);
  Joined out;
  Group& g = groups_[std::string(args.group)];
  Expire(g, now_ms);
  if (!g.members.empty() && !g.protocol_type.empty() && args.protocol_type != g.protocol_type) {
    out.error = kInconsistentGroupProtocol;
    return out;
  }
  std::string id(args.member);
  if (id.empty()) {
    id = std::string(args.client_id) + "-" + std::to_string(++next_member_);
  } else if (!g.members.contains(id)) {
    out.error = kUnknownMemberId;
    return out;
  }
  Member& m = g.members[id];
  const bool answer_due = !m.join_answered && g.state != State::kPreparing;
  if (!answer_due && !m.joining) {
    // A (re)join: this member's request waits for the rebalance it starts
    // or takes part in.
    m.joining = true;
    m.client_id = args.client_id;
    m.client_host = args.client_host;
    m.protocol_type = args.protocol_type;
    m.protocols.clear();
    for (const auto& [name, metadata] : args.protocols) m.protocols.emplace_back(name, metadata);
    m.session_timeout_ms = args.session_timeout_ms;
    m.rebalance_timeout_ms =
        args.rebalance_timeout_ms > 0 ? args.rebalance_timeout_ms : args.session_timeout_ms;
    const bool first = g.state == State::kEmpty;
    StartRebalance(g, now_ms, first ? kInitialDelayMs : m.rebalance_timeout_ms, first);
  }
  m.last_seen_ms = now_ms;
  m.wake = wake;
  TryCompleteJoin(g, now_ms);
  out.member = id;
  if (g.members.contains(id) && !g.members.at(id).join_answered) {
    Member& joined = g.members.at(id);
    joined.join_answered = true;
    joined.wake = nullptr;
    out.generation = g.generation;
    out.leader = g.leader;
    out.protocol_type = g.protocol_type;
    out.protocol_name = g.protocol_name;
    if (id == g.leader) {
      for (const auto& [mid, member] : g.members) {
        for (const auto& [name, metadata] : member.protocols) {
          if (name == g.protocol_name) out.members.emplace_back(mid, metadata);
        }
      }
    }
    return out;
  }
  if (!g.members.contains(id)) {
    out.error = kUnknownMemberId;
    return out;
  }
  // Until the rebalance's end, or the first moment a member that has not
  // joined again may be dropped for a silent session.
  out.wait = true;
  out.wait_until_ms = g.rebalance_deadline_ms;
  for (const auto& [mid, other] : g.members) {
    if (!other.joining) {
      out.wait_until_ms =
          std::min(out.wait_until_ms, other.last_seen_ms + other.session_timeout_ms + 1);
    }
  }
  return out;
}

GroupCoordinator::Synced GroupCoordinator::Sync(
    std::string_view group, int32_t generation, std::string_view member,
    const std::vector<std::pair<std::string_view, std::string_view>>& assignments, int64_t now_ms,
    bool may_wait, const store::WakeFn& wake) {
  std::lock_guard lock(mu_);
  Synced out;
  auto git = groups_.find(group);
  if (git == groups_.end()) {
    out.error = kUnknownMemberId;
    return out;
  }
  Group& g = git->second;
  Expire(g, now_ms);
  auto mit = g.members.find(member);
  if (mit == g.members.end()) {
    out.error = kUnknownMemberId;
    return out;
  }
  if (generation != g.generation) {
    out.error = kIllegalGeneration;
    return out;
  }
  if (g.state == State::kPreparing) {
    out.error = kRebalanceInProgress;
    return out;
  }
  mit->second.last_seen_ms = now_ms;
  if (g.state == State::kCompleting && member == g.leader) {
    for (const auto& [mid, assignment] : assignments) {
      auto target = g.members.find(mid);
      if (target != g.members.end()) target->second.assignment = assignment;
    }
    g.state = State::kStable;
    WakeAll(g);
  }
  if (g.state == State::kStable) {
    mit->second.wake = nullptr;
    out.protocol_type = g.protocol_type;
    out.protocol_name = g.protocol_name;
    out.assignment = mit->second.assignment;
    return out;
  }
  if (!may_wait) {
    out.error = kRebalanceInProgress;
    return out;
  }
  mit->second.wake = wake;
  out.wait = true;
  out.wait_until_ms = now_ms + mit->second.session_timeout_ms;
  return out;
}

ErrorCode GroupCoordinator::Heartbeat(std::string_view group, int32_t generation,
                                      std::string_view member, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto git = groups_.find(group);
  if (git == groups_.end()) return kUnknownMemberId;
  Group& g = git->second;
  Expire(g, now_ms);
  auto mit = g.members.find(member);
  if (mit == g.members.end()) return kUnknownMemberId;
  mit->second.last_seen_ms = now_ms;
  TryCompleteJoin(g, now_ms);
  if (g.state == State::kPreparing) return kRebalanceInProgress;
  if (generation != g.generation) return kIllegalGeneration;
  return kNone;
}

ErrorCode GroupCoordinator::Leave(std::string_view group, std::string_view member, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto git = groups_.find(group);
  if (git == groups_.end()) return kUnknownMemberId;
  Group& g = git->second;
  auto mit = g.members.find(member);
  if (mit == g.members.end()) return kUnknownMemberId;
  const int64_t timeout = mit->second.rebalance_timeout_ms;
  g.members.erase(mit);
  if (g.members.empty()) {
    g.state = State::kEmpty;
  } else {
    StartRebalance(g, now_ms, timeout);
    TryCompleteJoin(g, now_ms);
  }
  return kNone;
}

ErrorCode GroupCoordinator::MayCommit(std::string_view group, int32_t generation,
                                      std::string_view member, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto git = groups_.find(group);
  if (git == groups_.end()) return generation < 0 ? kNone : kUnknownMemberId;
  Group& g = git->second;
  Expire(g, now_ms);
  if (generation < 0 && member.empty()) {
    return g.members.empty() ? kNone : kIllegalGeneration;
  }
  auto mit = g.members.find(member);
  if (mit == g.members.end()) return kUnknownMemberId;
  if (generation != g.generation) return kIllegalGeneration;
  mit->second.last_seen_ms = now_ms;
  return kNone;
}

GroupCoordinator::GroupView GroupCoordinator::View(const std::string& id, const Group& g) const {
  GroupView view{id, std::string(StateName(g.state)), g.protocol_type, g.protocol_name, {}};
  for (const auto& [mid, m] : g.members) {
    MemberView mv{mid, m.client_id, m.client_host, {}, m.assignment};
    for (const auto& [name, metadata] : m.protocols) {
      if (name == g.protocol_name) mv.metadata = metadata;
    }
    view.members.push_back(std::move(mv));
  }
  return view;
}

std::vector<GroupCoordinator::GroupView> GroupCoordinator::List(int64_t now_ms) {
  std::lock_guard lock(mu_);
  std::vector<GroupView> out;
  for (auto& [id, g] : groups_) {
    Expire(g, now_ms);
    out.push_back(View(id, g));
  }
  return out;
}

std::optional<GroupCoordinator::GroupView> GroupCoordinator::Describe(std::string_view group,
                                                                      int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto git = groups_.find(group);
  if (git == groups_.end()) return std::nullopt;
  Expire(git->second, now_ms);
  return View(git->first, git->second);
}

}  // namespace topicfs::kafka

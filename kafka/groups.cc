// Consumer groups over the Kafka protocol (DESIGN §8): who is in a group
// is GroupCoordinator's; what a group committed is the store's
// ConsumerGroups, the same offsets the mount's groups/<g> reads and
// commits.
#include <chrono>
#include <deque>
#include <set>

#include "kafka/broker.h"
#include "kafka/group_messages.h"
#include "kafka/reply.h"
#include "store/clock.h"
#include "store/consumer_groups.h"

namespace topicfs::kafka {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Reply WaitUntil(int64_t until_ms) {
  Reply reply;
  reply.kind = Reply::Kind::kWait;
  reply.wait_ms = static_cast<int32_t>(std::clamp<int64_t>(until_ms - SteadyMs(), 1, INT32_MAX));
  return reply;
}

// The groups that committed an offset on some partition: through Kafka,
// the mount, the CLI, or members long gone.
std::set<std::string, std::less<>> CommittedGroups(store::Store& store) {
  std::set<std::string, std::less<>> out;
  for (const std::string& topic : store.ListTopics()) {
    store::Result<std::vector<store::CommittedOffset>> offsets = store.groups().List(topic);
    if (!offsets.ok()) continue;
    for (const store::CommittedOffset& c : *offsets) out.insert(c.group);
  }
  return out;
}

}  // namespace

Reply Broker::FindCoordinator(const RequestHeader& h, std::string_view body) {
  FindCoordinatorRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "FindCoordinator");
  FindCoordinatorResponse response;
  if (request.key_type != 0) {
    response.error_code = kTransactionalIdAuthorizationFailed;  // no transactions
    response.error_message = "topicfs has no transactions";
  } else {
    response.node_id = 0;
    response.host = options_.host;
    response.port = options_.port;
  }
  return Respond(h, response);
}

Reply Broker::JoinGroup(const RequestHeader& h, std::string_view body, Session& session) {
  JoinGroupRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "JoinGroup");
  JoinGroupResponse response;
  if (request.group_id.empty()) {
    response.error_code = kInvalidGroupId;
    return Respond(h, response);
  }
  GroupCoordinator::JoinArgs args;
  args.group = request.group_id;
  args.member = request.member_id;
  auto pending = session.joining_.find(request.group_id);
  if (args.member.empty() && pending != session.joining_.end()) args.member = pending->second;
  args.client_id = h.client_id.value_or("");
  args.client_host = session.client_host_;
  args.session_timeout_ms = request.session_timeout_ms;
  args.rebalance_timeout_ms = request.rebalance_timeout_ms;
  args.protocol_type = request.protocol_type;
  for (const JoinGroupRequest::Protocol& p : request.protocols) {
    args.protocols.emplace_back(p.name, p.metadata.value_or(""));
  }
  GroupCoordinator::Joined joined = groups_.Join(args, SteadyMs(), session.wake_);
  if (joined.wait) {
    session.joining_[std::string(request.group_id)] = joined.member;
    return WaitUntil(joined.wait_until_ms);
  }
  if (pending != session.joining_.end()) session.joining_.erase(pending);
  response.error_code = joined.error;
  response.generation_id = joined.generation;
  response.protocol_type = joined.protocol_type;
  response.protocol_name = joined.protocol_name;
  response.leader = joined.leader;
  response.member_id = joined.member;
  for (const auto& [member, metadata] : joined.members) {
    response.members.push_back({member, std::nullopt, metadata});
  }
  return Respond(h, response);
}

Reply Broker::SyncGroup(const RequestHeader& h, std::string_view body, Session& session,
                        bool may_wait) {
  SyncGroupRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "SyncGroup");
  std::vector<std::pair<std::string_view, std::string_view>> assignments;
  for (const SyncGroupRequest::Assignment& a : request.assignments) {
    assignments.emplace_back(a.member_id, a.assignment.value_or(""));
  }
  GroupCoordinator::Synced synced =
      groups_.Sync(request.group_id, request.generation_id, request.member_id, assignments,
                   SteadyMs(), may_wait, session.wake_);
  if (synced.wait) return WaitUntil(synced.wait_until_ms);
  SyncGroupResponse response;
  response.error_code = synced.error;
  response.protocol_type = synced.protocol_type;
  response.protocol_name = synced.protocol_name;
  response.assignment = synced.assignment;
  return Respond(h, response);
}

Reply Broker::Heartbeat(const RequestHeader& h, std::string_view body) {
  HeartbeatRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "Heartbeat");
  HeartbeatResponse response;
  response.error_code =
      groups_.Heartbeat(request.group_id, request.generation_id, request.member_id, SteadyMs());
  return Respond(h, response);
}

Reply Broker::LeaveGroup(const RequestHeader& h, std::string_view body) {
  LeaveGroupRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "LeaveGroup");
  LeaveGroupResponse response;
  if (h.api_version < 3) {
    response.error_code = groups_.Leave(request.group_id, request.member_id, SteadyMs());
  } else {
    for (const LeaveGroupRequest::Member& m : request.members) {
      response.members.push_back({m.member_id, m.group_instance_id,
                                  groups_.Leave(request.group_id, m.member_id, SteadyMs())});
    }
  }
  return Respond(h, response);
}

Reply Broker::OffsetCommit(const RequestHeader& h, std::string_view body) {
  OffsetCommitRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "OffsetCommit");
  OffsetCommitResponse response;
  const ErrorCode allowed = request.group_id.empty()
                                ? kInvalidGroupId
                                : groups_.MayCommit(request.group_id, request.generation_id,
                                                    request.member_id, SteadyMs());
  for (const OffsetCommitRequest::Topic& topic : request.topics) {
    OffsetCommitResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (const OffsetCommitRequest::Partition& part : topic.partitions) {
      OffsetCommitResponse::Partition& result = out.partitions.emplace_back();
      result.partition_index = part.partition_index;
      result.error_code = allowed;
      if (allowed != kNone) continue;
      std::shared_ptr<store::Partition> partition =
          store_->FindPartition(topic.name, part.partition_index);
      if (partition == nullptr) {
        result.error_code = kUnknownTopicOrPartition;
        continue;
      }
      // One synced write per partition, as groups/<g>'s close() commits.
      result.error_code = ErrorFor(store_->groups().Commit(
          *partition, request.group_id, store::Offset(part.committed_offset), store::NowMs()));
    }
  }
  return Respond(h, response);
}

Reply Broker::OffsetFetch(const RequestHeader& h, std::string_view body) {
  OffsetFetchRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "OffsetFetch");
  OffsetFetchResponse response;
  std::deque<std::string> names;  // what the response points into
  store::ConsumerGroups& committed = store_->groups();
  if (!request.topics) {
    // Every partition the group committed on.
    for (const std::string& topic : store_->ListTopics()) {
      store::Result<std::vector<store::CommittedOffset>> offsets = committed.List(topic);
      if (!offsets.ok()) continue;
      OffsetFetchResponse::Topic* out = nullptr;
      for (const store::CommittedOffset& c : *offsets) {
        if (c.group != request.group_id) continue;
        if (out == nullptr) {
          out = &response.topics.emplace_back();
          out->name = names.emplace_back(topic);
        }
        out->partitions.push_back({c.partition, c.offset, -1, std::string_view(), kNone});
      }
    }
    return Respond(h, response);
  }
  for (const OffsetFetchRequest::Topic& topic : *request.topics) {
    OffsetFetchResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (int32_t p : topic.partition_indexes) {
      OffsetFetchResponse::Partition& result = out.partitions.emplace_back();
      result.partition_index = p;
      store::Result<std::optional<store::CommittedOffset>> got =
          committed.Get(topic.name, p, request.group_id);
      if (!got.ok()) {
        result.error_code = ErrorFor(got.status());
      } else if (got->has_value()) {
        result.committed_offset = (*got)->offset;
      }
    }
  }
  return Respond(h, response);
}

Reply Broker::ListGroups(const RequestHeader& h, std::string_view body) {
  ListGroupsRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "ListGroups");
  ListGroupsResponse response;
  std::vector<GroupCoordinator::GroupView> live = groups_.List(SteadyMs());
  std::set<std::string, std::less<>> seen;
  auto add = [&](std::string_view group, std::string_view type, std::string_view state) {
    if (!seen.insert(std::string(group)).second) return;
    if (!request.states_filter.empty() &&
        std::find(request.states_filter.begin(), request.states_filter.end(), state) ==
            request.states_filter.end()) {
      return;
    }
    response.groups.push_back({group, type, state});
  };
  for (const auto& g : live) add(g.group, g.protocol_type, g.state);
  // Groups that only committed are there too, Empty, as Kafka lists them.
  const std::set<std::string, std::less<>> committed = CommittedGroups(*store_);
  for (const std::string& group : committed) add(group, "consumer", "Empty");
  return Respond(h, response);
}

Reply Broker::DescribeGroups(const RequestHeader& h, std::string_view body) {
  DescribeGroupsRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "DescribeGroups");
  DescribeGroupsResponse response;
  std::deque<GroupCoordinator::GroupView> views;  // what the response points into
  std::optional<std::set<std::string, std::less<>>> committed;
  for (std::string_view group : request.groups) {
    DescribeGroupsResponse::Group& out = response.groups.emplace_back();
    out.group_id = group;
    std::optional<GroupCoordinator::GroupView> view = groups_.Describe(group, SteadyMs());
    if (!view) {
      // A group with committed offsets and no members is Empty; one Kafka
      // knows nothing of, Dead.
      if (!committed) committed = CommittedGroups(*store_);
      const bool known = committed->contains(group);
      out.group_state = known ? "Empty" : "Dead";
      out.protocol_type = known ? "consumer" : "";
      continue;
    }
    const GroupCoordinator::GroupView& v = views.emplace_back(std::move(*view));
    out.group_state = v.state;
    out.protocol_type = v.protocol_type;
    out.protocol_data = v.protocol_name;
    for (const GroupCoordinator::MemberView& m : v.members) {
      out.members.push_back(
          {m.member, std::nullopt, m.client_id, m.client_host, m.metadata, m.assignment});
    }
  }
  return Respond(h, response);
}

}  // namespace topicfs::kafka

// The mount's requests for metrics (store::RequestStats): each handler runs
// in an OpScope, which times it, and every error reply names its errno
// through ReplyError. A request answered later (a follow/ read woken by an
// append) is timed until its handler parked it.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "fusefs/fuse_api.h"

namespace topicfs::store {
class RequestStats;
}

namespace topicfs::fusefs {

// The operations the mount answers, by their kernel names.
enum class FuseOp : int {
  kLookup,
  kForget,
  kGetattr,
  kSetattr,
  kReadlink,
  kMknod,
  kMkdir,
  kUnlink,
  kRmdir,
  kSymlink,
  kRename,
  kLink,
  kOpen,
  kRead,
  kWrite,
  kPoll,
  kFlush,
  kRelease,
  kFsync,
  kOpendir,
  kReaddir,
  kReleasedir,
  kStatfs,
  kSetxattr,
  kGetxattr,
  kListxattr,
  kRemovexattr,
  kCreate,
  kFallocate,
};
inline constexpr std::array<std::string_view, 29> kFuseOpNames = {
    "lookup",   "forget",    "getattr",     "setattr",    "readlink", "mknod",
    "mkdir",    "unlink",    "rmdir",       "symlink",    "rename",   "link",
    "open",     "read",      "write",       "poll",       "flush",    "release",
    "fsync",    "opendir",   "readdir",     "releasedir", "statfs",   "setxattr",
    "getxattr", "listxattr", "removexattr", "create",     "fallocate"};
// The kinds of a store::RequestStats for the mount, in FuseOp's order.
std::vector<std::string> FuseOpKinds();

// Times one handler into `stats` (null: nothing is counted) and names its
// operation for the error replies it sends on this thread.
class OpScope {
 public:
  OpScope(store::RequestStats* stats, FuseOp op);
  ~OpScope();
  OpScope(const OpScope&) = delete;
  OpScope& operator=(const OpScope&) = delete;

 private:
  store::RequestStats* const stats_;
  const FuseOp op_;
  const int64_t start_ns_;
};

// Counts a refusal of the current OpScope's operation (a read when there
// is none: only parked reads are answered outside their handler).
void CountRefusal(store::RequestStats* stats, int err);

}  // namespace topicfs::fusefs

#include "fusefs/op_stats.h"

#include "store/clock.h"
#include "store/request_stats.h"

namespace topicfs::fusefs {
namespace {

// The operation of the handler running on this thread, -1 between them.
thread_local int t_current_op = -1;

}  // namespace

std::vector<std::string> FuseOpKinds() {
  return std::vector<std::string>(kFuseOpNames.begin(), kFuseOpNames.end());
}

OpScope::OpScope(store::RequestStats* stats, FuseOp op)
    : stats_(stats), op_(op), start_ns_(stats != nullptr ? store::SteadyNowNs() : 0) {
  t_current_op = static_cast<int>(op);
}

OpScope::~OpScope() {
  t_current_op = -1;
  if (stats_ != nullptr) stats_->Record(static_cast<int>(op_), store::SteadyNowNs() - start_ns_);
}

void CountRefusal(store::RequestStats* stats, int err) {
  if (stats == nullptr || err == 0) return;
  stats->RecordError(t_current_op >= 0 ? t_current_op : static_cast<int>(FuseOp::kRead), err);
}

}  // namespace topicfs::fusefs

#include "fusefs/link_resolutions.h"

namespace topicfs::fusefs {

void LinkResolutions::Note(pid_t task, const void* partition, int64_t base, int64_t now_ms) {
  if (task == 0) return;
  std::lock_guard lock(mu_);
  Entry* slot = &entries_[0];
  for (Entry& e : entries_) {
    if (e.task == task) {
      slot = &e;
      break;
    }
    if (e.at_ms < slot->at_ms) slot = &e;  // free slots have at_ms 0: taken first
  }
  *slot = Entry{task, partition, base, now_ms};
}

bool LinkResolutions::Take(pid_t task, const void* partition, int64_t base, int64_t now_ms) {
  if (task == 0) return false;
  std::lock_guard lock(mu_);
  for (Entry& e : entries_) {
    if (e.task != task) continue;
    const bool named = e.partition == partition && e.base == base && now_ms - e.at_ms < kGraceMs;
    e = Entry{};
    return named;
  }
  return false;
}

}  // namespace topicfs::fusefs

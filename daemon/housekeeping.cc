#include "daemon/housekeeping.h"

#include <algorithm>
#include <chrono>

#include "store/store.h"

namespace topicfs::daemon {

Housekeeping::Housekeeping(store::Store* store, int64_t retention_interval_ms)
    : store_(store), retention_interval_ms_(std::max<int64_t>(1, retention_interval_ms)) {}

Housekeeping::~Housekeeping() { Stop(); }

void Housekeeping::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Housekeeping::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Housekeeping::RunRetention() {
  store::Result<std::vector<store::RetentionAction>> actions =
      store_->ApplyRetention(store::NowMs(), /*dry_run=*/false);
  if (!actions.ok()) {
    store_->env().LogError("retention: " + actions.status().ToString());
    return;
  }
  for (const store::RetentionAction& a : *actions) {
    store_->env().LogInfo("retention deleted " + a.topic + "/" + std::to_string(a.partition) +
                          " segment " + std::to_string(a.base_offset) + " (" +
                          std::to_string(a.size_bytes) + " bytes)");
  }
}

void Housekeeping::Run() {
  using std::chrono::milliseconds;
  const int64_t tick_ms = std::min<int64_t>(1000, retention_interval_ms_);
  int64_t next_retention = store::NowMs() + retention_interval_ms_;
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, milliseconds(tick_ms), [this] { return stop_; })) {
    lock.unlock();
    int64_t now = store::NowMs();
    for (const store::Status& failure : store_->RunFlushPolicy(now)) {
      store_->env().LogError("fsync failed: " + failure.ToString());
    }
    if (now >= next_retention) {
      RunRetention();
      next_retention = store::NowMs() + retention_interval_ms_;
    }
    lock.lock();
  }
}

}  // namespace topicfs::daemon

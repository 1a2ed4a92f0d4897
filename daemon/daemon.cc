#include "daemon/daemon.h"

#include <atomic>
#include <memory>

#include "daemon/housekeeping.h"
#include "fusefs/op_stats.h"
#include "kafka/api.h"
#include "kafka/server.h"
#include "metrics/process_collector.h"
#include "metrics/request_collector.h"
#include "metrics/server.h"
#include "metrics/store_collector.h"
#include "store/clock.h"
#include "store/data_dir.h"
#include "store/request_stats.h"
#include "store/store.h"
#include "tier/make_tier.h"

namespace topicfs::daemon {
namespace {

class LogReporter : public store::RecoveryReporter {
 public:
  explicit LogReporter(store::Env& env) : env_(env) {}
  void Cut(const std::string& path, int64_t bytes, std::string_view why) override {
    env_.LogInfo("recovery: " + path + ": cut " + std::to_string(bytes) +
                 " bytes: " + std::string(why));
  }

 private:
  store::Env& env_;
};

// The remote tier's failures, in the log: a copy's once per run of
// failures (the store says so), a read's at most once a minute.
class TierLog : public store::StoreListener {
 public:
  explicit TierLog(store::Env& env) : env_(env) {}
  void OnTierFailure(std::string_view what, const store::Status& why) override {
    if (what == "read") {
      const int64_t now = store::SteadyNowMs();
      int64_t last = last_read_log_ms_.load();
      if (last != 0 && now - last < kReadLogIntervalMs) return;
      if (!last_read_log_ms_.compare_exchange_strong(last, now)) return;
      env_.LogError("remote tier: a read of remote-only data failed (EIO to the reader): " +
                    why.ToString());
      return;
    }
    env_.LogError("remote tier: " + std::string(what) + ": " + why.ToString() +
                  " (retried with back-off; local data stays)");
  }

 private:
  static constexpr int64_t kReadLogIntervalMs = 60000;
  store::Env& env_;
  std::atomic<int64_t> last_read_log_ms_{0};
};

// Reports a failure to start the way the mount reports its own.
void Failed(const DaemonOptions& options, const std::string& error) {
  options.env->LogError(error);
  if (options.mount.on_ready) options.mount.on_ready(error);
}

// DESIGN §3: a DATA others could read is tightened (one log line); one
// they could write, or another user's, is refused before anything opens it.
bool SecureData(const DaemonOptions& options) {
  std::string tightened;
  store::Status secure = store::SecureDataDir(options.mount.data_dir, /*tighten=*/true, &tightened);
  if (!secure.ok()) {
    Failed(options, secure.message());
    return false;
  }
  if (!tightened.empty()) options.env->LogInfo(tightened);
  return true;
}

// -o kafka=HOST:PORT: the Kafka listener on the same store (DESIGN §8).
bool StartKafka(const DaemonOptions& options, store::Store* store, store::RequestStats* stats,
                std::unique_ptr<kafka::Server>* out) {
  const fusefs::MountOptions& mount = options.mount.mount;
  if (mount.kafka.empty()) return true;
  kafka::Server::Options ko;
  store::Status parsed = kafka::ParseHostPort(mount.kafka, &ko.host, &ko.port);
  if (parsed.ok() && !mount.kafka_advertised.empty()) {
    parsed = kafka::ParseHostPort(mount.kafka_advertised, &ko.advertised_host, &ko.advertised_port);
  }
  if (!parsed.ok()) {
    Failed(options, "-o kafka: " + parsed.message());
    return false;
  }
  ko.max_request_bytes = mount.kafka_max_request_bytes;
  store::Env* env = options.env;
  ko.log_info = [env](const std::string& message) { env->LogInfo(message); };
  ko.log_error = [env](const std::string& message) { env->LogError(message); };
  ko.request_stats = stats;
  store::Result<std::unique_ptr<kafka::Server>> server = kafka::Server::Start(store, ko);
  if (!server.ok()) {
    Failed(options, server.status().message());
    return false;
  }
  *out = std::move(*server);
  return true;
}

// The requests of each front-end, counted for metrics.
struct FrontEndStats {
  store::RequestStats fuse{fusefs::FuseOpKinds()};
  store::RequestStats kafka{kafka::ApiKinds()};
};

// -o metrics=HOST:PORT: Prometheus's /metrics over the store and the
// front-ends' request counts.
bool StartMetrics(const DaemonOptions& options, store::Store* store, const FrontEndStats& stats,
                  std::unique_ptr<metrics::Server>* out) {
  const fusefs::MountOptions& mount = options.mount.mount;
  if (mount.metrics.empty()) return true;
  store::Result<std::unique_ptr<metrics::Server>> server = metrics::Server::Start(mount.metrics);
  if (!server.ok()) {
    Failed(options, "-o metrics: " + server.status().message());
    return false;
  }
  (*server)->Add(std::make_shared<metrics::StoreCollector>(store));
  (*server)->Add(std::make_shared<metrics::RequestCollector>(
      &stats.fuse, metrics::RequestCollector::Naming{"topicfs_fuse", "op", "FUSE requests",
                                                     /*errnos=*/true}));
  if (!mount.kafka.empty()) {
    (*server)->Add(std::make_shared<metrics::RequestCollector>(
        &stats.kafka,
        metrics::RequestCollector::Naming{"topicfs_kafka", "api", "Kafka requests", false}));
  }
  (*server)->Add(std::make_shared<metrics::ProcessCollector>());
  const std::string host = mount.metrics.substr(0, mount.metrics.rfind(':'));
  options.env->LogInfo("metrics: serving http://" + host + ":" + std::to_string((*server)->port()) +
                       "/metrics");
  *out = std::move(*server);
  return true;
}

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  const std::string& data_dir = options.mount.data_dir;
  if (!SecureData(options)) return 1;
  store::Env& env = *options.env;
  LogReporter reporter(env);
  store::Store::Options so;
  so.env = &env;
  so.data_dir = data_dir;
  so.create_if_missing = true;
  so.reporter = &reporter;
  so.max_open_files = static_cast<size_t>(options.mount.mount.max_open_files);
  const fusefs::MountOptions& mount = options.mount.mount;
  if (!mount.tier.empty()) {
    store::Result<std::shared_ptr<store::RemoteTier>> tier =
        tier::MakeTier({mount.tier, mount.tier_endpoint, mount.tier_region});
    if (!tier.ok()) {
      Failed(options, "-o tier: " + tier.status().message());
      return 1;
    }
    so.tier = std::move(*tier);
    so.tier_cache_bytes = mount.tier_cache_bytes;
    env.LogInfo("remote tier: " + so.tier->Describe());
  }
  store::Result<std::unique_ptr<store::Store>> opened = store::Store::Open(so);
  if (!opened.ok()) {
    Failed(options, "cannot open " + data_dir + ": " + opened.status().ToString());
    return 1;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);
  TierLog tier_log(env);
  store->AddListener(&tier_log);
  if (store->recovered()) {
    env.LogInfo("recovered " + data_dir + " after an unclean stop" +
                (store->tail_trust() == store::TailTrust::kSameBoot
                     ? " (same boot: every acknowledged byte kept)"
                     : " (new boot: unflushed tails cut at the first sign of loss)"));
  }
  FrontEndStats stats;
  std::unique_ptr<kafka::Server> kafka;
  if (!StartKafka(options, store.get(), &stats.kafka, &kafka)) return 1;
  std::unique_ptr<metrics::Server> metrics;
  if (!StartMetrics(options, store.get(), stats, &metrics)) return 1;
  Housekeeping housekeeping(store.get(), options.mount.mount.retention_check_interval_ms);
  housekeeping.Start();
  fusefs::MountConfig mount_config = options.mount;
  mount_config.request_stats = &stats.fuse;
  const int rc = fusefs::ServeMount(mount_config, store.get());
  housekeeping.Stop();
  metrics.reset();
  kafka.reset();  // its connections' readers go before the store closes
  store::Status closed = store->Close();
  store->RemoveListener(&tier_log);
  if (!closed.ok()) {
    env.LogError("close: " + closed.ToString());
    return 1;
  }
  env.LogInfo("unmounted " + options.mount.mountpoint + "; store closed cleanly");
  return rc;
}

}  // namespace topicfs::daemon

#include "daemon/daemon.h"

#include <memory>

#include "daemon/housekeeping.h"
#include "fusefs/log.h"
#include "store/data_dir.h"
#include "store/store.h"

namespace topicfs::daemon {
namespace {

using fusefs::LogError;
using fusefs::LogInfo;

class LogReporter : public store::RecoveryReporter {
 public:
  void Cut(const std::string& path, int64_t bytes, std::string_view why) override {
    LogInfo("recovery: " + path + ": cut " + std::to_string(bytes) + " bytes: " + std::string(why));
  }
};

// Reports a failure to start the way the mount reports its own.
void Failed(const DaemonOptions& options, const std::string& error) {
  LogError(error);
  if (options.mount.on_ready) options.mount.on_ready(error);
}

// DESIGN §3: a DATA others could read is tightened (one log line); one
// they could write, or another user's, is refused before anything opens it.
bool SecureData(const DaemonOptions& options) {
  std::string tightened;
  store::Status secure =
      store::SecureDataDir(options.mount.data_dir, /*tighten=*/true, &tightened);
  if (!secure.ok()) {
    Failed(options, secure.message());
    return false;
  }
  if (!tightened.empty()) LogInfo(tightened);
  return true;
}

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  const std::string& data_dir = options.mount.data_dir;
  if (!SecureData(options)) return 1;
  LogReporter reporter;
  store::Store::Options so;
  so.data_dir = data_dir;
  so.create_if_missing = true;
  so.reporter = &reporter;
  so.max_open_files = static_cast<size_t>(options.mount.mount.max_open_files);
  store::Result<std::unique_ptr<store::Store>> opened = store::Store::Open(so);
  if (!opened.ok()) {
    Failed(options, "cannot open " + data_dir + ": " + opened.status().ToString());
    return 1;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);
  if (store->recovered()) {
    LogInfo("recovered " + data_dir + " after an unclean stop" +
            (store->tail_trust() == store::TailTrust::kSameBoot
                 ? " (same boot: every acknowledged byte kept)"
                 : " (new boot: unflushed tails cut at the first sign of loss)"));
  }
  Housekeeping housekeeping(store.get(), options.mount.mount.retention_check_interval_ms);
  housekeeping.Start();
  const int rc = fusefs::ServeMount(options.mount, store.get());
  housekeeping.Stop();
  store::Status closed = store->Close();
  if (!closed.ok()) {
    LogError("close: " + closed.ToString());
    return 1;
  }
  LogInfo("unmounted " + options.mount.mountpoint + "; store closed cleanly");
  return rc;
}

}  // namespace topicfs::daemon

// What a front-end may learn of recovery while the store opens (`topicfs
// recover`, `verify --repair`, the daemon's log): how far an unflushed tail
// was trusted, every cut and rebuilt index, and which logs were read
// through. Recovery itself is private to store/ (recovery.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace topicfs::store {

// What survived of the bytes above the recovery point (DESIGN §4).
enum class TailTrust {
  // The machine has not restarted since the store was opened: the page
  // cache holds every acknowledged byte, so only a partial last record goes.
  kSameBoot,
  // An operating-system crash or power loss: unflushed bytes may be zero
  // fill or torn, and the tail is cut at the first sign of loss.
  kNewBoot,
};

// Told about everything recovery changes; the default prints nothing.
class RecoveryReporter {
 public:
  virtual ~RecoveryReporter() = default;
  // `path` lost `bytes` bytes (or a rebuilt index, bytes 0) because of `why`.
  virtual void Cut(const std::string& path, int64_t bytes, std::string_view why) = 0;
  // `log_path` is being read through to find its whole records: it changed
  // since its partition's recovery point, or nothing vouches for it.
  virtual void Scanned(const std::string& /*log_path*/) {}
};

}  // namespace topicfs::store

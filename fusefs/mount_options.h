// Splits the -o options of `topicfs mount` into topicfs's own (taken out
// before libfuse sees them) and those passed through to libfuse, dropping
// the fstab-only words that mount.fuse3 may hand on. Pure; unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/status.h"

namespace topicfs::fusefs {

inline constexpr int64_t kDefaultRetentionCheckIntervalMs = 300000;
// The largest READ the kernel sends. A 1 MiB reply cannot be spliced
// (its header does not fit in a 1 MiB pipe), and libfuse's copying fallback
// made reads of the active segment 3.7x slower than 512 KiB requests
// (docs/PERFORMANCE.md).
inline constexpr uint32_t kDefaultMaxRead = 512 * 1024;

struct MountOptions {
  int64_t retention_check_interval_ms = kDefaultRetentionCheckIntervalMs;
  bool allow_other = false;             // -o allow_other as well as --allow-other
  bool passthrough = true;              // -o passthrough=off: sealed reads go through the daemon
  bool io_uring = true;                 // -o io_uring=off: requests come through /dev/fuse
  uint32_t max_read = kDefaultMaxRead;  // -o max_read=BYTES (libfuse needs it twice)
  bool nonempty = false;                // -o nonempty: mount over a non-empty directory
  // -o max.open.files=N: segment descriptors the store keeps open (0: the
  // default, min(1024, half the soft RLIMIT_NOFILE)).
  int64_t max_open_files = 0;
  std::vector<std::string> fuse;        // one libfuse option each, e.g. "max_read=131072"
  // The daemon's other front-ends, given as -o like the rest and read by
  // daemon/ only: -o kafka=HOST:PORT (the Kafka listener, off when empty),
  // kafka.advertised=HOST:PORT, kafka.max.request.bytes=SIZE.
  std::string kafka;
  std::string kafka_advertised;
  int64_t kafka_max_request_bytes = 100 << 20;
  // The remote tier (DESIGN §9), read by daemon/ only: -o tier=URI
  // (s3://BUCKET/PREFIX or file:///PATH; none when empty),
  // tier.endpoint=URL and tier.region=NAME for S3, tier.cache.bytes=SIZE.
  std::string tier;
  std::string tier_endpoint;
  std::string tier_region;
  int64_t tier_cache_bytes = 0;  // 0: the store's default
  // Prometheus metrics, read by daemon/ only: -o metrics=HOST:PORT serves
  // /metrics there (off when empty).
  std::string metrics;
};

// Each element of `args` is the value of one -o (comma-separated options,
// "\," for a literal comma). InvalidArgument for a bad topicfs option value,
// and for fsname= or subtype= (but subtype=topicfs): topicfs names its own
// mounts, and the CLI finds them by those names.
store::Status ParseMountOptions(const std::vector<std::string>& args, MountOptions* out);

}  // namespace topicfs::fusefs

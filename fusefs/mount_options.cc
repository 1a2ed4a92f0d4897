#include "fusefs/mount_options.h"

#include <string_view>

#include "store/units.h"

namespace topicfs::fusefs {
namespace {

std::vector<std::string> SplitCommas(std::string_view text) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out.back().push_back('\\');
      out.back().push_back(text[++i]);
    } else if (text[i] == ',') {
      out.emplace_back();
    } else {
      out.back().push_back(text[i]);
    }
  }
  return out;
}

// Words fstab and mount(8) use that mean nothing to a FUSE mount.
bool IsFstabOnly(std::string_view opt) {
  static constexpr std::string_view kWords[] = {"defaults", "auto",   "noauto",  "user",
                                                "nouser",   "users",  "_netdev", "nofail",
                                                "owner",    "comment"};
  for (std::string_view w : kWords) {
    if (opt == w) return true;
  }
  return opt.starts_with("x-") || opt.starts_with("comment=");
}

store::Status ParseOnOff(std::string_view opt, std::string_view key, bool* out) {
  std::string_view value = opt.substr(key.size());
  if (value != "on" && value != "off") {
    return store::Status::InvalidArgument("bad " + std::string(key.substr(0, key.size() - 1)) +
                                          " '" + std::string(value) + "' (on or off)");
  }
  *out = value == "on";
  return store::Status::OK();
}

// fsname= is the data directory and subtype= is topicfs: /proc/mounts shows
// them, and the CLI tells a topicfs mount and the store it serves by them.
store::Status CheckOwnName(std::string_view opt) {
  if (!opt.starts_with("fsname=") && !opt.starts_with("subtype=")) return store::Status::OK();
  return store::Status::InvalidArgument(
      "-o " + std::string(opt) +
      ": topicfs names its mounts itself (fsname is the data directory, subtype topicfs)");
}

}  // namespace

store::Status ParseMountOptions(const std::vector<std::string>& args, MountOptions* out) {
  constexpr std::string_view kRetentionKey = "retention.check.interval.ms=";
  constexpr std::string_view kPassthroughKey = "passthrough=";
  constexpr std::string_view kIoUringKey = "io_uring=";
  constexpr std::string_view kMaxReadKey = "max_read=";
  constexpr std::string_view kMaxOpenFilesKey = "max.open.files=";
  constexpr std::string_view kKafkaKey = "kafka=";
  constexpr std::string_view kKafkaAdvertisedKey = "kafka.advertised=";
  constexpr std::string_view kKafkaMaxRequestKey = "kafka.max.request.bytes=";
  constexpr std::string_view kTierKey = "tier=";
  constexpr std::string_view kTierEndpointKey = "tier.endpoint=";
  constexpr std::string_view kTierRegionKey = "tier.region=";
  constexpr std::string_view kTierCacheKey = "tier.cache.bytes=";
  constexpr std::string_view kMetricsKey = "metrics=";
  for (const std::string& arg : args) {
    for (std::string& opt : SplitCommas(arg)) {
      if (opt.empty() || IsFstabOnly(opt) || opt == "subtype=topicfs") continue;
      if (store::Status s = CheckOwnName(opt); !s.ok()) return s;
      if (opt.starts_with(kRetentionKey)) {
        std::string_view value = std::string_view(opt).substr(kRetentionKey.size());
        std::optional<int64_t> ms = store::ParseDurationMs(value);
        if (!ms || *ms <= 0) {
          return store::Status::InvalidArgument("bad retention.check.interval.ms '" +
                                                std::string(value) + "'");
        }
        out->retention_check_interval_ms = *ms;
      } else if (opt.starts_with(kPassthroughKey)) {
        store::Status s = ParseOnOff(opt, kPassthroughKey, &out->passthrough);
        if (!s.ok()) return s;
      } else if (opt.starts_with(kIoUringKey)) {
        store::Status s = ParseOnOff(opt, kIoUringKey, &out->io_uring);
        if (!s.ok()) return s;
      } else if (opt.starts_with(kMaxReadKey)) {
        std::optional<int64_t> bytes =
            store::ParseSize(std::string_view(opt).substr(kMaxReadKey.size()));
        if (!bytes || *bytes < 4096 || *bytes > (1 << 20)) {
          return store::Status::InvalidArgument("bad max_read '" + opt.substr(kMaxReadKey.size()) +
                                                "' (4096 to 1048576 bytes)");
        }
        out->max_read = static_cast<uint32_t>(*bytes);
      } else if (opt.starts_with(kMaxOpenFilesKey)) {
        std::string_view value = std::string_view(opt).substr(kMaxOpenFilesKey.size());
        std::optional<int64_t> n = store::ParseDecimal(value);
        if (!n || *n < 1 || *n > (1 << 20)) {
          return store::Status::InvalidArgument("bad max.open.files '" + std::string(value) +
                                                "' (1 to 1048576)");
        }
        out->max_open_files = *n;
      } else if (opt.starts_with(kKafkaKey)) {
        out->kafka = opt.substr(kKafkaKey.size());
      } else if (opt.starts_with(kKafkaAdvertisedKey)) {
        out->kafka_advertised = opt.substr(kKafkaAdvertisedKey.size());
      } else if (opt.starts_with(kKafkaMaxRequestKey)) {
        std::optional<int64_t> bytes =
            store::ParseSize(std::string_view(opt).substr(kKafkaMaxRequestKey.size()));
        if (!bytes || *bytes < 1024 || *bytes > (int64_t{1} << 31) - 1) {
          return store::Status::InvalidArgument("bad kafka.max.request.bytes '" +
                                                opt.substr(kKafkaMaxRequestKey.size()) + "'");
        }
        out->kafka_max_request_bytes = *bytes;
      } else if (opt.starts_with(kTierKey)) {
        out->tier = opt.substr(kTierKey.size());
      } else if (opt.starts_with(kTierEndpointKey)) {
        out->tier_endpoint = opt.substr(kTierEndpointKey.size());
      } else if (opt.starts_with(kTierRegionKey)) {
        out->tier_region = opt.substr(kTierRegionKey.size());
      } else if (opt.starts_with(kTierCacheKey)) {
        std::optional<int64_t> bytes =
            store::ParseSize(std::string_view(opt).substr(kTierCacheKey.size()));
        if (!bytes || *bytes < (4 << 20)) {
          return store::Status::InvalidArgument("bad tier.cache.bytes '" +
                                                opt.substr(kTierCacheKey.size()) +
                                                "' (at least 4M)");
        }
        out->tier_cache_bytes = *bytes;
      } else if (opt.starts_with(kMetricsKey)) {
        out->metrics = opt.substr(kMetricsKey.size());
      } else if (opt == "allow_other") {
        out->allow_other = true;
      } else if (opt == "nonempty") {  // libfuse 3 dropped it; topicfs checks itself
        out->nonempty = true;
      } else {
        out->fuse.push_back(std::move(opt));
      }
    }
  }
  return store::Status::OK();
}

}  // namespace topicfs::fusefs

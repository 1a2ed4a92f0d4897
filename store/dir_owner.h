// The owner and mode of a topic or partition, also kept on its directory
// under DATA/topics/ as the extended attribute `user.topicfs.owner`
// ("<octal mode> <uid> <gid>", readable with getfattr), and a topic's config
// overrides as `user.topicfs.config` ("name=value" lines), so that
// rebuilding meta/ from the data files restores them (DESIGN §3): without
// them a topic kept forever would come back with the default 7-day
// retention, and lose its old segments at the next check. The directory's own
// owner and mode stay the daemon's and 0700: DATA's checks refuse a topic
// directory another user owns or may write (data_dir.h).
#pragma once

#include <optional>
#include <string>

#include "store/env.h"
#include "store/ownership.h"
#include "store/private_header.h"
#include "store/status.h"
#include "store/topic_config.h"

namespace topicfs::store {

inline constexpr const char* kDirOwnerXattr = "user.topicfs.owner";
inline constexpr const char* kDirConfigXattr = "user.topicfs.config";

// Sets it on `dir` and makes it durable. NotSupported when the filesystem
// keeps no user attributes: the owner then lives in meta/ only.
Status WriteDirOwner(Env& env, const std::string& dir, const Ownership& owner);
// nullopt when `dir` has none (made before owners were kept there, or on a
// filesystem without user attributes) or it cannot be parsed.
std::optional<Ownership> ReadDirOwner(const std::string& dir);

// The same for a topic's config overrides (TopicConfig::Serialize).
Status WriteDirConfig(Env& env, const std::string& dir, const TopicConfig& config);
std::optional<TopicConfig> ReadDirConfig(const std::string& dir);

}  // namespace topicfs::store

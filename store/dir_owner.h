// The owner and mode of a topic or partition, also kept on its directory
// under DATA/topics/ as the extended attribute `user.topicfs.owner`
// ("<octal mode> <uid> <gid>", readable with getfattr), so that rebuilding
// meta/ from the data files restores them (DESIGN §3). The directory's own
// owner and mode stay the daemon's and 0700: DATA's checks refuse a topic
// directory another user owns or may write (data_dir.h).
#pragma once

#include <optional>
#include <string>

#include "store/env.h"
#include "store/ownership.h"
#include "store/private_header.h"
#include "store/status.h"

namespace topicfs::store {

inline constexpr const char* kDirOwnerXattr = "user.topicfs.owner";

// Sets it on `dir` and makes it durable. NotSupported when the filesystem
// keeps no user attributes: the owner then lives in meta/ only.
Status WriteDirOwner(Env& env, const std::string& dir, const Ownership& owner);
// nullopt when `dir` has none (made before owners were kept there, or on a
// filesystem without user attributes) or it cannot be parsed.
std::optional<Ownership> ReadDirOwner(const std::string& dir);

}  // namespace topicfs::store

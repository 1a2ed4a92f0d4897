// Which kernel boot last had the store open (DESIGN §4). While the machine
// has not restarted, every byte a write() acknowledged is in the page cache,
// so recovery after a daemon crash keeps it all; after a new boot only what
// was flushed is promised. The id is kept in DATA/boot-id (docs/FORMAT.md).
#pragma once

#include <string>

#include "store/env.h"
#include "store/private_header.h"
#include "store/status.h"

namespace topicfs::store {

inline constexpr const char* kBootIdFile = "boot-id";
inline constexpr const char* kKernelBootIdPath = "/proc/sys/kernel/random/boot_id";

// The running kernel's boot id, or "" when it cannot be read (then every
// unclean open counts as a new boot).
std::string ReadKernelBootId();

// The boot id kept in `data_dir`, or "" when there is none (a store written
// before the file existed counts as a new boot).
std::string ReadStoredBootId(const std::string& data_dir);

// Keeps `boot_id` in `data_dir` (write to a temporary name, then rename).
// It needs no fsync: the only id that can ever match at a later open is the
// running boot's, and within one boot the page cache is the truth; a lost
// or torn file only makes a later open count as a new boot.
Status StoreBootId(Env& env, const std::string& data_dir, const std::string& boot_id);

}  // namespace topicfs::store

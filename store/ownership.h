// Who owns a topic or partition and its permission bits (DESIGN §1.1):
// kept in RocksDB and on its directory (dir_owner.h), shown by the mount.
#pragma once

#include <cstdint>

namespace topicfs::store {

struct Ownership {
  uint32_t mode = 0;  // permission bits only
  uint32_t uid = 0;
  uint32_t gid = 0;
};

}  // namespace topicfs::store

// The remote tier (DESIGN §9): an object store that sealed segments are
// copied to. The store defines what it needs here; tier/ implements it for
// a directory (file://) and for S3-compatible stores.
//
// Keys are relative to the tier's own prefix and use '/' as separator.
// Every call may block on the network and is made from the store's tier
// thread or a reader, never under a partition lock. A tier that cannot be
// reached answers Unavailable; a missing object NotFound.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"

namespace topicfs::store {

struct RemoteObject {
  std::string key;
  int64_t size = 0;
};

class RemoteTier {
 public:
  virtual ~RemoteTier() = default;
  // Where it is, for people: "s3://bucket/prefix", "file:///srv/tier".
  virtual std::string Describe() const = 0;
  // Stores `size` bytes read from descriptor `fd` at 0 (pread: the caller
  // keeps its file position) under `key`, replacing any object there.
  virtual Status PutFile(const std::string& key, int fd, int64_t size) = 0;
  virtual Status PutBytes(const std::string& key, std::string_view bytes) = 0;
  // Reads up to `len` bytes at `pos` into `buf`; fewer only at the end.
  virtual Result<size_t> GetRange(const std::string& key, int64_t pos, char* buf,
                                  size_t len) = 0;
  virtual Result<std::string> GetAll(const std::string& key) = 0;
  // OK when the object is gone, also when it was never there.
  virtual Status Delete(const std::string& key) = 0;
  // Every object whose key starts with `prefix`, in key order.
  virtual Result<std::vector<RemoteObject>> List(const std::string& prefix) = 0;
};

}  // namespace topicfs::store

// The remote tier in a directory (`-o tier=file:///PATH`): any mounted
// filesystem, an NFS export, a second disk. Each object is a file under the
// directory, named by its key; it is written under a temporary name,
// synced, and renamed, so an object is either whole or absent.
#pragma once

#include <string>

#include "store/remote_tier.h"

namespace topicfs::tier {

class FileTier : public store::RemoteTier {
 public:
  explicit FileTier(std::string root) : root_(std::move(root)) {}

  std::string Describe() const override { return "file://" + root_; }
  store::Status PutFile(const std::string& key, int fd, int64_t size) override;
  store::Status PutBytes(const std::string& key, std::string_view bytes) override;
  store::Result<size_t> GetRange(const std::string& key, int64_t pos, char* buf,
                                 size_t len) override;
  store::Result<std::string> GetAll(const std::string& key) override;
  store::Status Delete(const std::string& key) override;
  store::Result<std::vector<store::RemoteObject>> List(const std::string& prefix) override;

 private:
  // The directory must be there: a tier on a filesystem that is not mounted
  // is down, not empty.
  store::Status CheckRoot() const;
  std::string PathOf(const std::string& key) const { return root_ + "/" + key; }
  store::Result<size_t> ReadRange(const std::string& key, int64_t pos, char* buf, size_t len) const;
  // Writes a new object through `fill`, which writes into the descriptor.
  template <typename Fill>
  store::Status Put(const std::string& key, Fill fill);

  const std::string root_;
};

}  // namespace topicfs::tier

// The segment files held open through the mount, by inode, and which way
// the kernel reads each open: through the daemon (direct I/O), from its own
// page cache (keep_cache) or straight from the segment file (passthrough).
// The kernel refuses (EIO) an open that mixes page-cache and passthrough
// reads of one inode, or that asks for direct I/O while passthrough opens
// exist, so the choice is made per inode, under one lock, from what is open
// on it. Pure bookkeeping with no FUSE header; unit-tested.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "store/segment_file.h"
#include "store/status.h"

namespace topicfs::fusefs {

enum class ReadPath {
  kDaemon,       // FOPEN_DIRECT_IO: every read and write is a request
  kPageCache,    // the kernel's page cache of the FUSE file
  kPassthrough,  // FOPEN_PASSTHROUGH: the kernel reads the segment file itself
};

// Registers segment files with the kernel for passthrough (see passthrough.h).
class BackingFiles {
 public:
  virtual ~BackingFiles() = default;
  // Whether the kernel agreed to passthrough for this mount.
  virtual bool enabled() const = 0;
  // A backing id (> 0) for the open file `fd`.
  virtual store::Result<int> Register(int fd) = 0;
  virtual void Unregister(int id) = 0;
};

class OpenSegments {
 public:
  struct Grant {
    ReadPath path = ReadPath::kDaemon;
    int backing_id = 0;  // > 0 with kPassthrough
  };

  // `backing` is borrowed and may be null (no passthrough).
  explicit OpenSegments(BackingFiles* backing) : backing_(backing) {}
  OpenSegments(const OpenSegments&) = delete;
  OpenSegments& operator=(const OpenSegments&) = delete;

  // Records an open of `ino` (a file of `segment`) that would like `wanted`
  // and returns the path it gets: passthrough falls back to the daemon while
  // direct-I/O opens exist (append handles, readers that may have mapped
  // the file), else to the page cache while page-cache opens exist or when
  // the kernel cannot take the file;
  // a page-cache open becomes passthrough while passthrough opens exist.
  // Fails (Permission) for kDaemon while passthrough opens exist: the
  // kernel would refuse it. Every successful Open() needs one Release().
  store::Result<Grant> Open(uint64_t ino, std::shared_ptr<const store::SegmentFile> segment,
                            ReadPath wanted);
  void Release(uint64_t ino, ReadPath path);

  // The segment of an open inode (it may have been deleted since), or null.
  std::shared_ptr<const store::SegmentFile> Find(uint64_t ino);
  // Whether `ino` has opens through the daemon (append handles among them).
  bool HasDaemonOpens(uint64_t ino);

 private:
  struct Inode {
    std::shared_ptr<const store::SegmentFile> segment;
    int opens[3] = {0, 0, 0};  // by ReadPath
    int backing_id = 0;        // registered while opens[kPassthrough] > 0
    int total() const { return opens[0] + opens[1] + opens[2]; }
    int& count(ReadPath p) { return opens[static_cast<int>(p)]; }
  };
  // Called with mu_ held: the backing id of `inode`, registered on first use.
  int BackingIdOf(Inode& inode);

  BackingFiles* const backing_;
  std::mutex mu_;  // leaf lock; the backing ioctls are taken under it (short, no I/O)
  std::unordered_map<uint64_t, Inode> inodes_;  // guarded by mu_
};

}  // namespace topicfs::fusefs

// Whole-buffer file I/O with one seam for fault injection: tests install a
// FaultInjector to cut writes short, fail them with ENOSPC, or fail fsync,
// the way a full disk or a dying device would.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <string>

#include "store/status.h"

namespace topicfs::store {

class FaultInjector {
 public:
  virtual ~FaultInjector() = default;
  // Returns how many of `len` bytes a write at `path` may place (len for all);
  // sets *err when the write must then fail.
  virtual size_t BeforeWrite(const std::string& path, size_t len, int* err) = 0;
  // Returns an errno to fail fsync with, or 0.
  virtual int BeforeSync(const std::string& path) = 0;
  // Before syncfs of the filesystem holding `dir`: every file there becomes
  // durable. Returns an errno to fail with, or 0.
  virtual int BeforeSyncFilesystem(const std::string& dir) { return BeforeSync(dir); }
  // Before a segment or index file is opened (EMFILE, EIO). Returns an
  // errno to fail with, or 0.
  virtual int BeforeOpen(const std::string& /*path*/) { return 0; }
};

// Installs `injector` (borrowed; nullptr removes it). Tests only.
void SetFaultInjector(FaultInjector* injector);
// The errno an installed injector wants the open of `path` to fail with, or 0.
int InjectedOpenError(const std::string& path);

// pwrite of all `len` bytes at `pos`, retrying short writes; on failure the
// bytes already written stay and the caller decides (segments truncate back).
Status WriteFully(int fd, const char* data, size_t len, off_t pos, const std::string& path);
// Two-piece variant, one pwritev; used for a record assembled across writes.
Status WriteFully2(int fd, const char* a, size_t alen, const char* b, size_t blen, off_t pos,
                   const std::string& path);
// pread of exactly `len` bytes; Corruption when the file is shorter.
Status ReadFully(int fd, char* data, size_t len, off_t pos, const std::string& path);
Status SyncFile(int fd, const std::string& path);
// fsync of a file by name (a sealed index whose descriptor was closed).
Status SyncPath(const std::string& path);
// syncfs(2) of the filesystem holding `dir`: one call instead of an fsync
// per file when many files are dirty (a flush after many rolls).
Status SyncFilesystem(const std::string& dir);
// The whole of a small file (an index); NotFound when it is missing.
Result<std::string> ReadWholeFile(const std::string& path);
// fsync of a directory, so a created or removed name is durable.
Status SyncDir(const std::string& dir);

}  // namespace topicfs::store

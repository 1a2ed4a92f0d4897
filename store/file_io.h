// Whole-buffer file I/O. Writes and syncs go through the store's Env
// (store/env.h), the seam through which tests cut writes short, fail them
// with ENOSPC, or fail fsync.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "store/env.h"
#include "store/status.h"

namespace topicfs::store {

// pwrite of all `len` bytes at `pos`, retrying short writes; on failure the
// bytes already written stay and the caller decides (segments truncate back).
Status WriteFully(Env& env, int fd, const char* data, size_t len, off_t pos,
                  const std::string& path);
// Two-piece variant, one pwritev; used for a record assembled across writes.
Status WriteFully2(Env& env, int fd, const char* a, size_t alen, const char* b, size_t blen,
                   off_t pos, const std::string& path);
// pread of exactly `len` bytes; Corruption when the file is shorter.
Status ReadFully(int fd, char* data, size_t len, off_t pos, const std::string& path);
Status SyncFile(Env& env, int fd, const std::string& path);
// fsync of a file by name (a sealed index whose descriptor was closed).
Status SyncPath(Env& env, const std::string& path);
// syncfs(2) of the filesystem holding `dir`: one call instead of an fsync
// per file when many files are dirty (a flush after many rolls).
Status SyncFilesystem(Env& env, const std::string& dir);
// The whole of a small file (an index); NotFound when it is missing.
Result<std::string> ReadWholeFile(const std::string& path);
// fsync of a directory, so a created or removed name is durable.
Status SyncDir(Env& env, const std::string& dir);

}  // namespace topicfs::store

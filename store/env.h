// What the store needs of the process around it, handed in through
// Store::Options rather than reached as globals (leveldb's Env): where
// messages go, and the seam through which tests make file I/O fail the way a
// full disk or a dying device would. One Env serves one store; several
// stores (and tests) in one process each have their own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace topicfs::store {

class Env {
 public:
  virtual ~Env() = default;

  // The process's log: the daemon's sink (stderr, a file or syslog); the
  // default writes one line to stderr.
  virtual void LogInfo(std::string_view message);
  virtual void LogError(std::string_view message);

  // ---- The file-I/O fault seam (store/file_io.h); each default lets the
  // operation through.
  // How many of `len` bytes a write at `path` may place (len for all); sets
  // *err when the write must then fail.
  virtual size_t BeforeWrite(const std::string& /*path*/, size_t len, int* /*err*/) { return len; }
  // An errno to fail the fsync of `path` with, or 0.
  virtual int BeforeSync(const std::string& /*path*/) { return 0; }
  // Before syncfs of the filesystem holding `dir` (every file there becomes
  // durable): an errno to fail with, or 0.
  virtual int BeforeSyncFilesystem(const std::string& dir) { return BeforeSync(dir); }
  // Before a segment or index file is opened: an errno (EMFILE, EIO) or 0.
  virtual int BeforeOpen(const std::string& /*path*/) { return 0; }

  // Logs to stderr and injects nothing; it has no state, and lives as long
  // as the process.
  static Env& Default();
};

}  // namespace topicfs::store

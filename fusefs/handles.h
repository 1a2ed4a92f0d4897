// Per-open state kept in fi->fh: what an open file or directory reads from
// and, for an append handle, its own record assembler (DESIGN §1.3).
#pragma once

#include <fcntl.h>
#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fusefs/open_segments.h"
#include "store/consumer_groups.h"
#include "store/partition.h"
#include "store/partition_reader.h"
#include "store/record_assembler.h"
#include "store/segment_file.h"

namespace topicfs::fusefs {

// The largest write request the kernel sends (max_write, set at INIT; the
// kernel's max_pages follows from it). A write() longer than this reaches
// the daemon as several requests, and a refusal in one of them after an
// earlier one went in gives the caller a short count (DESIGN §1.3).
constexpr size_t kMaxWriteBytes = size_t{1} << 20;

// Whether open flags ask for writing.
inline bool WantsWrite(int flags) { return (flags & O_ACCMODE) != O_RDONLY; }

struct FileHandle {
  enum class Kind {
    kSegment,  // a .log opened for reading
    kAppend,   // a .log opened with O_APPEND for writing
    kIndex,    // a .index or .timeindex, read from its file
    kStream,   // from/<N> or since/<T>
    kFollow,   // follow/<N>: a kStream whose reads wait at the log end
    kGroup,    // groups/<g>: a kStream that commits what it returned at close
  };
  FileHandle() = default;
  ~FileHandle();
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;

  Kind kind = Kind::kSegment;
  uint64_t ino = 0;
  ReadPath read_path = ReadPath::kDaemon;  // how the kernel reads this open
  std::shared_ptr<store::Partition> partition;
  std::shared_ptr<const store::SegmentFile> segment;  // kSegment, kAppend
  int fd = -1;                                        // kIndex; owned
  size_t entry_size = 1;                              // kIndex
  std::string remote_index;  // kIndex of a segment held only remotely: its bytes
  std::unique_ptr<store::RecordAssembler> assembler;  // kAppend
  std::unique_ptr<store::PartitionReader> reader;     // kStream, kFollow
  std::atomic<int64_t> follow_pos{0};  // kFollow: just past what the last read returned
  // kGroup: the group, whose claim the handle holds from open to the
  // close() that commits, and what its reads returned from the start on.
  std::string group;
  std::unique_ptr<store::ConsumerGroups::Claim> group_claim;  // guarded by group_mu
  std::mutex group_mu;
  int64_t group_frontier = 0;   // guarded; bytes returned without a gap
  int64_t group_records = 0;    // guarded; whole records among them
  int64_t group_committed = 0;  // guarded; group_records when last committed
  uint64_t group_reader = 0;    // guarded; the lock owner (file table) that read last
};

struct DirEntry {
  std::string name;
  uint64_t ino;
  mode_t type;  // S_IFDIR, S_IFREG, S_IFLNK
};

// A snapshot of a directory taken at opendir, so that readdir offsets stay
// meaningful while the directory changes.
struct DirHandle {
  std::vector<DirEntry> entries;
};

}  // namespace topicfs::fusefs

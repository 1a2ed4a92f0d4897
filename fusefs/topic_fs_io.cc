// Opening, reading and appending (DESIGN §1.3, §1.4). Sealed segments and
// their indexes are immutable, so their handles keep the kernel's page
// cache; the active segment and the virtual files use direct I/O so every
// read sees the current end and no stale page can outlive a roll. Append
// handles use direct I/O too: the kernel then sends each write() whole
// (up to max_write), does not ask for security.capability first, and never
// caches pages at offsets where the data did not land.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>

#include "fusefs/errno_map.h"
#include "fusefs/topic_fs.h"
#include "store/clock.h"

namespace topicfs::fusefs {
namespace {

// How long after its seal a segment is read through the daemon: an append
// open from a `>> current` that resolved the link before the roll may still
// come (LinkResolutions), and the kernel refuses it next to passthrough opens.
constexpr int64_t kRollGraceMs = LinkResolutions::kGraceMs;

// Every request but the last of a write() the kernel cut is a full request
// less, for the first, the buffer's offset in its page (a writev() of many
// small buffers can be cut shorter; DECISIONS.md). The assembler uses it to
// know when a refusal may have reached the caller as a short count.
// The signal that killed `pid`, when `pid` is a task being torn down by
// one: then a close from it is the kernel closing a killed writer's
// descriptors, not a close() the writer asked for. From /proc/<pid>/stat:
// field 9 is the task's flags (PF_EXITING, set as do_exit begins) and field
// 52 its exit code, set before the files are closed (the signal in the low
// 7 bits; an exit() leaves them 0). The closing task waits for the flush
// reply, so it is still there to be read.
std::optional<int> KilledBySignal(pid_t pid) {
  constexpr unsigned long kPfExiting = 0x4;
  if (pid <= 0) return std::nullopt;
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[4096];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  buf[n] = '\0';
  const char* fields = std::strrchr(buf, ')');  // the name may hold spaces
  if (fields == nullptr) return std::nullopt;
  unsigned long flags = 0;
  long exit_code = 0;
  std::istringstream in(fields + 1);
  std::string field;
  for (int i = 3; i <= 52 && in >> field; ++i) {
    if (i == 9) flags = std::strtoul(field.c_str(), nullptr, 10);
    if (i == 52) exit_code = std::strtol(field.c_str(), nullptr, 10);
  }
  if (!(flags & kPfExiting) || (exit_code & 0x7f) == 0) return std::nullopt;
  return static_cast<int>(exit_code & 0x7f);
}

size_t MinCutPiece() {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return kMaxWriteBytes - page + 1;
}

bool JustRolled(const store::SegmentFile& seg) {
  // Measured from the seal, not the last record's timestamp (a producer may
  // set it anywhere), and for every segment sealed: under concurrent
  // appends several rolls can fall between a shell's readlink of `current`
  // and its open of the segment it named.
  const int64_t sealed_at = seg.sealed_at_ms();
  return sealed_at > 0 && store::SteadyNowMs() - sealed_at < kRollGraceMs;
}

// A reader's bytes that were deleted after it had read past them (it went
// back, e.g. `less` paging up after retention): ENODATA, not the ENOENT an
// out-of-range name gets.
store::Status StreamReadError(const store::Status& status, int64_t off) {
  if (!status.Is(store::Code::kOutOfRange)) return status;
  return StatusWithErrno(ENODATA, "bytes at " + std::to_string(off) + ": " + status.message());
}

// A read of from/<N> or since/<T>. Bytes within one segment go out by
// descriptor, spliced without a copy; a read across a roll is copied, so it
// is short only at the log end (a short read is an end of file to `head -c`
// and friends).
store::Status ReadStream(store::PartitionReader& reader, size_t size, int64_t off, ReadReply* out) {
  const store::ReadPosition at(off);
  store::Result<store::FileExtent> extent = reader.ExtentAt(at, size);
  if (!extent.ok()) return StreamReadError(extent.status(), off);
  if (extent->len == 0 || (extent->file.valid() && extent->len == size)) {
    out->pin = std::move(extent->file);
    out->fd = out->pin.valid() ? out->pin.fd() : -1;
    out->pos = extent->file_pos;
    out->len = extent->len;
    reader.partition().traffic().CountRead(static_cast<int64_t>(out->len), 0);
    return store::Status::OK();
  }
  out->fd = -1;
  out->bytes.resize(size);
  store::Result<size_t> n = reader.ReadAt(at, out->bytes.data(), size);
  if (!n.ok()) return StreamReadError(n.status(), off);
  out->bytes.resize(*n);
  reader.partition().traffic().CountRead(static_cast<int64_t>(*n), 0);
  return store::Status::OK();
}

// A read of a .log held only in the remote tier, through the store's cache.
store::Status ReadRemoteCopy(const store::SegmentFile& seg, size_t size, int64_t off,
                             ReadReply* out) {
  out->fd = -1;
  out->bytes.resize(size);
  store::Result<size_t> n = seg.Read(out->bytes.data(), size, off);
  if (!n.ok()) return n.status();
  out->bytes.resize(*n);
  return store::Status::OK();
}

}  // namespace

FileHandle::~FileHandle() {
  if (fd >= 0) ::close(fd);
}

store::Status TopicFs::HoldOpenSegment(std::unique_ptr<FileHandle> handle, ReadPath wanted,
                                       OpenReply* out) {
  store::Result<OpenSegments::Grant> grant =
      open_segments_.Open(handle->ino, handle->segment, wanted);
  if (!grant.ok()) return grant.status();
  handle->read_path = grant->path;
  switch (grant->path) {
    case ReadPath::kDaemon:
      out->direct_io = true;
      break;
    case ReadPath::kPageCache:
      // The first open after sealing drops whatever the kernel cached while
      // the file was active (a private mmap can leave a partial page).
      out->keep_cache = inodes_.TestAndSetFlag(handle->ino, kCacheClean);
      break;
    case ReadPath::kPassthrough:
      out->backing_id = grant->backing_id;
      break;
  }
  out->handle = handle.release();
  return store::Status::OK();
}

store::Status TopicFs::OpenSegmentLog(uint64_t ino, const NodeKey& key, int flags, OpenReply* out,
                                      pid_t caller) {
  std::shared_ptr<store::Partition> partition = PartitionOf(key);
  std::shared_ptr<const store::SegmentFile> seg =
      partition ? partition->FindSegment(key.value) : nullptr;
  if (seg == nullptr) return store::Status::NotFound(NodePath(key));
  // Taken by every open of the caller, so a resolution serves only the open
  // it was made for.
  const bool named_by_current =
      link_resolutions_.Take(caller, partition.get(), seg->base_offset(), store::SteadyNowMs());
  auto handle = std::make_unique<FileHandle>();
  handle->ino = ino;
  handle->partition = partition;
  handle->segment = seg;
  if (!WantsWrite(flags)) {
    handle->kind = FileHandle::Kind::kSegment;
    // A segment sealed a moment ago may still get an append open (see
    // kRollGraceMs), which the kernel refuses next to passthrough opens,
    // and its appends move the kernel's idea of its size past the data: it
    // is read through the daemon, which never reads past size().
    ReadPath wanted =
        !seg->sealed() || JustRolled(*seg) ? ReadPath::kDaemon : ReadPath::kPassthrough;
    return HoldOpenSegment(std::move(handle), wanted, out);
  }
  if (!(flags & O_APPEND)) {
    return store::Status::Permission(NodePath(key) + " is append-only: open it with O_APPEND (>>)");
  }
  // A `>> current` whose readlink named this segment before rolls sealed
  // it still appends (within the grace, so readers are on the daemon path).
  if (seg->sealed() && !(named_by_current && JustRolled(*seg))) {
    return store::Status::Permission(NodePath(key) + " is sealed");
  }
  handle->kind = FileHandle::Kind::kAppend;
  handle->assembler = std::make_unique<store::RecordAssembler>(partition, MinCutPiece());
  store::Status held = HoldOpenSegment(std::move(handle), ReadPath::kDaemon, out);
  if (!held.ok()) return store::Status::Permission(NodePath(key) + " is sealed");
  return held;
}

store::Status TopicFs::OpenIndexFile(uint64_t ino, const NodeKey& key, int flags, OpenReply* out) {
  if (WantsWrite(flags)) return store::Status::Permission(NodePath(key) + " is read-only");
  std::shared_ptr<store::Partition> partition = PartitionOf(key);
  std::shared_ptr<const store::SegmentFile> seg =
      partition ? partition->FindSegment(key.value) : nullptr;
  if (seg == nullptr) return store::Status::NotFound(NodePath(key));
  const bool sealed = seg->sealed();
  const store::IndexKind kind = IndexKindOf(key.kind);
  // A sealed index no lookup has used yet is checked (and rebuilt if
  // unsound) before its file is shown.
  if (sealed) TOPICFS_RETURN_IF_ERROR(partition->CheckIndexes(seg->base_offset()));
  std::string path = seg->IndexPath(kind);
  auto handle = std::make_unique<FileHandle>();
  handle->kind = FileHandle::Kind::kIndex;
  handle->ino = ino;
  handle->partition = partition;
  handle->segment = seg;
  handle->entry_size = store::IndexEntryBytes(kind);
  if (seg->remote_only()) {
    // Held only in the remote tier: fetched once for this open.
    store::Result<store::RemoteIndexes> fetched = seg->FetchRemoteIndexes();
    if (!fetched.ok()) return fetched.status();
    handle->remote_index =
        std::move(kind == store::IndexKind::kOffset ? fetched->index : fetched->time_index);
    return HoldOpenSegment(std::move(handle), ReadPath::kPageCache, out);
  }
  handle->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (handle->fd < 0 && errno != ENOENT) return store::Status::FromErrno(errno, "open " + path);
  return HoldOpenSegment(std::move(handle), sealed ? ReadPath::kPageCache : ReadPath::kDaemon, out);
}

store::Status TopicFs::Open(uint64_t ino, int flags, OpenReply* out, pid_t caller) {
  TOPICFS_RETURN_IF_ERROR(OpenHandle(ino, flags, out, caller));
  std::lock_guard lock(handles_mu_);
  open_handles_.insert(out->handle);
  return store::Status::OK();
}

void TopicFs::ReleaseAllOpen() {
  std::vector<FileHandle*> left;
  {
    std::lock_guard lock(handles_mu_);
    left.assign(open_handles_.begin(), open_handles_.end());
  }
  for (FileHandle* handle : left) Release(handle);
}

store::Status TopicFs::OpenHandle(uint64_t ino, int flags, OpenReply* out, pid_t caller) {
  store::Result<NodeKey> key = KeyOf(ino);
  if (!key.ok()) return key.status();
  if (IsDirectory(key->kind)) return StatusWithErrno(EISDIR, NodePath(*key));
  // O_TRUNC is refused whatever the access mode: Linux truncates on
  // O_RDONLY|O_TRUNC too, so succeeding would claim a truncation.
  if (flags & O_TRUNC) return store::Status::Permission(NodePath(*key) + " cannot be truncated");
  switch (key->kind) {
    case NodeKind::kSegmentLog:
      return OpenSegmentLog(ino, *key, flags, out, caller);
    case NodeKind::kSegmentIndex:
    case NodeKind::kSegmentTimeIndex:
      return OpenIndexFile(ino, *key, flags, out);
    case NodeKind::kGroupEntry:
      return OpenGroup(ino, *key, flags, out);
    case NodeKind::kFromEntry:
    case NodeKind::kSinceEntry:
    case NodeKind::kFollowEntry: {
      if (WantsWrite(flags)) return store::Status::Permission(NodePath(*key) + " is read-only");
      std::shared_ptr<store::Partition> partition = PartitionOf(*key);
      if (partition == nullptr) return store::Status::NotFound(NodePath(*key));
      // Checked again at open: a trim since the lookup makes it vanish.
      store::Result<std::unique_ptr<store::PartitionReader>> reader =
          key->kind == NodeKind::kSinceEntry
              ? store::PartitionReader::FromTime(partition, key->value)
              : store::PartitionReader::FromOffset(
                    partition, store::Offset(key->value == kFollowEnd ? partition->log_end_offset()
                                                                      : key->value));
      if (!reader.ok()) {
        if (reader.status().Is(store::Code::kOutOfRange))
          return store::Status::NotFound(NodePath(*key) + " is outside the log");
        return reader.status();
      }
      // A follower that retention overtook goes on at the new log start
      // (DESIGN §7); a from/ or since/ reader reads on what it opened (§1.4).
      if (key->kind == NodeKind::kFollowEntry) (*reader)->GoOnAtLogStartWhenOvertaken();
      auto handle = std::make_unique<FileHandle>();
      handle->kind = key->kind == NodeKind::kFollowEntry ? FileHandle::Kind::kFollow
                                                         : FileHandle::Kind::kStream;
      handle->partition = partition;
      handle->reader = std::move(*reader);
      handle->ino = ino;
      open_streams_.Add(ino, handle->reader.get());
      out->direct_io = true;
      out->handle = handle.release();
      return store::Status::OK();
    }
    default:
      return StatusWithErrno(ELOOP, NodePath(*key));
  }
}

store::Status TopicFs::Read(FileHandle* handle, size_t size, int64_t off, ReadReply* out,
                            uint64_t owner) {
  switch (handle->kind) {
    case FileHandle::Kind::kSegment:
    case FileHandle::Kind::kAppend: {
      // Never past size(): bytes beyond it may be an append in progress.
      int64_t end = handle->segment->size();
      if (handle->segment->remote_only()) {
        // `cat *.log` reads the next one at once: have it on its way.
        handle->partition->PrefetchAcross(*handle->segment, off + static_cast<int64_t>(size));
        return ReadRemoteCopy(*handle->segment, size, off, out);
      }
      store::Result<store::FileRef> log = handle->segment->OpenLog();
      if (!log.ok()) return log.status();
      out->pin = std::move(*log);
      out->fd = out->pin.fd();
      out->pos = off;
      out->len = off >= end ? 0 : static_cast<size_t>(std::min<int64_t>(size, end - off));
      return store::Status::OK();
    }
    case FileHandle::Kind::kIndex: {
      if (handle->fd < 0 && handle->segment->remote_only()) {
        const std::string& bytes = handle->remote_index;
        if (off < static_cast<int64_t>(bytes.size())) out->bytes = bytes.substr(off, size);
        return store::Status::OK();
      }
      out->fd = handle->fd;
      out->pos = off;
      out->len = 0;
      struct stat st;
      if (handle->fd >= 0 && ::fstat(handle->fd, &st) == 0) {
        int64_t entry = static_cast<int64_t>(handle->entry_size);
        int64_t end = st.st_size - st.st_size % entry;
        if (off < end) out->len = static_cast<size_t>(std::min<int64_t>(size, end - off));
      }
      if (out->len == 0) out->fd = -1;
      return store::Status::OK();
    }
    case FileHandle::Kind::kStream:
      return ReadStream(*handle->reader, size, off, out);
    case FileHandle::Kind::kGroup:
      return ReadGroup(handle, size, off, out, owner);
    case FileHandle::Kind::kFollow: {
      TOPICFS_RETURN_IF_ERROR(ReadStream(*handle->reader, size, off, out));
      const size_t got = out->fd >= 0 ? out->len : out->bytes.size();
      handle->follow_pos.store(off + static_cast<int64_t>(got), std::memory_order_relaxed);
      // At the log end a follower waits (the caller parks the request),
      // unless the topic is gone: then, and only then, end of file.
      if (got == 0 && size > 0 && !handle->partition->deleted()) {
        return store::Status::WouldBlock("no record yet");
      }
      return store::Status::OK();
    }
  }
  return store::Status::OK();
}

store::Result<size_t> TopicFs::Write(FileHandle* handle, std::string_view data) {
  if (handle->kind != FileHandle::Kind::kAppend)
    return StatusWithErrno(EBADF, "not open for append");
  return handle->assembler->Write(data);
}

store::Status TopicFs::Flush(FileHandle* handle, pid_t closer, uint64_t owner) {
  if (handle->kind == FileHandle::Kind::kGroup) return FlushGroup(handle, owner);
  if (handle->kind != FileHandle::Kind::kAppend) return store::Status::OK();
  // A writer killed in the middle of a record must not commit it: the
  // kernel closes its descriptors from the dying task (DECISIONS.md).
  if (handle->assembler->pending() > 0) {
    if (std::optional<int> sig = KilledBySignal(closer)) {
      store_->env().LogInfo("a writer killed by signal " + std::to_string(*sig) +
                            " left a partial record of " +
                            std::to_string(handle->assembler->pending()) + " bytes: dropped");
      handle->assembler->Discard();
      return store::Status::OK();
    }
  }
  return handle->assembler->Flush();
}

store::Status TopicFs::Fsync(FileHandle* handle) {
  if (handle->partition == nullptr) return store::Status::OK();
  return handle->partition->Flush();
}

void TopicFs::Release(FileHandle* handle) {
  {
    std::lock_guard lock(handles_mu_);
    open_handles_.erase(handle);
  }
  if (handle->reader != nullptr) {
    follow_waits_.Release(handle);
    open_streams_.Remove(handle->ino, handle->reader.get());
  } else {
    open_segments_.Release(handle->ino, handle->read_path);
  }
  if (handle->kind == FileHandle::Kind::kAppend) {
    // flush normally came first; this only matters if it did not.
    store::Status s = Flush(handle);
    if (!s.ok()) store_->env().LogError("release: partial record dropped: " + s.ToString());
  }
  delete handle;
}

}  // namespace topicfs::fusefs

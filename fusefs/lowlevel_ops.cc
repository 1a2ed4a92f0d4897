#include "fusefs/lowlevel_ops.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include "fusefs/errno_map.h"
#include "fusefs/op_stats.h"
#include "fusefs/replies.h"
#include "fusefs/topic_fs.h"

namespace topicfs::fusefs {
namespace {

SessionUserdata& Session(fuse_req_t req) {
  return *static_cast<SessionUserdata*>(fuse_req_userdata(req));
}
TopicFs& Fs(fuse_req_t req) { return *Session(req).filesystem; }
FileHandle* File(const fuse_file_info* fi) { return reinterpret_cast<FileHandle*>(fi->fh); }

// Runs `body`, which replies, as operation `op` (timed and counted); an
// exception becomes ENOMEM or EIO instead.
template <typename Body>
void Guard(fuse_req_t req, FuseOp op, Body&& body) {
  OpScope scope(Fs(req).request_stats(), op);
  try {
    body();
  } catch (const std::bad_alloc&) {
    ReplyError(req, ENOMEM);
  } catch (const std::exception& e) {
    Fs(req).store().env().LogError(std::string("internal error: ") + e.what());
    ReplyError(req, EIO);
  }
}

void ReplyEntry(fuse_req_t req, const EntryReply& entry) {
  fuse_entry_param e{};
  e.ino = entry.ino;
  e.attr = entry.attr;
  e.attr_timeout = entry.times.attr;
  e.entry_timeout = entry.times.entry;
  fuse_reply_entry(req, &e);
}

// Replies with xattr bytes or, for size 0, their length (getxattr/listxattr).
void ReplyXattr(fuse_req_t req, const store::Result<std::string>& value, size_t size) {
  if (!value.ok()) return ReplyStatus(req, value.status());
  if (size == 0) return (void)fuse_reply_xattr(req, value->size());
  if (size < value->size()) return ReplyError(req, ERANGE);
  fuse_reply_buf(req, value->data(), value->size());
}

void Init(void* userdata, fuse_conn_info* conn) {
  // libfuse 3.14 caps a request at its 1 MiB receive buffer.
  conn->max_write = kMaxWriteBytes;
  // libfuse 3.14 wants the mount's max_read repeated here (daemon.cc).
  KernelChannel& channel = static_cast<SessionUserdata*>(userdata)->kernel->channel();
  conn->max_read = channel.max_read();
  // Write boundaries matter (records): never let the kernel batch writes.
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  // Splicing into the kernel helps cold reads of sealed segments; splicing
  // writes in made small appends slower (reference/baselines.md). Over
  // io_uring every reply is copied into a ring buffer anyway.
  const bool ring = channel.io_uring_coming();
  if ((conn->capable & FUSE_CAP_SPLICE_WRITE) && !ring) conn->want |= FUSE_CAP_SPLICE_WRITE;
  conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_MOVE);
  if (conn->capable & FUSE_CAP_PARALLEL_DIROPS) conn->want |= FUSE_CAP_PARALLEL_DIROPS;
  if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA) conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
  // `current` changes target at every roll, made by any front-end (a Kafka
  // Produce too), and the daemon must see each READLINK to let the open
  // that follows it append even if a roll came in between
  // (link_resolutions.h): no FUSE_CAP_CACHE_SYMLINKS.
  conn->want &= ~FUSE_CAP_CACHE_SYMLINKS;
}

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Guard(req, FuseOp::kLookup, [&] {
    EntryReply entry;
    store::Status s = Fs(req).Lookup(parent, name, &entry);
    // An error reply is never cached as a negative entry, so a from/<N>
    // that does not exist yet is looked up again once the log reaches it.
    if (!s.ok()) return ReplyStatus(req, s);
    ReplyEntry(req, entry);
  });
}

void Forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  OpScope scope(Fs(req).request_stats(), FuseOp::kForget);
  Fs(req).Forget(ino, nlookup);
  fuse_reply_none(req);
}

void ForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  OpScope scope(Fs(req).request_stats(), FuseOp::kForget);
  for (size_t i = 0; i < count; ++i) Fs(req).Forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void GetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Guard(req, FuseOp::kGetattr, [&] {
    struct stat st;
    double timeout = 0;
    store::Status s = Fs(req).GetAttr(ino, fi ? File(fi) : nullptr, &st, &timeout);
    if (!s.ok()) return ReplyStatus(req, s);
    fuse_reply_attr(req, &st, timeout);
  });
}

void SetAttr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
             fuse_file_info* /*fi*/) {
  Guard(req, FuseOp::kSetattr, [&] {
    struct stat st;
    double timeout = 0;
    store::Status s = Fs(req).SetAttr(ino, *attr, to_set, &st, &timeout);
    if (!s.ok()) return ReplyStatus(req, s);
    fuse_reply_attr(req, &st, timeout);
  });
}

void ReadLink(fuse_req_t req, fuse_ino_t ino) {
  Guard(req, FuseOp::kReadlink, [&] {
    std::string target;
    store::Status s = Fs(req).ReadLink(ino, &target, fuse_req_ctx(req)->pid);
    if (!s.ok()) return ReplyStatus(req, s);
    fuse_reply_readlink(req, target.c_str());
  });
}

void MkDir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Guard(req, FuseOp::kMkdir, [&] {
    const fuse_ctx* ctx = fuse_req_ctx(req);
    EntryReply entry;
    store::Status s = Fs(req).MkDir(parent, name, mode, ctx->uid, ctx->gid, &entry);
    if (!s.ok()) return ReplyStatus(req, s);
    ReplyEntry(req, entry);
  });
}

void RmDir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Guard(req, FuseOp::kRmdir, [&] { ReplyStatus(req, Fs(req).RmDir(parent, name)); });
}

void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Guard(req, FuseOp::kUnlink, [&] { ReplyStatus(req, Fs(req).Unlink(parent, name)); });
}

// Files, links and renames are not part of the tree (DESIGN §1.7).
void Refuse(fuse_req_t req, FuseOp op) {
  Guard(req, op, [&] { ReplyError(req, EPERM); });
}
void MkNod(fuse_req_t req, fuse_ino_t, const char*, mode_t, dev_t) { Refuse(req, FuseOp::kMknod); }
void SymLink(fuse_req_t req, const char*, fuse_ino_t, const char*) {
  Refuse(req, FuseOp::kSymlink);
}
void Link(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) { Refuse(req, FuseOp::kLink); }
void Rename(fuse_req_t req, fuse_ino_t, const char*, fuse_ino_t, const char*, unsigned int) {
  Refuse(req, FuseOp::kRename);
}
void Create(fuse_req_t req, fuse_ino_t, const char*, mode_t, fuse_file_info*) {
  Refuse(req, FuseOp::kCreate);
}
void Fallocate(fuse_req_t req, fuse_ino_t, int, off_t, off_t, fuse_file_info*) {
  Refuse(req, FuseOp::kFallocate);
}

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Guard(req, FuseOp::kOpen, [&] {
    OpenReply open;
    store::Status s = Fs(req).Open(ino, fi->flags, &open, fuse_req_ctx(req)->pid);
    if (!s.ok()) return ReplyStatus(req, s);
    fi->fh = reinterpret_cast<uint64_t>(open.handle);
    fi->direct_io = open.direct_io;
    fi->keep_cache = open.keep_cache;
    // A read-only handle has nothing to commit at close: spare the FLUSH
    // round trip of every cat/grep/tail.
    fi->noflush = (fi->flags & O_ACCMODE) == O_RDONLY && !open.flush_on_close;
    int sent = open.backing_id > 0 ? ReplyOpenPassthrough(req, fi->fh, fi->noflush, open.backing_id)
                                   : fuse_reply_open(req, fi);
    if (sent != 0) Fs(req).Release(open.handle);  // interrupted
  });
}

void Read(fuse_req_t req, fuse_ino_t /*ino*/, size_t size, off_t off, fuse_file_info* fi) {
  Guard(req, FuseOp::kRead, [&] {
    ReadReply data;
    store::Status s = Fs(req).Read(File(fi), size, off, &data, fi->lock_owner);
    // A follower at the log end: the reply waits for the next record,
    // unless the reader asked not to wait (O_NONBLOCK, checked per read as
    // fcntl may change it).
    if (s.Is(store::Code::kWouldBlock) && !(fi->flags & O_NONBLOCK)) {
      const bool over_ring = Session(req).kernel->channel().ReplyLater();
      return Fs(req).follow_waits().ParkRead(req, File(fi), size, off, over_ring);
    }
    if (!s.ok()) return ReplyStatus(req, s);
    ReplyRead(req, data);
  });
}

void Write(fuse_req_t req, fuse_ino_t /*ino*/, const char* buf, size_t size, off_t /*off*/,
           fuse_file_info* fi) {
  // The offset is ignored: every write lands at the true end (O_APPEND).
  Guard(req, FuseOp::kWrite, [&] {
    store::Result<size_t> n = Fs(req).Write(File(fi), std::string_view(buf, size));
    if (!n.ok()) return ReplyStatus(req, n.status());
    fuse_reply_write(req, *n);
  });
}

void Poll(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi, fuse_pollhandle* ph) {
  Guard(req, FuseOp::kPoll, [&] { Fs(req).follow_waits().Poll(req, File(fi), ph); });
}

void Flush(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
  Guard(req, FuseOp::kFlush,
        [&] { ReplyStatus(req, Fs(req).Flush(File(fi), fuse_req_ctx(req)->pid, fi->lock_owner)); });
}

void Release(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
  Guard(req, FuseOp::kRelease, [&] {
    Fs(req).Release(File(fi));
    fuse_reply_err(req, 0);
  });
}

void Fsync(fuse_req_t req, fuse_ino_t /*ino*/, int /*datasync*/, fuse_file_info* fi) {
  Guard(req, FuseOp::kFsync, [&] { ReplyStatus(req, Fs(req).Fsync(File(fi))); });
}

void OpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Guard(req, FuseOp::kOpendir, [&] {
    DirHandle* dir = nullptr;
    store::Status s = Fs(req).OpenDir(ino, &dir);
    if (!s.ok()) return ReplyStatus(req, s);
    fi->fh = reinterpret_cast<uint64_t>(dir);
    if (fuse_reply_open(req, fi) != 0) delete dir;
  });
}

void ReadDir(fuse_req_t req, fuse_ino_t /*ino*/, size_t size, off_t off, fuse_file_info* fi) {
  Guard(req, FuseOp::kReaddir, [&] {
    const DirHandle* dir = reinterpret_cast<const DirHandle*>(fi->fh);
    std::string buf(size, '\0');
    size_t used = 0;
    for (size_t i = off; i < dir->entries.size(); ++i) {
      const DirEntry& e = dir->entries[i];
      struct stat st {};
      st.st_ino = e.ino;
      st.st_mode = e.type;
      size_t need = fuse_add_direntry(req, buf.data() + used, size - used, e.name.c_str(), &st,
                                      static_cast<off_t>(i + 1));
      if (need > size - used) break;
      used += need;
    }
    fuse_reply_buf(req, buf.data(), used);
  });
}

void ReleaseDir(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
  OpScope scope(Fs(req).request_stats(), FuseOp::kReleasedir);
  delete reinterpret_cast<DirHandle*>(fi->fh);
  fuse_reply_err(req, 0);
}

void StatFs(fuse_req_t req, fuse_ino_t /*ino*/) {
  Guard(req, FuseOp::kStatfs, [&] {
    struct statvfs st;
    store::Status s = Fs(req).StatFs(&st);
    if (!s.ok()) return ReplyStatus(req, s);
    fuse_reply_statfs(req, &st);
  });
}

void GetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  // Asked before writes by the kernel; answered without any lookup.
  Guard(req, FuseOp::kGetxattr, [&] {
    if (std::strcmp(name, "security.capability") == 0) return ReplyError(req, ENODATA);
    ReplyXattr(req, Fs(req).GetXattr(ino, name), size);
  });
}

void SetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
              int flags) {
  Guard(req, FuseOp::kSetxattr, [&] {
    std::string_view v(value, size);
    // The one attribute that acts, and the one that needs the caller.
    if (name == TopicFs::kDeleteXattr) {
      return ReplyStatus(req, Fs(req).DeleteTopicAs(ino, v, fuse_req_ctx(req)->uid));
    }
    ReplyStatus(req, Fs(req).SetXattr(ino, name, v, flags));
  });
}

void ListXattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  Guard(req, FuseOp::kListxattr, [&] { ReplyXattr(req, Fs(req).ListXattr(ino), size); });
}

void RemoveXattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  Guard(req, FuseOp::kRemovexattr, [&] { ReplyStatus(req, Fs(req).RemoveXattr(ino, name)); });
}

}  // namespace

fuse_lowlevel_ops MakeLowlevelOps() {
  fuse_lowlevel_ops ops{};
  ops.init = Init;
  ops.lookup = Lookup;
  ops.forget = Forget;
  ops.forget_multi = ForgetMulti;
  ops.getattr = GetAttr;
  ops.setattr = SetAttr;
  ops.readlink = ReadLink;
  ops.mknod = MkNod;
  ops.mkdir = MkDir;
  ops.unlink = Unlink;
  ops.rmdir = RmDir;
  ops.symlink = SymLink;
  ops.rename = Rename;
  ops.link = Link;
  ops.open = Open;
  ops.read = Read;
  ops.write = Write;
  ops.poll = Poll;
  ops.flush = Flush;
  ops.release = Release;
  ops.fsync = Fsync;
  ops.opendir = OpenDir;
  ops.readdir = ReadDir;
  ops.releasedir = ReleaseDir;
  ops.statfs = StatFs;
  ops.setxattr = SetXattr;
  ops.getxattr = GetXattr;
  ops.listxattr = ListXattr;
  ops.removexattr = RemoveXattr;
  ops.create = Create;
  ops.fallocate = Fallocate;
  return ops;
}

}  // namespace topicfs::fusefs

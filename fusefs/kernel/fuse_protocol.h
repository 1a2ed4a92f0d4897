// The parts of the FUSE kernel protocol newer than Debian 12's headers
// (<linux/fuse.h> is 7.38 there, libfuse 3.14): INIT flags, open flags,
// the passthrough ioctls and the io_uring transport's layouts, by the
// protocol version that brought each. Every number the daemon writes to or
// reads from the kernel that its system headers lack is here and nowhere
// else. When Debian's headers reach 7.42, this header shrinks to nothing.
#pragma once

#include <linux/fuse.h>
#include <sys/ioctl.h>

#include <cstddef>
#include <cstdint>

namespace topicfs::fusefs::protocol {

// ---- INIT (flags2 holds the high 32 bits of these) ----
constexpr uint64_t kDirectIoAllowMmap = 1ULL << 36;  // 7.39: MAP_SHARED of FOPEN_DIRECT_IO files
constexpr uint64_t kPassthrough = 1ULL << 37;        // 7.40
constexpr uint64_t kOverIoUring = 1ULL << 41;        // 7.42

// fuse_init_out as of 7.40: max_stack_depth took the first unused word.
constexpr size_t kInitOutFlags = offsetof(fuse_init_out, flags);
constexpr size_t kInitOutMaxWrite = offsetof(fuse_init_out, max_write);
constexpr size_t kInitOutMaxPages = offsetof(fuse_init_out, max_pages);
constexpr size_t kInitOutFlags2 = offsetof(fuse_init_out, flags2);
constexpr size_t kInitOutMaxStackDepth = kInitOutFlags2 + 4;
static_assert(kInitOutFlags == 12 && kInitOutMaxWrite == 20 && kInitOutMaxPages == 28 &&
              kInitOutFlags2 == 32);

// ---- Passthrough (7.40) ----
constexpr uint32_t kFopenPassthrough = 1u << 7;  // open_out.open_flags
constexpr uint32_t kFopenNoflush = 1u << 5;
struct BackingMap {
  int32_t fd;
  uint32_t flags;
  uint64_t padding;
};
constexpr unsigned long kIocBackingOpen = _IOW(229, 1, BackingMap);
constexpr unsigned long kIocBackingClose = _IOW(229, 2, uint32_t);
// fuse_open_out as of 7.40: backing_id took the padding word.
struct OpenOut {
  uint64_t fh;
  uint32_t open_flags;
  int32_t backing_id;
};
static_assert(sizeof(OpenOut) == sizeof(fuse_open_out));

// ---- FUSE over io_uring (7.42, the kernel's fs/fuse/dev_uring.c) ----
// The header buffer of an entry, 288 bytes:
//   0    in_out[128]  the request's fuse_in_header; the reply's fuse_out_header
//   128  op_in[128]   the request's first argument (fuse_write_in, ...)
//   256  flags u64, commit_id u64, payload_sz u32, padding u32, reserved u64
// The payload buffer holds the request's other arguments, concatenated
// (a name, the written bytes), then the reply's arguments (payload_sz bytes).
struct RingEntInOut {
  uint64_t flags;
  uint64_t commit_id;
  uint32_t payload_sz;
  uint32_t padding;
  uint64_t reserved;
};
struct RingHeader {
  char in_out[128];
  char op_in[128];
  RingEntInOut ent;
};
static_assert(sizeof(RingHeader) == 288);
// The command, in the 80-byte cmd area of a 128-byte SQE.
struct RingCmd {
  uint64_t flags;
  uint64_t commit_id;
  uint16_t qid;
  uint8_t padding[6];
};
static_assert(sizeof(RingCmd) == 24);
constexpr uint32_t kRingCmdRegister = 1;
constexpr uint32_t kRingCmdCommitAndFetch = 2;

}  // namespace topicfs::fusefs::protocol

// What /proc says about the thread that sent a request, for the one case
// where the kernel does not tell: over FUSE-over-io_uring, a signal that
// lands while a request is being handed to the daemon's ring (after it left
// the pending queue, before it is marked sent) sends no FUSE INTERRUPT
// (Linux 6.18 fs/fuse/dev_uring.c sets FR_SENT without the FR_INTERRUPTED
// check that /dev/fuse's read makes). The caller then sleeps
// uninterruptibly until the daemon answers, which for a read parked at a
// follower's log end may be never.
//
// A thread blocked in a parked read sleeps interruptibly ('S'); one that
// sleeps uninterruptibly ('D') with an unblocked signal pending has been
// signalled, and its INTERRUPT is lost or on its way: either way EINTR is
// the answer it wants.
#pragma once

#include <sys/types.h>

#include <string_view>

namespace topicfs::fusefs {

// From the text of /proc/<tid>/status.
bool StatusShowsSignalledWhileBlocked(std::string_view status);

// Reads /proc/<tid>/status; false when it cannot (the thread is gone).
bool CallerSignalledWhileBlocked(pid_t tid);

}  // namespace topicfs::fusefs

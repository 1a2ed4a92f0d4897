// The follow/<N> reads that wait at the log end, and the poll()s that wait
// for one to be readable (DESIGN §7). A read that finds no record is parked:
// its request gets no reply until the append that writes the next record
// wakes it (store::PartitionReader::WhenReadable, no polling, no thread per
// reader), a signal interrupts it (FUSE INTERRUPT: EINTR), its topic is
// deleted or the daemon stops (end of file).
//
// Replies to parked requests are sent from one waker thread: never from the
// appending thread, which may be serving an io_uring request whose reply a
// second one must not take, and whose write() should not wait for them.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>

#include "fusefs/fuse_api.h"
#include "fusefs/handles.h"

namespace topicfs::fusefs {

class TopicFs;

class FollowWaits {
 public:
  explicit FollowWaits(TopicFs* fs);
  ~FollowWaits();
  FollowWaits(const FollowWaits&) = delete;
  FollowWaits& operator=(const FollowWaits&) = delete;

  // Starts the waker thread; before the session serves requests.
  void Start();
  // Answers every parked read with end of file and wakes every poll; from
  // then on a read at the log end returns end of file at once. Safe from a
  // signal handler.
  void RequestEnd();
  // RequestEnd(), then ends the waker once it has answered everything.
  void Stop();

  // Read `req` of follow `handle` found nothing at `off`: replies once a
  // record is there (the read again), or as above. `interrupt_may_be_lost`
  // (a request that came over io_uring): the waker also looks, every
  // 200 ms, for a caller signalled without an INTERRUPT
  // (caller_state.h), and ends its read with EINTR.
  void ParkRead(fuse_req_t req, FileHandle* handle, size_t size, int64_t off,
                bool interrupt_may_be_lost);
  // poll() of `handle`: readable when a record is past what its last read
  // returned; when not, and `ph` is given, notifies `ph` once one is.
  void Poll(fuse_req_t req, FileHandle* handle, fuse_pollhandle* ph);
  // Before `handle` is freed: drops its poll watch.
  void Release(FileHandle* handle);

  // Reads parked now (tests and the log).
  size_t parked() const;

  struct Core;  // what the wake-ups share; defined in the .cc

 private:
  void Run();
  // Ends with EINTR the watched reads whose callers were signalled.
  void EndSignalledReads();

  TopicFs* const fs_;
  const std::shared_ptr<Core> core_;
  std::thread waker_;
};

}  // namespace topicfs::fusefs

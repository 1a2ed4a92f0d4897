// FUSE over io_uring (Linux >= 6.14, with /sys/module/fuse/parameters/
// enable_uring set to Y) on Debian 12's libfuse 3.14, which predates it.
// The kernel queues each request on the ring of the CPU that issued it, and
// one thread per CPU, pinned there, serves that ring, so a round trip never
// has to wake a thread on another CPU. On a VM that halts idle vCPUs that
// wakeup is most of a small request's cost: an `echo >> current` took
// 80-95 µs through /dev/fuse and about 40 µs here (docs/PERFORMANCE.md).
//
// A request arrives in two buffers per entry (headers, payload). It is laid
// out in place as the /dev/fuse message libfuse expects and handed to
// fuse_session_process_buf(); libfuse's reply comes back on the same thread
// through KernelChannel's writev hook to CaptureReply(), and goes back to the
// kernel with the COMMIT_AND_FETCH that also waits for the next request.
// With libfuse >= 3.18 all of this is libfuse's own.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "fusefs/fuse_api.h"
#include "store/env.h"

struct io_uring;  // liburing's

namespace topicfs::fusefs {

class FuseRing {
 public:
  explicit FuseRing(store::Env& env);
  ~FuseRing();
  FuseRing(const FuseRing&) = delete;
  FuseRing& operator=(const FuseRing&) = delete;

  // Before the INIT reply asks for io_uring: checks that this process can
  // make the rings and allocates every entry's buffers, `payload_size` bytes
  // of payload each (the kernel wants max(8 KiB, max_write, max_pages)).
  // Once the kernel agreed it blocks new requests until every CPU's queue is
  // registered, so nothing may fail after the reply; false: do not ask.
  bool Prepare(size_t payload_size);
  // Once the INIT reply is out: one thread per possible CPU registers its
  // entries and serves them until the connection ends or Stop().
  void Start(fuse_session* se, int dev_fd);
  // Ends and joins the threads.
  void Stop();
  size_t queues() const { return queues_.size(); }
  // Requests served over the rings so far (exact once Stop() returned).
  uint64_t served() const;

  // From the writev hook: true when the calling thread is serving a ring
  // request that `iov` (a fuse_out_header and its arguments) answers; the
  // reply is then in the entry, to go back with the next commit.
  static bool CaptureReply(const struct iovec* iov, int count);
  // From a handler on a ring thread: the request it serves will be answered
  // later, from another thread (a follow/ read parked until a record
  // comes). Its entry is set aside at once, so such a reply, however soon,
  // finds it. False (and nothing done) on a thread not serving a ring
  // request.
  bool ReplyLater();
  // From the writev hook on any other thread: true when `iov` answers a
  // request set aside by ReplyLater(). The reply goes into its entry, and
  // the entry's queue thread commits it.
  bool CaptureParkedReply(const struct iovec* iov, int count);

 private:
  store::Env& env_;  // where the rings' troubles are logged
  struct Entry;
  struct Queue;
  void RunQueue(Queue* queue);
  // Sets up a new entry of `queue`, with `payload_size_` bytes of payload.
  Entry* AddEntry(Queue* queue);
  // After Serve() left a parked entry: registers a fresh entry in its
  // place, so the queue keeps its depth however many requests are parked.
  // False when there is no memory for one.
  bool ReplaceParked(Queue* queue, io_uring* ring);
  // Commits the entries whose parked requests were answered since.
  int CommitAnswered(Queue* queue, io_uring* ring);
  // Serves `queue`'s requests until the stop signal or the connection's end.
  void ServeQueue(Queue* queue, ::io_uring* ring);
  void Serve(Entry* entry);
  static void PrepareCommand(io_uring* ring, Entry* entry, uint32_t op, const struct iovec* iov);
  // Copies the reply in `iov` into `e`'s buffers.
  static void FillReply(Entry* e, const struct iovec* iov, int count);

  // The entry whose request the calling thread is serving, if any.
  static thread_local Entry* serving_;

  fuse_session* se_ = nullptr;
  int dev_fd_ = -1;
  size_t payload_size_ = 0;
  std::vector<std::unique_ptr<Queue>> queues_;
  std::vector<std::thread> threads_;
  int stop_fd_ = -1;  // an eventfd; written once to end the queues

  std::mutex parked_mu_;
  std::unordered_map<uint64_t, Entry*> parked_;  // guarded; by request unique
};

}  // namespace topicfs::fusefs

#include "fusefs/kernel/fuse_ring.h"

#include <liburing.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "fusefs/kernel/fuse_protocol.h"

namespace topicfs::fusefs {
namespace {

using protocol::RingCmd;
using protocol::RingHeader;
constexpr uint32_t kCmdRegister = protocol::kRingCmdRegister;
constexpr uint32_t kCmdCommitAndFetch = protocol::kRingCmdCommitAndFetch;

constexpr int kDepth = 4;  // entries per queue
// Each entry's memory: a page of headers, a page in which the request's
// headers are copied in front of its payload, then the payload.
constexpr size_t kPage = 4096;

constexpr unsigned kRingFlags =
    IORING_SETUP_SQE128 | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;

// The kernel makes one queue per possible CPU, numbered by CPU.
int PossibleCpus() {
  std::ifstream in("/sys/devices/system/cpu/possible");
  std::string text;
  in >> text;
  int highest = -1;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find_first_of(",", at);
    std::string part = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    size_t dash = part.find('-');
    highest =
        std::max(highest, std::atoi(part.substr(dash == std::string::npos ? 0 : dash + 1).c_str()));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return highest + 1;
}

// Puts an error reply to request `unique` in an entry's headers.
void ReplyError(RingHeader* header, uint64_t unique, int err) {
  fuse_out_header out{sizeof(fuse_out_header), -err, unique};
  std::memcpy(header->in_out, &out, sizeof out);
  header->ent.payload_sz = 0;
}

// Sends the replies prepared in `ring` (waking the callers) while this
// thread is SCHED_IDLE. A caller woken by a thread that is running on its
// CPU is otherwise moved to an idle CPU (the scheduler's idle-sibling
// search and its "recently used CPU" hint), and from there the next request
// is served on that CPU, so the caller hops between CPUs on every round
// trip; on a VM that halts idle vCPUs each hop costs an interrupt to wake
// one (echo loop: 40 µs an echo when it stays, 100-140 µs when it hops).
// A CPU whose only running task is SCHED_IDLE counts as idle, so the caller
// stays here. The thread is back to SCHED_OTHER before it waits, so it
// never waits for work as an idle task (measured: no stall with both CPUs
// busy with other work; docs/PERFORMANCE.md).
void CommitYieldingCpu(io_uring* ring) {
  sched_param none{};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
  io_uring_submit(ring);
  pthread_setschedparam(pthread_self(), SCHED_OTHER, &none);
}

// Sets up `ring` the fast way (completions run in the serving thread), or
// the plain way on a kernel without those flags.
int InitRing(io_uring* ring) {
  io_uring_params params{};
  params.flags = kRingFlags;
  int rc = io_uring_queue_init_params(kDepth * 2, ring, &params);
  if (rc != -EINVAL) return rc;
  params = io_uring_params{};
  params.flags = IORING_SETUP_SQE128;
  return io_uring_queue_init_params(kDepth * 2, ring, &params);
}

}  // namespace

struct FuseRing::Entry {
  RingHeader* header = nullptr;
  char* payload = nullptr;
  size_t payload_size = 0;
  uint16_t qid = 0;
  uint64_t unique = 0;     // of the request being served
  uint64_t commit_id = 0;  // the kernel's name for it
  bool replied = false;
  bool parked = false;     // set aside by ReplyLater() while being served
  void* memory = nullptr;  // owned
  iovec iov[2];            // what REGISTER hands the kernel: headers, payload
  ~Entry() { std::free(memory); }
};

struct FuseRing::Queue {
  int qid = 0;
  std::atomic<uint64_t> served{0};  // written by the queue's thread only
  // As deep as kDepth plus the most requests parked at once (ReplaceParked()).
  std::vector<std::unique_ptr<Entry>> entries;  // the queue's thread only
  int answered_fd = -1;                         // an eventfd: parked requests were answered
  std::mutex answered_mu;
  std::vector<Entry*> answered;  // guarded by answered_mu
  ~Queue() {
    if (answered_fd >= 0) ::close(answered_fd);
  }
};

namespace {
// The user data of the completion that says parked requests were answered.
char answered_tag;
}  // namespace

thread_local FuseRing::Entry* FuseRing::serving_ = nullptr;

FuseRing::FuseRing(store::Env& env) : env_(env) {}
FuseRing::~FuseRing() {
  Stop();
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

bool FuseRing::Prepare(size_t payload_size) {
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) return false;
  io_uring probe;
  int rc = InitRing(&probe);
  if (rc < 0) {
    env_.LogInfo("io_uring: cannot make a ring (" + std::string(strerror(-rc)) +
                 "); requests go through /dev/fuse");
    return false;
  }
  io_uring_queue_exit(&probe);
  payload_size_ = payload_size;
  const int n = PossibleCpus();
  if (n <= 0) return false;
  for (int qid = 0; qid < n; ++qid) {
    auto queue = std::make_unique<Queue>();
    queue->qid = qid;
    // Non-blocking: one read may take the counts of several completions.
    queue->answered_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (queue->answered_fd < 0) {
      queues_.clear();
      return false;
    }
    for (int i = 0; i < kDepth; ++i) {
      if (AddEntry(queue.get()) == nullptr) {
        queues_.clear();
        return false;
      }
    }
    queues_.push_back(std::move(queue));
  }
  return true;
}

FuseRing::Entry* FuseRing::AddEntry(Queue* queue) {
  const size_t bytes = 2 * kPage + (payload_size_ + kPage - 1) / kPage * kPage;
  auto e = std::make_unique<Entry>();
  e->memory = std::aligned_alloc(kPage, bytes);
  if (e->memory == nullptr) return nullptr;
  e->header = new (e->memory) RingHeader();
  e->payload = static_cast<char*>(e->memory) + 2 * kPage;
  e->payload_size = payload_size_;
  e->qid = static_cast<uint16_t>(queue->qid);
  e->iov[0] = {e->header, sizeof(RingHeader)};
  e->iov[1] = {e->payload, payload_size_};
  queue->entries.push_back(std::move(e));
  return queue->entries.back().get();
}

void FuseRing::Start(fuse_session* se, int dev_fd) {
  se_ = se;
  dev_fd_ = dev_fd;
  for (auto& queue : queues_) threads_.emplace_back(&FuseRing::RunQueue, this, queue.get());
}

uint64_t FuseRing::served() const {
  uint64_t n = 0;
  for (const auto& queue : queues_) n += queue->served.load(std::memory_order_relaxed);
  return n;
}

void FuseRing::Stop() {
  if (threads_.empty()) return;
  // Every queue polls this descriptor: one write wakes them all.
  uint64_t one = 1;
  if (::write(stop_fd_, &one, sizeof one) != sizeof one)
    env_.LogError("io_uring: cannot wake the queues");
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  env_.LogInfo("io_uring: " + std::to_string(served()) + " requests served over the rings");
}

void FuseRing::RunQueue(Queue* queue) {
  // Serve the CPU whose requests this queue gets; a CPU that is offline
  // sends none, so a failed pin costs nothing.
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  CPU_SET(queue->qid, &cpus);
  (void)pthread_setaffinity_np(pthread_self(), sizeof cpus, &cpus);

  io_uring ring;
  int rc = InitRing(&ring);
  if (rc < 0) {
    // Prepare() made one a moment ago, so this is out of memory; the
    // kernel waits for this queue and the mount stalls: say so loudly.
    env_.LogError("io_uring: queue " + std::to_string(queue->qid) + ": " + strerror(-rc) +
                  "; requests from that CPU will wait");
    return;
  }
  rc = io_uring_register_files(&ring, &dev_fd_, 1);
  if (rc < 0) env_.LogError("io_uring: registering /dev/fuse: " + std::string(strerror(-rc)));
  for (auto& e : queue->entries) PrepareCommand(&ring, e.get(), kCmdRegister, e->iov);
  // The stop signal arrives as a completion without an entry.
  io_uring_sqe* stop = io_uring_get_sqe(&ring);
  io_uring_prep_poll_add(stop, stop_fd_, POLLIN);
  io_uring_sqe_set_data(stop, nullptr);
  io_uring_sqe* answered = io_uring_get_sqe(&ring);
  io_uring_prep_poll_multishot(answered, queue->answered_fd, POLLIN);
  io_uring_sqe_set_data(answered, &answered_tag);
  io_uring_submit(&ring);
  ServeQueue(queue, &ring);
  io_uring_queue_exit(&ring);
}

void FuseRing::ServeQueue(Queue* queue, io_uring* ring) {
  // Entries with a command in the kernel (REGISTER or COMMIT_AND_FETCH).
  int live = kDepth;
  while (live > 0) {
    if (io_uring_sq_ready(ring) > 0) CommitYieldingCpu(ring);
    int rc = io_uring_submit_and_wait(ring, 1);
    if (rc == -EINTR) continue;
    if (rc < 0) {
      env_.LogError("io_uring: queue " + std::to_string(queue->qid) + ": " + strerror(-rc));
      return;
    }
    unsigned head;
    unsigned seen = 0;
    bool stopping = false;
    bool answered = false;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(ring, head, cqe) {
      ++seen;
      void* data = io_uring_cqe_get_data(cqe);
      if (data == nullptr) {
        stopping = true;
      } else if (data == &answered_tag) {
        answered = true;
        if (!(cqe->flags & IORING_CQE_F_MORE)) {  // the multishot poll ended: re-arm
          io_uring_sqe* sqe = io_uring_get_sqe(ring);
          if (sqe == nullptr) {
            io_uring_submit(ring);
            sqe = io_uring_get_sqe(ring);
          }
          io_uring_prep_poll_multishot(sqe, queue->answered_fd, POLLIN);
          io_uring_sqe_set_data(sqe, &answered_tag);
        }
      } else if (cqe->res < 0) {
        // ENOTCONN: unmounted. Anything else is a refused command; the
        // kernel falls back to /dev/fuse when a registration fails.
        if (cqe->res != -ENOTCONN && cqe->res != -ECANCELED) {
          env_.LogError("io_uring: queue " + std::to_string(queue->qid) +
                        ": command refused: " + strerror(-cqe->res));
        }
        --live;
      } else {
        auto* e = static_cast<Entry*>(data);
        Serve(e);
        queue->served.store(queue->served.load(std::memory_order_relaxed) + 1,
                            std::memory_order_relaxed);
        if (e->parked) {
          // Its reply commits it (CommitAnswered). Until then the kernel
          // has one entry fewer: a fresh one keeps the queue kDepth deep,
          // unless entries that came back from earlier parked requests
          // already do.
          if (live - 1 >= kDepth || !ReplaceParked(queue, ring)) --live;
        } else {
          PrepareCommand(ring, e, kCmdCommitAndFetch, nullptr);
        }
      }
    }
    io_uring_cq_advance(ring, seen);
    if (answered) live += CommitAnswered(queue, ring);
    if (stopping) return;
  }
}

bool FuseRing::ReplyLater() {
  Entry* e = serving_;
  if (e == nullptr) return false;
  std::lock_guard lock(parked_mu_);
  e->parked = true;
  parked_[e->unique] = e;
  return true;
}

bool FuseRing::ReplaceParked(Queue* queue, io_uring* ring) {
  Entry* fresh = AddEntry(queue);
  if (fresh == nullptr) {
    env_.LogError("io_uring: queue " + std::to_string(queue->qid) + ": out of memory for an entry");
    return false;
  }
  PrepareCommand(ring, fresh, kCmdRegister, fresh->iov);
  return true;
}

int FuseRing::CommitAnswered(Queue* queue, io_uring* ring) {
  uint64_t count;
  (void)!::read(queue->answered_fd, &count, sizeof count);
  std::vector<Entry*> answered;
  {
    std::lock_guard lock(queue->answered_mu);
    answered.swap(queue->answered);
  }
  for (Entry* e : answered) PrepareCommand(ring, e, kCmdCommitAndFetch, nullptr);
  return static_cast<int>(answered.size());
}

void FuseRing::PrepareCommand(io_uring* ring, Entry* e, uint32_t op, const iovec* iov) {
  io_uring_sqe* sqe = io_uring_get_sqe(ring);
  if (sqe == nullptr) {  // the submission queue is full: send what is in it
    io_uring_submit(ring);
    sqe = io_uring_get_sqe(ring);
  }
  void* slot = sqe;
  // An SQE128: liburing 2.3 declares the command area as a zero-length
  // array, which GCC takes for the end of the object.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
  std::memset(slot, 0, 2 * sizeof(io_uring_sqe));
#pragma GCC diagnostic pop
  sqe->opcode = IORING_OP_URING_CMD;
  sqe->flags = IOSQE_FIXED_FILE;
  sqe->fd = 0;  // the registered /dev/fuse
  sqe->cmd_op = op;
  if (iov != nullptr) {
    sqe->addr = reinterpret_cast<uint64_t>(iov);
    sqe->len = 2;
  }
  RingCmd cmd{};
  cmd.commit_id = op == kCmdCommitAndFetch ? e->commit_id : 0;
  cmd.qid = e->qid;
  std::memcpy(sqe->cmd, &cmd, sizeof cmd);
  io_uring_sqe_set_data(sqe, e);
}

void FuseRing::Serve(Entry* e) {
  fuse_in_header in;
  std::memcpy(&in, e->header->in_out, sizeof in);
  const uint32_t payload_sz = e->header->ent.payload_sz;
  e->commit_id = e->header->ent.commit_id;
  e->unique = in.unique;
  e->replied = false;
  e->parked = false;
  // in.len counts the header, the first argument (in op_in) and the payload.
  const size_t op_len = in.len - sizeof in - payload_sz;
  if (in.len < sizeof in + payload_sz || op_len > sizeof e->header->op_in ||
      payload_sz > e->payload_size) {
    return ReplyError(e->header, in.unique, EIO);
  }
  char* message = e->payload - op_len - sizeof in;
  std::memcpy(message, &in, sizeof in);
  std::memcpy(message + sizeof in, e->header->op_in, op_len);
  fuse_buf buf{};
  buf.size = in.len;
  buf.mem = message;
  serving_ = e;
  fuse_session_process_buf(se_, &buf);
  serving_ = nullptr;
  // Every request that comes this way gets a reply from libfuse, now or,
  // when set aside by ReplyLater(), later; should one get neither, the
  // caller must not wait forever.
  if (!e->replied && !e->parked) ReplyError(e->header, in.unique, EIO);
}

bool FuseRing::CaptureReply(const struct iovec* iov, int count) {
  Entry* e = serving_;
  if (e == nullptr || count < 1 || iov[0].iov_len != sizeof(fuse_out_header)) return false;
  fuse_out_header out;
  std::memcpy(&out, iov[0].iov_base, sizeof out);
  if (out.unique != e->unique || e->replied || e->parked) return false;
  FillReply(e, iov, count);
  return true;
}

bool FuseRing::CaptureParkedReply(const struct iovec* iov, int count) {
  if (count < 1 || iov[0].iov_len != sizeof(fuse_out_header)) return false;
  fuse_out_header out;
  std::memcpy(&out, iov[0].iov_base, sizeof out);
  Entry* e;
  {
    std::lock_guard lock(parked_mu_);
    auto it = parked_.find(out.unique);
    if (it == parked_.end()) return false;
    e = it->second;
    parked_.erase(it);
  }
  FillReply(e, iov, count);
  Queue* queue = queues_[e->qid].get();
  {
    std::lock_guard lock(queue->answered_mu);
    queue->answered.push_back(e);
  }
  uint64_t one = 1;
  if (::write(queue->answered_fd, &one, sizeof one) < 0)
    env_.LogError("io_uring: cannot wake a queue");
  return true;
}

void FuseRing::FillReply(Entry* e, const struct iovec* iov, int count) {
  fuse_out_header out;
  std::memcpy(&out, iov[0].iov_base, sizeof out);
  size_t n = 0;
  for (int i = 1; i < count; ++i) {
    if (n + iov[i].iov_len > e->payload_size) {
      out.error = -EIO;
      n = 0;
      break;
    }
    std::memmove(e->payload + n, iov[i].iov_base, iov[i].iov_len);
    n += iov[i].iov_len;
  }
  out.len = static_cast<uint32_t>(sizeof out + n);
  std::memcpy(e->header->in_out, &out, sizeof out);
  e->header->ent.payload_sz = static_cast<uint32_t>(n);
  e->replied = true;
}

}  // namespace topicfs::fusefs

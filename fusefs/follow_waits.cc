#include "fusefs/follow_waits.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fusefs/caller_state.h"
#include "fusefs/replies.h"
#include "fusefs/topic_fs.h"

namespace topicfs::fusefs {
namespace {

constexpr unsigned kReadable = POLLIN | POLLRDNORM;
// How often the waker looks for callers signalled without an INTERRUPT
// (caller_state.h): the longest such a Ctrl-C waits.
constexpr std::chrono::milliseconds kCallerCheck{200};

void ReplyEndOfFile(fuse_req_t req) { fuse_reply_buf(req, nullptr, 0); }

// A read waiting at the log end. `serial` tells a wake-up meant for it from
// one meant for an earlier request that had the same fuse_req_t.
struct ParkedRead {
  fuse_req_t req = nullptr;
  FileHandle* handle = nullptr;
  size_t size = 0;
  int64_t off = 0;
  uint64_t serial = 0;
  store::WaitId wait = 0;
  pid_t caller = 0;           // the thread that sent it
  bool watch_caller = false;  // its INTERRUPT may never come
  // ParkRead() is done with `req`: before, only it, an interrupt or a
  // wake-up may answer it, all of which it orders.
  bool settled = false;
};

struct PollWatch {
  fuse_pollhandle* ph = nullptr;
  uint64_t serial = 0;
  store::WaitId wait = 0;
};

}  // namespace

// What the waiting side and the waker share. Wake-ups hold it weakly: one
// that fires after the mount ended finds nothing.
struct FollowWaits::Core {
  explicit Core(store::Env& log) : env(log) {}
  store::Env& env;  // the store's: where the waker's troubles are logged
  std::mutex mu;
  std::unordered_map<fuse_req_t, ParkedRead> parked;              // guarded by mu
  std::unordered_map<const FileHandle*, PollWatch> polls;         // guarded by mu
  std::vector<std::pair<ParkedRead, store::Status>> woken_reads;  // guarded by mu
  std::vector<fuse_pollhandle*> woken_polls;                      // guarded by mu
  uint64_t last_serial = 0;                                       // guarded by mu
  std::atomic<bool> ending{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> watching_callers{false};  // a read came over io_uring
  int wake_fd = -1;                           // an eventfd the waker sleeps on

  void Kick() {
    uint64_t one = 1;
    if (::write(wake_fd, &one, sizeof one) < 0) env.LogError("follow: cannot wake the waker");
  }
  // Takes request `req` out of the parked ones if it is there and still the
  // one `serial` names (any serial when 0): whoever does replies to it.
  bool Claim(fuse_req_t req, uint64_t serial, ParkedRead* out) {
    auto it = parked.find(req);
    if (it == parked.end() || (serial != 0 && it->second.serial != serial)) return false;
    *out = it->second;
    parked.erase(it);
    return true;
  }
};

namespace {

// libfuse calls this when the kernel interrupts a request (a signal to the
// reader), with the request's lock held; it may reply from here.
void OnInterrupt(fuse_req_t req, void* data) {
  auto* core = static_cast<FollowWaits::Core*>(data);
  ParkedRead read;
  {
    std::lock_guard lock(core->mu);
    if (!core->Claim(req, 0, &read)) return;  // answered already, or being
  }
  if (read.wait != 0) read.handle->reader->CancelWait(read.wait);
  ReplyError(req, EINTR);
}

}  // namespace

FollowWaits::FollowWaits(TopicFs* fs) : fs_(fs), core_(std::make_shared<Core>(fs->store().env())) {
  core_->wake_fd = ::eventfd(0, EFD_CLOEXEC);
}

FollowWaits::~FollowWaits() {
  Stop();
  if (core_->wake_fd >= 0) ::close(core_->wake_fd);
}

void FollowWaits::Start() {
  if (!waker_.joinable()) waker_ = std::thread(&FollowWaits::Run, this);
}

void FollowWaits::RequestEnd() {
  core_->ending.store(true);
  uint64_t one = 1;
  (void)!::write(core_->wake_fd, &one, sizeof one);  // async-signal-safe
}

void FollowWaits::Stop() {
  if (!waker_.joinable()) return;
  core_->stopping.store(true);
  RequestEnd();
  waker_.join();
}

size_t FollowWaits::parked() const {
  std::lock_guard lock(core_->mu);
  return core_->parked.size();
}

void FollowWaits::ParkRead(fuse_req_t req, FileHandle* handle, size_t size, int64_t off,
                           bool interrupt_may_be_lost) {
  Core& core = *core_;
  uint64_t serial;
  bool first;
  {
    std::lock_guard lock(core.mu);
    // Checked under the lock that the waker's sweep takes after `ending`
    // was set: a read parked after that sweep sees it here.
    if (core.ending.load()) return ReplyEndOfFile(req);
    serial = ++core.last_serial;
    first = core.parked.empty();
    core.parked[req] = ParkedRead{.req = req,
                                  .handle = handle,
                                  .size = size,
                                  .off = off,
                                  .serial = serial,
                                  .caller = fuse_req_ctx(req)->pid,
                                  .watch_caller = interrupt_may_be_lost};
    if (interrupt_may_be_lost) core.watching_callers.store(true);
  }
  // The waker sleeps without a timeout while nothing is parked: it starts
  // looking at callers now.
  if (interrupt_may_be_lost && first) core.Kick();
  fuse_req_interrupt_func(req, OnInterrupt, core_.get());
  std::weak_ptr<Core> weak = core_;
  store::Result<store::WaitId> wait = handle->reader->WhenReadable(
      store::ReadPosition(off), [weak, req, serial](const store::Status& why) {
        std::shared_ptr<Core> core = weak.lock();
        if (core == nullptr) return;
        {
          std::lock_guard lock(core->mu);
          ParkedRead read;
          if (!core->Claim(req, serial, &read)) return;
          core->woken_reads.emplace_back(read, why);
        }
        core->Kick();
      });
  std::lock_guard lock(core.mu);
  auto it = core.parked.find(req);
  if (it == core.parked.end() || it->second.serial != serial) {
    // Interrupted meanwhile: the wait, if any, has nobody to wake.
    if (wait.ok() && *wait != 0) handle->reader->CancelWait(*wait);
    return;
  }
  if (!wait.ok() || *wait == 0) {
    // A record came (or the topic went) between the read and the wait.
    core.woken_reads.emplace_back(it->second, wait.ok() ? store::Status::OK() : wait.status());
    core.parked.erase(it);
    core.Kick();
    return;
  }
  it->second.wait = *wait;
  it->second.settled = true;
}

void FollowWaits::Poll(fuse_req_t req, FileHandle* handle, fuse_pollhandle* ph) {
  if (handle->kind != FileHandle::Kind::kFollow) {
    // Files that never wait are always ready, as a plain file is.
    if (ph != nullptr) fuse_pollhandle_destroy(ph);
    return (void)fuse_reply_poll(req, kReadable | POLLOUT | POLLWRNORM);
  }
  const int64_t pos = handle->follow_pos.load(std::memory_order_relaxed);
  bool ready =
      core_->ending.load() || handle->reader->end().value() > pos || handle->partition->deleted();
  if (!ready && ph != nullptr) {
    uint64_t serial;
    {
      std::lock_guard lock(core_->mu);
      serial = ++core_->last_serial;
    }
    std::weak_ptr<Core> weak = core_;
    store::Result<store::WaitId> wait = handle->reader->WhenReadable(
        store::ReadPosition(pos), [weak, handle, serial](const store::Status&) {
          std::shared_ptr<Core> core = weak.lock();
          if (core == nullptr) return;
          {
            std::lock_guard lock(core->mu);
            auto it = core->polls.find(handle);
            if (it == core->polls.end() || it->second.serial != serial) return;
            core->woken_polls.push_back(it->second.ph);
            core->polls.erase(it);
          }
          core->Kick();
        });
    if (!wait.ok() || *wait == 0) {
      ready = true;
    } else {
      PollWatch old;
      {
        std::lock_guard lock(core_->mu);
        PollWatch& watch = core_->polls[handle];
        old = watch;
        watch = PollWatch{ph, serial, *wait};
      }
      ph = nullptr;  // the watch owns it
      if (old.ph != nullptr) {
        handle->reader->CancelWait(old.wait);
        fuse_pollhandle_destroy(old.ph);
      }
    }
  }
  if (ph != nullptr) fuse_pollhandle_destroy(ph);
  fuse_reply_poll(req, ready ? kReadable : 0);
}

void FollowWaits::Release(FileHandle* handle) {
  if (handle->kind != FileHandle::Kind::kFollow) return;
  PollWatch watch;
  {
    std::lock_guard lock(core_->mu);
    auto it = core_->polls.find(handle);
    if (it == core_->polls.end()) return;
    watch = it->second;
    core_->polls.erase(it);
  }
  handle->reader->CancelWait(watch.wait);
  fuse_pollhandle_destroy(watch.ph);
}

void FollowWaits::Run() {
  Core& core = *core_;
  auto last_check = std::chrono::steady_clock::now();
  for (;;) {
    // Asleep until kicked; over io_uring, while reads are parked, also
    // awake every kCallerCheck.
    bool look = false;
    {
      std::lock_guard lock(core.mu);
      look = core.watching_callers.load() && !core.parked.empty();
    }
    pollfd wake{core.wake_fd, POLLIN, 0};
    int ready = ::poll(&wake, 1, look ? static_cast<int>(kCallerCheck.count()) : -1);
    uint64_t count;
    if (ready > 0 && ::read(core.wake_fd, &count, sizeof count) < 0 && errno != EINTR) {
      core.env.LogError("follow: the waker cannot wait; followers get end of file");
      core.ending.store(true);
    }
    if (look && std::chrono::steady_clock::now() - last_check >= kCallerCheck) {
      EndSignalledReads();
      last_check = std::chrono::steady_clock::now();
    }
    std::vector<ParkedRead> ended;
    std::vector<std::pair<ParkedRead, store::Status>> reads;
    std::vector<fuse_pollhandle*> polls;
    std::vector<PollWatch> ended_polls;
    {
      std::lock_guard lock(core.mu);
      if (core.ending.load()) {
        for (auto& [req, read] : core.parked) ended.push_back(read);
        core.parked.clear();
        for (auto& [handle, watch] : core.polls) ended_polls.push_back(watch);
        core.polls.clear();
      }
      reads.swap(core.woken_reads);
      polls.swap(core.woken_polls);
    }
    for (ParkedRead& read : ended) {
      if (read.wait != 0) read.handle->reader->CancelWait(read.wait);
      ReplyEndOfFile(read.req);
    }
    for (PollWatch& watch : ended_polls) polls.push_back(watch.ph);
    for (auto& [read, why] : reads) {
      if (!why.ok()) {
        ReplyEndOfFile(read.req);  // the topic was deleted, or the store closed
        continue;
      }
      ReadReply data;
      store::Status s = fs_->Read(read.handle, read.size, read.off, &data);
      if (s.Is(store::Code::kWouldBlock)) {
        // Woken by bytes that were not yet a whole record for this reader
        // (or by a reader racing it): wait again, unless a signal came
        // while it was out of the parked set.
        if (fuse_req_interrupted(read.req)) {
          ReplyError(read.req, EINTR);
        } else {
          ParkRead(read.req, read.handle, read.size, read.off, read.watch_caller);
        }
        continue;
      }
      if (!s.ok()) {
        ReplyStatus(read.req, s);
      } else {
        ReplyRead(read.req, data);
      }
    }
    for (fuse_pollhandle* ph : polls) {
      fuse_lowlevel_notify_poll(ph);
      fuse_pollhandle_destroy(ph);
    }
    if (core.stopping.load()) return;
  }
}

void FollowWaits::EndSignalledReads() {
  Core& core = *core_;
  std::vector<ParkedRead> watched;
  {
    std::lock_guard lock(core.mu);
    for (const auto& [req, read] : core.parked) {
      if (read.watch_caller && read.settled) watched.push_back(read);
    }
  }
  for (const ParkedRead& candidate : watched) {
    if (!CallerSignalledWhileBlocked(candidate.caller)) continue;
    ParkedRead read;
    {
      std::lock_guard lock(core.mu);
      if (!core.Claim(candidate.req, candidate.serial, &read)) continue;  // answered meanwhile
    }
    if (read.wait != 0) read.handle->reader->CancelWait(read.wait);
    ReplyError(read.req, EINTR);
  }
}

}  // namespace topicfs::fusefs

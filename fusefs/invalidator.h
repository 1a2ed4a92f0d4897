// Tells the kernel to drop cached entries and attributes, from its own
// thread: a notification sent from the handler of a related operation (an
// unlink in the same directory) would deadlock on the directory lock.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

struct fuse_session;

namespace topicfs::fusefs {

class Invalidator {
 public:
  Invalidator() = default;
  ~Invalidator();
  Invalidator(const Invalidator&) = delete;
  Invalidator& operator=(const Invalidator&) = delete;

  // Starts the thread; `session` is borrowed and must outlive Stop().
  void Start(fuse_session* session);
  // Sends what is queued, then ends the thread.
  void Stop();

  // The name `name` in directory `parent` is gone or changed.
  void Entry(uint64_t parent, std::string name);
  // The attributes (and cached data) of `ino` changed.
  void Inode(uint64_t ino);

 private:
  struct Item {
    uint64_t ino;
    std::string name;  // empty: inode invalidation
  };
  void Run();

  fuse_session* session_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;  // guarded by mu_
  bool stop_ = false;       // guarded by mu_
  std::thread thread_;
};

}  // namespace topicfs::fusefs

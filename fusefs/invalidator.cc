#include "fusefs/invalidator.h"

#include "fusefs/fuse_api.h"

namespace topicfs::fusefs {

Invalidator::~Invalidator() { Stop(); }

void Invalidator::Start(fuse_session* session) {
  session_ = session;
  thread_ = std::thread([this] { Run(); });
}

void Invalidator::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Invalidator::Entry(uint64_t parent, std::string name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || session_ == nullptr) return;
    queue_.push_back(Item{parent, std::move(name)});
  }
  cv_.notify_one();
}

void Invalidator::Inode(uint64_t ino) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || session_ == nullptr) return;
    queue_.push_back(Item{ino, std::string()});
  }
  cv_.notify_one();
}

void Invalidator::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) return;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    // ENOENT (nothing cached) and ENOSYS (old kernel) are both fine to ignore.
    if (item.name.empty()) {
      fuse_lowlevel_notify_inval_inode(session_, item.ino, 0, 0);
    } else {
      fuse_lowlevel_notify_inval_entry(session_, item.ino, item.name.c_str(), item.name.size());
    }
    lock.lock();
  }
}

}  // namespace topicfs::fusefs

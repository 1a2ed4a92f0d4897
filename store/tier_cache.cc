#include "store/tier_cache.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace topicfs::store {
namespace {

constexpr int kReadAheadThreads = 3;

}  // namespace

Result<TierCache::ChunkBytes> TierCache::ChunkBytes::Map(size_t len) {
  ChunkBytes out;
  if (len == 0) return out;
  void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                   -1, 0);
  if (p == MAP_FAILED) return Status::FromErrno(errno, "a tier cache chunk");
  out.data_ = static_cast<char*>(p);
  out.size_ = out.mapped_ = len;
  return out;
}

TierCache::ChunkBytes& TierCache::ChunkBytes::operator=(ChunkBytes&& other) noexcept {
  if (this != &other) {
    if (mapped_ > 0) ::munmap(data_, mapped_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
  }
  return *this;
}

TierCache::ChunkBytes::~ChunkBytes() {
  if (mapped_ > 0) ::munmap(data_, mapped_);
}

TierCache::TierCache(std::shared_ptr<RemoteTier> tier, int64_t capacity_bytes,
                     std::function<void(const Status&)> on_failure)
    : tier_(std::move(tier)),
      capacity_(std::max<int64_t>(capacity_bytes, kChunkBytes)),
      on_failure_(std::move(on_failure)) {
  for (int i = 0; i < kReadAheadThreads; ++i)
    ahead_threads_.emplace_back([this] { ReadAheadLoop(); });
}

TierCache::~TierCache() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ahead_ready_.notify_all();
  for (auto& t : ahead_threads_) t.join();
  // Tasks never started: their waiters (none can be left, the cache is
  // going) would otherwise wait on chunks that never come.
}

Result<size_t> TierCache::Read(const std::string& key, int64_t size, char* buf, size_t len,
                               int64_t pos, bool sequential) {
  size_t done = 0;
  while (done < len && pos + static_cast<int64_t>(done) < size) {
    const int64_t at = pos + static_cast<int64_t>(done);
    const int64_t index = at / static_cast<int64_t>(kChunkBytes);
    Result<std::shared_ptr<Chunk>> chunk = Get(key, size, index);
    if (!chunk.ok()) return done > 0 ? Result<size_t>(done) : chunk.status();
    const ChunkBytes& bytes = (*chunk)->bytes;
    const size_t offset = static_cast<size_t>(at - index * static_cast<int64_t>(kChunkBytes));
    if (offset >= bytes.size()) break;  // the object is shorter than said
    const size_t n = std::min(len - done, bytes.size() - offset);
    std::memcpy(buf + done, bytes.data() + offset, n);
    done += n;
    if (sequential) ReadAhead(key, size, index);
  }
  return done;
}

Result<std::shared_ptr<TierCache::Chunk>> TierCache::Get(const std::string& key, int64_t size,
                                                         int64_t index) {
  ChunkKey at{key, index};
  std::shared_ptr<Chunk> chunk;
  {
    std::unique_lock lock(mu_);
    auto it = chunks_.find(at);
    if (it != chunks_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      chunk = it->second.chunk;
      fetched_.wait(lock, [&] { return chunk->ready; });
      if (!chunk->status.ok()) return chunk->status;
      ++stats_.hits;
      return chunk;
    }
    chunk = std::make_shared<Chunk>();
    lru_.push_front(at);
    chunks_.emplace(at, Entry{chunk, lru_.begin()});
  }
  Fetch(at, size, chunk);
  if (!chunk->status.ok()) return chunk->status;
  return chunk;
}

void TierCache::Fetch(const ChunkKey& at, int64_t size, const std::shared_ptr<Chunk>& chunk) {
  const int64_t start = at.second * static_cast<int64_t>(kChunkBytes);
  const size_t want =
      static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(kChunkBytes), size - start));
  Result<ChunkBytes> mapped = ChunkBytes::Map(want);
  Status status = mapped.status();
  ChunkBytes bytes;
  if (mapped.ok()) {
    bytes = std::move(*mapped);
    Result<size_t> got = tier_->GetRange(at.first, start, bytes.data(), want);
    status = got.status();
    if (got.ok()) bytes.shrink(*got);
  }
  {
    std::lock_guard lock(mu_);
    chunk->bytes = std::move(bytes);
    chunk->status = status;
    chunk->ready = true;
    ++stats_.fetches;
    auto it = chunks_.find(at);
    const bool listed = it != chunks_.end() && it->second.chunk == chunk;
    if (!status.ok()) {
      // A failed fetch is not kept: the next read asks the tier again.
      if (listed) {
        lru_.erase(it->second.lru);
        chunks_.erase(it);
      }
    } else {
      stats_.fetched_bytes += static_cast<int64_t>(chunk->bytes.size());
      if (listed) cached_bytes_ += static_cast<int64_t>(chunk->bytes.size());
      EvictLocked();
    }
  }
  fetched_.notify_all();
  if (!status.ok() && on_failure_) on_failure_(status);
}

void TierCache::ReadAhead(const std::string& key, int64_t size, int64_t after) {
  std::lock_guard lock(mu_);
  for (int i = 1; i <= kReadAheadChunks; ++i) {
    ChunkKey at{key, after + i};
    if (at.second * static_cast<int64_t>(kChunkBytes) >= size) break;
    if (chunks_.count(at)) continue;
    auto chunk = std::make_shared<Chunk>();
    lru_.push_front(at);
    chunks_.emplace(at, Entry{chunk, lru_.begin()});
    ahead_.push_back({std::move(at), size, std::move(chunk)});
  }
  ahead_ready_.notify_all();
}

void TierCache::ReadAheadLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    ahead_ready_.wait(lock, [&] { return stopping_ || !ahead_.empty(); });
    if (stopping_) {
      // Whoever waits on a queued chunk is told it will not come.
      for (AheadTask& task : ahead_) {
        task.chunk->status = Status::Unavailable("the store is closing");
        task.chunk->ready = true;
      }
      ahead_.clear();
      fetched_.notify_all();
      return;
    }
    AheadTask task = std::move(ahead_.front());
    ahead_.pop_front();
    lock.unlock();
    Fetch(task.at, task.size, task.chunk);
    lock.lock();
  }
}

void TierCache::EvictLocked() {
  while (cached_bytes_ > capacity_ && !lru_.empty()) {
    // Oldest first; a chunk still being fetched is skipped (it counts only
    // once fetched). Readers holding an evicted chunk keep their copy.
    auto victim = std::prev(lru_.end());
    while (victim != lru_.begin() && !chunks_.at(*victim).chunk->ready) --victim;
    Entry& entry = chunks_.at(*victim);
    if (!entry.chunk->ready) return;
    cached_bytes_ -= static_cast<int64_t>(entry.chunk->bytes.size());
    chunks_.erase(*victim);
    lru_.erase(victim);
  }
}

TierCache::Stats TierCache::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.cached_bytes = cached_bytes_;
  return s;
}

}  // namespace topicfs::store

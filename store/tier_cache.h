// Reads of remote objects through a bounded in-memory cache of fixed-size
// chunks (`-o tier.cache.bytes`), with read-ahead for sequential readers
// (DESIGN §9). A chunk is fetched with one ranged GET; readers that want a
// chunk being fetched wait for that fetch instead of starting another.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/private_header.h"
#include "store/remote_tier.h"
#include "store/status.h"

namespace topicfs::store {

class TierCache {
 public:
  static constexpr size_t kChunkBytes = 8 << 20;
  static constexpr int64_t kDefaultCapacity = 256 << 20;
  // Chunks fetched ahead of a sequential reader.
  static constexpr int kReadAheadChunks = 3;

  // `on_failure` is called (without locks) when a fetch fails.
  TierCache(std::shared_ptr<RemoteTier> tier, int64_t capacity_bytes,
            std::function<void(const Status&)> on_failure = {});
  ~TierCache();
  TierCache(const TierCache&) = delete;
  TierCache& operator=(const TierCache&) = delete;

  // Reads up to `len` bytes at `pos` of object `key`, `size` bytes long;
  // fewer only at its end. With `sequential`, the chunks after the one read
  // are fetched in the background.
  Result<size_t> Read(const std::string& key, int64_t size, char* buf, size_t len, int64_t pos,
                      bool sequential);

  // Fetches the first chunks of `key` in the background: a reader about to
  // finish the segment before it will read them next.
  void Prefetch(const std::string& key, int64_t size) { ReadAhead(key, size, -1); }

  RemoteTier& tier() { return *tier_; }
  int64_t capacity_bytes() const { return capacity_; }

  struct Stats {
    int64_t hits = 0;
    int64_t fetches = 0;  // ranged GETs made
    int64_t fetched_bytes = 0;
    int64_t cached_bytes = 0;
  };
  Stats stats() const;

 private:
  // A chunk's bytes, in pages the kernel maps already populated: a fresh
  // 8 MiB buffer touched page by page took 2,048 page faults, which on a VM
  // cost as much as the GET that fills it.
  class ChunkBytes {
   public:
    ChunkBytes() = default;
    static Result<ChunkBytes> Map(size_t len);
    ChunkBytes(ChunkBytes&& other) noexcept { *this = std::move(other); }
    ChunkBytes& operator=(ChunkBytes&& other) noexcept;
    ~ChunkBytes();
    char* data() { return data_; }
    const char* data() const { return data_; }
    size_t size() const { return size_; }
    void shrink(size_t n) { size_ = std::min(size_, n); }

   private:
    char* data_ = nullptr;
    size_t size_ = 0;
    size_t mapped_ = 0;
  };
  struct Chunk {
    ChunkBytes bytes;
    bool ready = false;
    Status status;
  };
  using ChunkKey = std::pair<std::string, int64_t>;  // object, chunk number
  struct Entry {
    std::shared_ptr<Chunk> chunk;
    std::list<ChunkKey>::iterator lru;
  };

  // The chunk, fetched by this thread if nobody has it or is fetching it.
  Result<std::shared_ptr<Chunk>> Get(const std::string& key, int64_t size, int64_t index);
  // Fetches into `chunk`, publishes it and wakes its waiters.
  void Fetch(const ChunkKey& at, int64_t size, const std::shared_ptr<Chunk>& chunk);
  void ReadAhead(const std::string& key, int64_t size, int64_t after);
  void EvictLocked();
  void ReadAheadLoop();

  std::shared_ptr<RemoteTier> tier_;
  const int64_t capacity_;
  std::function<void(const Status&)> on_failure_;

  mutable std::mutex mu_;
  std::condition_variable fetched_;
  std::map<ChunkKey, Entry> chunks_;  // guarded by mu_
  std::list<ChunkKey> lru_;           // guarded by mu_; most recent first
  int64_t cached_bytes_ = 0;          // guarded by mu_
  Stats stats_;                       // guarded by mu_

  struct AheadTask {
    ChunkKey at;
    int64_t size;
    std::shared_ptr<Chunk> chunk;
  };
  std::deque<AheadTask> ahead_;  // guarded by mu_
  std::condition_variable ahead_ready_;
  bool stopping_ = false;  // guarded by mu_
  std::vector<std::thread> ahead_threads_;
};

}  // namespace topicfs::store

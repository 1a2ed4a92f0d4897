// DescriptorCache (DESIGN §3: no command needs a descriptor per segment):
// the bound, pins, least-recently-used closing, reopening after an eviction,
// and a pinned descriptor of an unlinked file.
#include "store/descriptor_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

using test::TempDir;

// The descriptor is open and reads `want` from the start of its file.
void ExpectReads(int fd, const std::string& want) {
  std::string got(want.size() + 1, '\0');
  ssize_t n = ::pread(fd, got.data(), got.size(), 0);
  ASSERT_GE(n, 0) << "fd " << fd << ": " << strerror(errno);
  got.resize(n);
  EXPECT_EQ(got, want);
}

class DescriptorCacheTest : public ::testing::Test {
 protected:
  // `n` files named f0..f(n-1), each holding its own name, tracked by a
  // cache of `capacity`.
  void MakeFiles(int n, size_t capacity) {
    cache_ = DescriptorCache::Create(test::TestEnv(), capacity);
    for (int i = 0; i < n; ++i) {
      std::string name = "f" + std::to_string(i);
      test::WriteFile(dir_.Sub(name), name);
      files_.push_back(cache_->Track(dir_.Sub(name), O_RDONLY));
    }
  }
  FileRef Pin(int i) {
    Result<FileRef> ref = files_[i]->Acquire();
    EXPECT_TRUE(ref.ok()) << ref.status().ToString();
    return ref.ok() ? std::move(*ref) : FileRef();
  }
  // Acquires file `i`, checks what it reads, and lets go.
  void Use(int i) {
    FileRef ref = Pin(i);
    ExpectReads(ref.fd(), "f" + std::to_string(i));
  }

  TempDir dir_;
  std::shared_ptr<DescriptorCache> cache_;
  std::vector<std::shared_ptr<CachedFile>> files_;
};

TEST_F(DescriptorCacheTest, TrackingOpensNothing) {
  MakeFiles(10, 4);
  EXPECT_EQ(cache_->open_count(), 0u);
  EXPECT_EQ(cache_->opens(), 0u);
}

TEST_F(DescriptorCacheTest, OpenDescriptorsNeverExceedTheCapacity) {
  MakeFiles(50, 4);
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    Use(static_cast<int>(rng() % files_.size()));
    ASSERT_LE(cache_->open_count(), 4u);
  }
  EXPECT_EQ(cache_->open_count(), 4u);
}

TEST_F(DescriptorCacheTest, ACachedDescriptorIsNotOpenedAgain) {
  MakeFiles(2, 4);
  Use(0);
  Use(0);
  Use(0);
  EXPECT_EQ(cache_->opens(), 1u);
  EXPECT_TRUE(files_[0]->is_open());
}

TEST_F(DescriptorCacheTest, TheLeastRecentlyUsedDescriptorIsClosedFirst) {
  MakeFiles(4, 3);
  Use(0);
  Use(1);
  Use(2);
  Use(0);  // now 1 is the least recently used
  Use(3);
  EXPECT_TRUE(files_[0]->is_open());
  EXPECT_FALSE(files_[1]->is_open());
  EXPECT_TRUE(files_[2]->is_open());
  EXPECT_TRUE(files_[3]->is_open());
}

TEST_F(DescriptorCacheTest, AnEvictedFileIsReopenedOnItsNextUse) {
  MakeFiles(2, 1);
  Use(0);
  Use(1);
  EXPECT_FALSE(files_[0]->is_open());
  Use(0);
  EXPECT_EQ(cache_->opens(), 3u);
  EXPECT_EQ(cache_->open_count(), 1u);
}

TEST_F(DescriptorCacheTest, APinnedDescriptorIsNeverClosed) {
  MakeFiles(20, 2);
  FileRef a = Pin(0);
  FileRef b = Pin(1);
  for (int i = 2; i < 20; ++i) Use(i);  // every one of these must overflow
  ExpectReads(a.fd(), "f0");
  ExpectReads(b.fd(), "f1");
  EXPECT_TRUE(files_[0]->is_open());
  EXPECT_TRUE(files_[1]->is_open());
  // The overflow closed as soon as its pin went.
  EXPECT_EQ(cache_->open_count(), 2u);
  EXPECT_EQ(cache_->pinned_count(), 2u);
  a.Reset();
  b.Reset();
  EXPECT_EQ(cache_->pinned_count(), 0u);
  Use(5);
  EXPECT_EQ(cache_->open_count(), 2u);
}

TEST_F(DescriptorCacheTest, CopiesPinTooAndTheLastOneReleases) {
  MakeFiles(3, 1);
  FileRef a = Pin(0);
  FileRef copy = a;
  a.Reset();
  Use(1);  // cannot close file 0: the copy pins it
  ExpectReads(copy.fd(), "f0");
  EXPECT_TRUE(files_[0]->is_open());
  copy.Reset();
  Use(2);
  EXPECT_FALSE(files_[0]->is_open());
}

TEST_F(DescriptorCacheTest, APinnedDescriptorOfAnUnlinkedFileStillReads) {
  MakeFiles(8, 2);
  FileRef pinned = Pin(0);
  ASSERT_EQ(::unlink(files_[0]->path().c_str()), 0);
  for (int i = 1; i < 8; ++i) Use(i);
  ExpectReads(pinned.fd(), "f0");
  pinned.Reset();
  Use(1);
  Use(2);  // file 0 is closed now, and its name is gone
  Result<FileRef> again = files_[0]->Acquire();
  EXPECT_FALSE(again.ok());
}

TEST_F(DescriptorCacheTest, DroppingAFileClosesItsDescriptor) {
  MakeFiles(2, 4);
  Use(0);
  Use(1);
  EXPECT_EQ(cache_->open_count(), 2u);
  files_[0].reset();
  EXPECT_EQ(cache_->open_count(), 1u);
}

TEST_F(DescriptorCacheTest, AFileCreatedThroughTheCacheStaysOpen) {
  cache_ = DescriptorCache::Create(test::TestEnv(), 4);
  auto file = cache_->Track(dir_.Sub("new"), O_RDWR);
  {
    Result<FileRef> ref = file->Acquire(O_CREAT | O_EXCL);
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    ASSERT_EQ(::pwrite(ref->fd(), "abc", 3, 0), 3);
  }
  EXPECT_TRUE(file->is_open());
  EXPECT_EQ(test::ReadFile(dir_.Sub("new")), "abc");
}

TEST_F(DescriptorCacheTest, ManyThreadsStayNearTheBound) {
  constexpr int kThreads = 6;
  MakeFiles(64, 8);
  std::atomic<size_t> most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int round = 0; round < 2000; ++round) {
        int i = static_cast<int>(rng() % files_.size());
        Result<FileRef> ref = files_[i]->Acquire();
        ASSERT_TRUE(ref.ok());
        char c[4] = {};
        ASSERT_GE(::pread(ref->fd(), c, 3, 0), 2);
        ASSERT_EQ(std::string(c).substr(0, 1), "f");
        size_t open = cache_->open_count();
        size_t seen = most.load();
        while (open > seen && !most.compare_exchange_weak(seen, open)) {
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  // Each thread pins one descriptor at a time: at most that many over.
  EXPECT_LE(most.load(), 8u + kThreads);
  EXPECT_LE(cache_->open_count(), 8u);
}

}  // namespace
}  // namespace topicfs::store

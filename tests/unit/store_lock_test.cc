// The store's lock is never held across file I/O (issue 18 item 8): while
// one topic's files are being made, grown or moved aside — parked here on a
// latch inside that I/O — lookups, listings, appends and the creation of
// other topics go on, and a second creation or deletion of the same name
// waits for the first instead of meeting its half-made files.
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "store/store.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

using test::AppendOk;
using test::ReadAll;

constexpr int64_t kT0 = 1'700'000'000'000;
// Only a guard against a hang (the bug this file tests for); never a timing
// assertion: a store that works answers in microseconds.
constexpr auto kHang = std::chrono::seconds(30);

// Parks the first file operation on a path containing `needle` until
// Release(): a slow disk, under the caller's control.
class ParkingInjector : public Env {
 public:
  explicit ParkingInjector(std::string needle) : needle_(std::move(needle)) {}
  size_t BeforeWrite(const std::string&, size_t len, int*) override { return len; }
  int BeforeSync(const std::string& path) override { return MaybePark(path); }
  int BeforeOpen(const std::string& path) override { return MaybePark(path); }

  bool WaitParked() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kHang, [&] { return parked_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  int MaybePark(const std::string& path) {
    if (path.find(needle_) == std::string::npos) return 0;
    std::unique_lock lock(mu_);
    parked_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
    return 0;
  }
  const std::string needle_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool parked_ = false;    // guarded by mu_
  bool released_ = false;  // guarded by mu_
};

class StoreLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = test::OpenStore(dir_.Sub("data"));
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->CreateTopic("other", 1, TopicConfig()).ok());
    AppendOk(*store_->FindPartition("other", 0), "o\n", kT0);
  }

  // With `injector` parked inside `slow` (run on its own thread): what
  // another thread does to other topics finishes, then `slow` is let go.
  void ExpectOthersGoOn(ParkingInjector& injector, const std::function<Status()>& slow,
                        const std::function<void()>& others) {
    test::ScopedFaultInjector installed(&injector);
    std::future<Status> slow_done = std::async(std::launch::async, slow);
    ASSERT_TRUE(injector.WaitParked()) << "the slow operation never reached its I/O";
    std::future<void> others_done = std::async(std::launch::async, others);
    const bool went_on = others_done.wait_for(kHang) == std::future_status::ready;
    injector.Release();
    EXPECT_TRUE(went_on) << "other topics waited for the slow operation's I/O";
    others_done.get();
    EXPECT_TRUE(slow_done.get().ok());
  }

  test::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreLockTest, OtherTopicsGoOnWhileATopicIsCreated) {
  ParkingInjector injector("/topics/big/");
  ExpectOthersGoOn(
      injector, [&] { return store_->CreateTopic("big", 4, TopicConfig()); },
      [&] {
        ASSERT_NE(store_->FindPartition("other", 0), nullptr);
        // Not listed until it is whole.
        EXPECT_EQ(store_->ListTopics(), std::vector<std::string>{"other"});
        EXPECT_EQ(store_->FindTopic("big"), nullptr);
        AppendOk(*store_->FindPartition("other", 0), "p\n", kT0);
        EXPECT_TRUE(store_->CreateTopic("third", 1, TopicConfig()).ok());
      });
  ASSERT_NE(store_->FindTopic("big"), nullptr);
  EXPECT_EQ(store_->FindTopic("big")->partition_count(), 4);
  EXPECT_EQ(ReadAll(store_->FindPartition("other", 0)), "o\np\n");
}

TEST_F(StoreLockTest, OtherTopicsGoOnWhilePartitionsAreAdded) {
  ASSERT_TRUE(store_->CreateTopic("big", 1, TopicConfig()).ok());
  ParkingInjector injector("/topics/big/3/");
  ExpectOthersGoOn(
      injector, [&] { return store_->SetPartitionCount("big", 5); },
      [&] {
        AppendOk(*store_->FindPartition("other", 0), "p\n", kT0);
        EXPECT_EQ(store_->ListTopics().size(), 2u);
      });
  EXPECT_EQ(store_->FindTopic("big")->partition_count(), 5);
}

TEST_F(StoreLockTest, OtherTopicsGoOnWhileATopicIsMovedAside) {
  ASSERT_TRUE(store_->CreateTopic("big", 1, TopicConfig()).ok());
  AppendOk(*store_->FindPartition("big", 0), "b\n", kT0);
  ParkingInjector injector("/trash");
  ExpectOthersGoOn(
      injector, [&] { return store_->DeleteTopic("big", /*require_empty=*/false); },
      [&] {
        AppendOk(*store_->FindPartition("other", 0), "p\n", kT0);
        // Unlisted the moment it was marked; appends to it fail from then on.
        EXPECT_EQ(store_->ListTopics(), std::vector<std::string>{"other"});
      });
  EXPECT_EQ(store_->FindTopic("big"), nullptr);
}

TEST_F(StoreLockTest, ASecondCreationOfTheNameWaitsForTheFirst) {
  ParkingInjector injector("/topics/big/");
  test::ScopedFaultInjector installed(&injector);
  std::future<Status> first =
      std::async(std::launch::async, [&] { return store_->CreateTopic("big", 2, TopicConfig()); });
  ASSERT_TRUE(injector.WaitParked());
  std::future<Status> second =
      std::async(std::launch::async, [&] { return store_->CreateTopic("big", 1, TopicConfig()); });
  std::future<Status> deletion = std::async(
      std::launch::async, [&] { return store_->DeleteTopic("big", /*require_empty=*/true); });
  injector.Release();
  EXPECT_TRUE(first.get().ok());
  // Each saw the topic whole, or not at all: the creation finds it made
  // (AlreadyExists) or made it again after the deletion; the deletion
  // found it whole and empty.
  const Status second_status = second.get();
  const Status deletion_status = deletion.get();
  EXPECT_TRUE(deletion_status.ok()) << deletion_status.ToString();
  EXPECT_TRUE(second_status.ok() || second_status.Is(Code::kAlreadyExists))
      << second_status.ToString();
  std::shared_ptr<Topic> big = store_->FindTopic("big");
  if (second_status.ok()) {
    ASSERT_NE(big, nullptr);
    EXPECT_EQ(big->partition_count(), 1);
  } else {
    EXPECT_EQ(big, nullptr);
  }
}

}  // namespace
}  // namespace topicfs::store

// Which read path each open of a segment file gets (fusefs/open_segments.h):
// the kernel refuses an inode that mixes page-cache and passthrough opens, or
// a direct-I/O open next to passthrough ones, so these rules keep every open
// the daemon grants acceptable to the kernel.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "fusefs/open_segments.h"
#include "store/segment.h"
#include "tests/support/test_util.h"

namespace topicfs::fusefs {
namespace {

class FakeBacking : public BackingFiles {
 public:
  bool enabled() const override { return enabled_; }
  store::Result<int> Register(int fd) override {
    if (refuse_) return store::Status::Permission("no CAP_SYS_ADMIN");
    registered_fds.push_back(fd);
    ++live;
    return next_id_++;
  }
  void Unregister(int id) override {
    unregistered.push_back(id);
    --live;
  }

  bool enabled_ = true;
  bool refuse_ = false;
  int next_id_ = 7;
  int live = 0;
  std::vector<int> registered_fds;
  std::vector<int> unregistered;
};

class OpenSegmentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Result<std::shared_ptr<store::Segment>> seg =
        store::Segment::Create(dir_.path(), 0, 4096, *files_);
    ASSERT_TRUE(seg.ok()) << seg.status().ToString();
    segment_ = *seg;
  }
  OpenSegments::Grant Open(OpenSegments& open, ReadPath wanted, uint64_t ino = 10) {
    store::Result<OpenSegments::Grant> grant = open.Open(ino, segment_, wanted);
    EXPECT_TRUE(grant.ok()) << grant.status().ToString();
    return grant.ok() ? *grant : OpenSegments::Grant{};
  }

  std::shared_ptr<store::DescriptorCache> files_ =
      store::DescriptorCache::Create(test::TestEnv(), 16);
  test::TempDir dir_;
  std::shared_ptr<store::Segment> segment_;
  FakeBacking backing_;
};

TEST_F(OpenSegmentsTest, PassthroughOpensShareOneBackingIdUntilTheLastRelease) {
  OpenSegments open(&backing_);
  OpenSegments::Grant a = Open(open, ReadPath::kPassthrough);
  OpenSegments::Grant b = Open(open, ReadPath::kPassthrough);
  EXPECT_EQ(a.path, ReadPath::kPassthrough);
  EXPECT_EQ(b.path, ReadPath::kPassthrough);
  EXPECT_GT(a.backing_id, 0);
  EXPECT_EQ(a.backing_id, b.backing_id);
  EXPECT_EQ(backing_.registered_fds, std::vector<int>{segment_->OpenLog()->fd()});
  open.Release(10, ReadPath::kPassthrough);
  EXPECT_TRUE(backing_.unregistered.empty());
  open.Release(10, ReadPath::kPassthrough);
  EXPECT_EQ(backing_.unregistered, std::vector<int>{a.backing_id});
  EXPECT_EQ(backing_.live, 0);
  // The next open registers the file again.
  EXPECT_NE(Open(open, ReadPath::kPassthrough).backing_id, a.backing_id);
}

TEST_F(OpenSegmentsTest, PageCacheOpensKeepPassthroughOffUntilTheyAreReleased) {
  OpenSegments open(&backing_);
  EXPECT_EQ(Open(open, ReadPath::kPageCache).path, ReadPath::kPageCache);
  OpenSegments::Grant g = Open(open, ReadPath::kPassthrough);
  EXPECT_EQ(g.path, ReadPath::kPageCache);
  EXPECT_EQ(g.backing_id, 0);
  EXPECT_TRUE(backing_.registered_fds.empty());
  open.Release(10, ReadPath::kPageCache);
  open.Release(10, ReadPath::kPageCache);
  EXPECT_EQ(Open(open, ReadPath::kPassthrough).path, ReadPath::kPassthrough);
}

TEST_F(OpenSegmentsTest, PageCacheOpenJoinsExistingPassthroughOpens) {
  OpenSegments open(&backing_);
  OpenSegments::Grant first = Open(open, ReadPath::kPassthrough);
  OpenSegments::Grant second = Open(open, ReadPath::kPageCache);
  EXPECT_EQ(second.path, ReadPath::kPassthrough);
  EXPECT_EQ(second.backing_id, first.backing_id);
}

TEST_F(OpenSegmentsTest, DirectIoIsRefusedNextToPassthroughButNotNextToPageCache) {
  OpenSegments open(&backing_);
  Open(open, ReadPath::kPassthrough);
  store::Result<OpenSegments::Grant> refused = open.Open(10, segment_, ReadPath::kDaemon);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().Is(store::Code::kPermission));
  // Another inode is unaffected, and so is this one once released.
  EXPECT_EQ(Open(open, ReadPath::kDaemon, 11).path, ReadPath::kDaemon);
  open.Release(10, ReadPath::kPassthrough);
  EXPECT_EQ(Open(open, ReadPath::kDaemon).path, ReadPath::kDaemon);
  EXPECT_EQ(Open(open, ReadPath::kPageCache).path, ReadPath::kPageCache);
}

// An active-segment reader, sealed since, may hold a shared mapping of it,
// which the kernel does not mix with passthrough opens (EIO).
TEST_F(OpenSegmentsTest, DirectIoOpensKeepLaterReadersOnTheDaemonUntilReleased) {
  OpenSegments open(&backing_);
  Open(open, ReadPath::kDaemon);
  EXPECT_EQ(Open(open, ReadPath::kPassthrough).path, ReadPath::kDaemon);
  open.Release(10, ReadPath::kDaemon);
  open.Release(10, ReadPath::kDaemon);
  EXPECT_EQ(Open(open, ReadPath::kPassthrough).path, ReadPath::kPassthrough);
}

TEST_F(OpenSegmentsTest, WithoutPassthroughEverySealedOpenUsesThePageCache) {
  backing_.enabled_ = false;
  OpenSegments disabled(&backing_);
  EXPECT_EQ(Open(disabled, ReadPath::kPassthrough).path, ReadPath::kPageCache);
  OpenSegments none(nullptr);
  EXPECT_EQ(Open(none, ReadPath::kPassthrough).path, ReadPath::kPageCache);
  backing_.enabled_ = true;
  backing_.refuse_ = true;
  OpenSegments refusing(&backing_);
  EXPECT_EQ(Open(refusing, ReadPath::kPassthrough).path, ReadPath::kPageCache);
  EXPECT_TRUE(backing_.registered_fds.empty());
}

TEST_F(OpenSegmentsTest, WithoutPassthroughReadersUseTheDaemonWhileAppendHandlesAreOpen) {
  backing_.enabled_ = false;
  OpenSegments open(&backing_);
  Open(open, ReadPath::kDaemon);  // an append handle opened before the roll
  EXPECT_EQ(Open(open, ReadPath::kPassthrough).path, ReadPath::kDaemon);
  open.Release(10, ReadPath::kDaemon);
  open.Release(10, ReadPath::kDaemon);
  EXPECT_EQ(Open(open, ReadPath::kPassthrough).path, ReadPath::kPageCache);
}

TEST_F(OpenSegmentsTest, AnOpenInodeKeepsItsSegmentUntilTheLastRelease) {
  OpenSegments open(&backing_);
  EXPECT_EQ(open.Find(10), nullptr);
  Open(open, ReadPath::kDaemon);
  Open(open, ReadPath::kPassthrough, 12);
  EXPECT_EQ(open.Find(10), segment_);
  open.Release(10, ReadPath::kDaemon);
  EXPECT_EQ(open.Find(10), nullptr);
  EXPECT_EQ(open.Find(12), segment_);
  // A refused open leaves nothing behind.
  EXPECT_FALSE(open.Open(12, segment_, ReadPath::kDaemon).ok());
  open.Release(12, ReadPath::kPassthrough);
  EXPECT_EQ(open.Find(12), nullptr);
}

}  // namespace
}  // namespace topicfs::fusefs

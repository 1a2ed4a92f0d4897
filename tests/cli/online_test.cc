// The same commands through a live mount (MOUNT/NAME), checked against what
// the filesystem shows. Each test mounts a fresh data directory and unmounts
// it even when it fails; tests skip where FUSE is unavailable.
#include <gtest/gtest.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/support/cli_runner.h"

namespace topicfs::cli_test {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string Xattr(const std::string& path, const std::string& name) {
  char buf[256];
  ssize_t n = ::getxattr(path.c_str(), name.c_str(), buf, sizeof buf);
  return n < 0 ? "<error>" : std::string(buf, n);
}

bool IsMounted(const std::string& dir) {
  return Contains(ReadFile("/proc/mounts"), " " + dir + " ");
}

class OnlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse";
    if (!Contains(RunTopicfs({"--help"}).out, "mount")) GTEST_SKIP() << "no mount command";
    data_ = dir_.Sub("data");
    mnt_ = dir_.Sub("mnt");
    std::filesystem::create_directories(mnt_);
    RunResult r = RunTopicfs({"mount", data_, mnt_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(IsMounted(mnt_));
  }
  void TearDown() override {
    if (mnt_.empty() || !IsMounted(mnt_)) return;
    RunTopicfs({"unmount", mnt_});
    if (IsMounted(mnt_)) std::system(("fusermount3 -uz '" + mnt_ + "'").c_str());
  }
  RunResult Ok(const std::vector<std::string>& args, std::string_view input = "") {
    RunResult r = RunTopicfs(args, input);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }
  std::string Topic(const std::string& name) const { return mnt_ + "/" + name; }

  TempDir dir_;
  std::string data_;
  std::string mnt_;
};

TEST_F(OnlineTest, CreateSetsConfigsAsXattrsAndPartitionsAsDirectories) {
  Ok({"topic", "create", Topic("orders"), "--partitions", "3", "--retention", "3d",
      "--segment-bytes", "64K", "--config", "flush.messages=100"});
  EXPECT_TRUE(std::filesystem::is_directory(Topic("orders") + "/2"));
  EXPECT_EQ(Xattr(Topic("orders"), "user.topicfs.retention.ms"), "259200000");
  EXPECT_EQ(Xattr(Topic("orders"), "user.topicfs.segment.bytes"), "65536");
  EXPECT_EQ(Ok({"topic", "list", mnt_}).out, "orders\n");
  std::string d = Ok({"topic", "describe", Topic("orders")}).out;
  EXPECT_TRUE(Contains(d, "partitions: 3\n")) << d;
  EXPECT_TRUE(Contains(d, "retention.ms           259200000    3d\n")) << d;

  Ok({"topic", "alter", Topic("orders"), "--partitions", "4", "--delete-config", "flush.messages"});
  EXPECT_TRUE(std::filesystem::is_directory(Topic("orders") + "/3"));
  EXPECT_EQ(Xattr(Topic("orders"), "user.topicfs.flush.messages"), "-1");
  Ok({"retention", "set", Topic("orders"), "--bytes", "10G"});
  EXPECT_EQ(Xattr(Topic("orders"), "user.topicfs.retention.bytes"), "10737418240");
}

TEST_F(OnlineTest, ProduceAndConsumeGiveTheSameBytesAsTheSegments) {
  std::string input = MakeLines(40000);
  Ok({"topic", "create", Topic("t"), "--partitions", "2", "--segment-bytes", "64K"});
  Ok({"produce", Topic("t"), "--partition", "1"}, input);
  std::vector<std::string> logs = FilesWithSuffix(Topic("t") + "/1", ".log");
  ASSERT_GT(logs.size(), 5u);
  std::string all;
  for (const std::string& log : logs) all += ReadFile(log);
  EXPECT_TRUE(all == input);
  for (int64_t n : {0, 1, 2048, 39999}) {
    RunResult r = Ok({"consume", Topic("t"), "-p", "1", "--offset", std::to_string(n), "-n", "1"});
    EXPECT_EQ(r.out, LineAt(input, n)) << n;
  }
  RunResult r = Ok({"consume", Topic("t"), "-p", "1", "--from-beginning"});
  EXPECT_TRUE(r.out == input);
  r = RunTopicfs({"consume", Topic("t"), "-p", "1", "--offset", "40001"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err_lines(), 1) << r.err;
  EXPECT_EQ(Ok({"consume", Topic("t"), "-p", "1", "--offset", "40000"}).out, "");
}

TEST_F(OnlineTest, FollowSeesRecordsAppendedLater) {
  Ok({"topic", "create", Topic("f")});
  std::string out_path = dir_.Sub("follow.out");
  std::thread follower([&] {
    std::system(("timeout 3 " + std::string(TOPICFS_BIN) + " consume '" + Topic("f") +
                 "' --from-beginning -f -n 3 > '" + out_path + "'")
                    .c_str());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Ok({"produce", Topic("f")}, "a\nb\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::ofstream(Topic("f") + "/0/current", std::ios::app) << "c\n";
  follower.join();
  EXPECT_EQ(ReadFile(out_path), "a\nb\nc\n");
}

TEST_F(OnlineTest, RetentionApplyRemovesTheOldestSealedSegments) {
  Ok({"topic", "create", Topic("r"), "--segment-bytes", "16K", "--retention-bytes", "64K"});
  Ok({"produce", Topic("r")}, MakeLines(20000));
  size_t before = FilesWithSuffix(Topic("r") + "/0", ".log").size();
  std::string dry = Ok({"retention", "apply", Topic("r"), "--dry-run"}).out;
  EXPECT_TRUE(Contains(dry, "would delete " + Topic("r") + "/0/00000000000000000000.log")) << dry;
  EXPECT_EQ(FilesWithSuffix(Topic("r") + "/0", ".log").size(), before);
  Ok({"retention", "apply", mnt_});
  std::vector<std::string> after = FilesWithSuffix(Topic("r") + "/0", ".log");
  EXPECT_LT(after.size(), before);
  int64_t oldest_base = std::stoll(after[0].substr(after[0].rfind('/') + 1, 20));
  EXPECT_EQ(Xattr(Topic("r") + "/0", "user.topicfs.log_start_offset"), std::to_string(oldest_base));
}

TEST_F(OnlineTest, VerifyFindsASealedSegmentChangedOnDisk) {
  Ok({"topic", "create", Topic("v"), "--segment-bytes", "16K"});
  Ok({"produce", Topic("v")}, MakeLines(5000));
  EXPECT_EQ(RunTopicfs({"verify", mnt_}).exit_code, 0);
  std::vector<std::string> logs = FilesWithSuffix(data_ + "/topics/v/0", ".log");
  ASSERT_GT(logs.size(), 2u);
  OverwriteAt(logs[1], 10, "#");
  RunResult r = RunTopicfs({"verify", mnt_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.out, Topic("v") + "/0/" + logs[1].substr(logs[1].rfind('/') + 1)))
      << r.out;
}

TEST_F(OnlineTest, TheDataDirectoryOfAMountedStoreIsRefused) {
  Ok({"topic", "create", Topic("t")});
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"topic", "describe", "--data", data_, "t"},
                                             {"produce", "--data", data_, "t"},
                                             {"topic", "list", "--data", data_},
                                             {"verify", data_},
                                             {"recover", data_}}) {
    RunResult r = RunTopicfs(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_EQ(r.err_lines(), 1) << r.err;
    EXPECT_TRUE(Contains(r.err, mnt_)) << r.err;
  }
}

TEST_F(OnlineTest, DeleteRemovesATopicWithItsRecordsOnALiveMount) {
  Ok({"topic", "create", Topic("empty"), "--partitions", "2"});
  Ok({"topic", "delete", Topic("empty")});
  EXPECT_FALSE(std::filesystem::exists(Topic("empty")));
  Ok({"produce", Topic("full")}, "x\ny\n");  // created on the way
  ASSERT_EQ(::setxattr(Topic("full").c_str(), "user.team", "a", 1, 0), 0);
  RunResult r = Ok({"topic", "delete", Topic("full")});
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(std::filesystem::exists(Topic("full")));
  EXPECT_EQ(Ok({"topic", "list", mnt_}).out, "");
  // Made again, the name starts empty: no records, no old user xattrs.
  Ok({"topic", "create", Topic("full")});
  EXPECT_EQ(Xattr(Topic("full") + "/0", "user.topicfs.log_end_offset"), "0");
  EXPECT_EQ(Xattr(Topic("full"), "user.team"), "<error>");
  EXPECT_EQ(Ok({"consume", Topic("full"), "--from-beginning"}).out, "");
}

TEST_F(OnlineTest, DeleteOfAMissingTopicFailsWithOneLine) {
  RunResult r = RunTopicfs({"topic", "delete", Topic("nope")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err_lines(), 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "nope")) << r.err;
}

TEST_F(OnlineTest, PathsEndingInDotNameTheTopicTheyAreIn) {
  Ok({"topic", "create", Topic("t"), "--partitions", "2"});
  for (const std::string& path : {Topic("t") + "/.", Topic("t") + "/0/..", Topic("t") + "/"}) {
    RunResult r = Ok({"topic", "describe", path});
    EXPECT_TRUE(Contains(r.out, "topic: t")) << path << ": " << r.out;
    r = Ok({"retention", "show", path});
    EXPECT_TRUE(Contains(r.out, "topic: t")) << path << ": " << r.out;
  }
}

TEST_F(OnlineTest, RetentionSetSaysWhatItSetAndWhenItApplies) {
  Ok({"topic", "create", Topic("t")});
  RunResult r = Ok({"retention", "set", Topic("t"), "--time", "3d"});
  EXPECT_TRUE(Contains(r.out, "retention.ms = 259200000")) << r.out;
  EXPECT_TRUE(Contains(r.out, "topicfs retention apply " + Topic("t"))) << r.out;
  EXPECT_EQ(Xattr(Topic("t"), "user.topicfs.retention.ms"), "259200000");
}

TEST_F(OnlineTest, DumpFollowsCurrentToTheActiveSegment) {
  Ok({"produce", Topic("t")}, "alpha\nbeta\n");
  RunResult r = Ok({"dump", Topic("t") + "/0/current"});
  EXPECT_TRUE(Contains(r.out, "offset: 1 position: 6 size: 5 payload: beta")) << r.out;
}

}  // namespace
}  // namespace topicfs::cli_test

// The S3 client against a real S3-protocol server (s3rver) whose every
// request's SigV4 signature is checked with botocore by a proxy that also
// injects 500s and slow answers; then the store and a mount over it.
#include "tier/s3_tier.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "store/partition_reader.h"
#include "store/store.h"
#include "store/tier_manager.h"
#include "tests/e2e/s3_server.h"
#include "tests/support/mount_fixture.h"
#include "tests/support/test_util.h"

namespace topicfs::e2e {
namespace {

using store::Code;

std::string Pattern(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1103515245 + 12345;
    out[i] = static_cast<char>(seed >> 16);
  }
  return out;
}

class S3TierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ASSERT_TRUE(server_.Start(dir_.path(), &why)) << why;
    tier_ = MakeTier(S3Server::kSecretKey);
  }
  void TearDown() override { server_.Stop(); }
  std::shared_ptr<tier::S3Tier> MakeTier(const std::string& secret) {
    return std::make_shared<tier::S3Tier>(
        tier::S3Location{server_.endpoint(), "us-east-1", S3Server::kBucket, "pre/fix"},
        tier::S3Credentials{S3Server::kAccessKey, secret, ""});
  }
  // A file of `bytes`, open for reading.
  int FileOf(const std::string& bytes) {
    const std::string path = dir_.Sub("file-" + std::to_string(files_++));
    test::WriteFile(path, bytes);
    return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }

  test::TempDir dir_;
  S3Server server_;
  std::shared_ptr<tier::S3Tier> tier_;
  int files_ = 0;
};

TEST_F(S3TierTest, SignedRequestsPutGetListAndDelete) {
  ASSERT_TRUE(tier_->PutBytes("a/x.manifest", "hello world").ok()) << server_.ProxyLog();
  auto all = tier_->GetAll("a/x.manifest");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, "hello world");
  char buf[5];
  auto n = tier_->GetRange("a/x.manifest", 6, buf, sizeof buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "world");
  auto listed = tier_->List("a/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "a/x.manifest");
  EXPECT_EQ((*listed)[0].size, 11);
  ASSERT_TRUE(tier_->Delete("a/x.manifest").ok());
  EXPECT_TRUE(tier_->GetAll("a/x.manifest").status().Is(Code::kNotFound));
  EXPECT_TRUE(tier_->Delete("a/x.manifest").ok());  // already gone is fine
  EXPECT_EQ(server_.ProxyLog(), "");  // no signature was refused
}

TEST_F(S3TierTest, AWrongSecretIsRefusedAsAPermissionProblem) {
  auto wrong = MakeTier("not-the-secret");
  store::Status s = wrong->PutBytes("k", "v");
  EXPECT_TRUE(s.Is(Code::kPermission)) << s.ToString();
  EXPECT_NE(s.message().find("SignatureDoesNotMatch"), std::string::npos) << s.message();
}

TEST_F(S3TierTest, ALargeFileGoesUpInPartsAndComesBackWhole) {
  const std::string bytes = Pattern(40 << 20, 7);  // three parts
  int fd = FileOf(bytes);
  ASSERT_GE(fd, 0);
  store::Status put = tier_->PutFile("big.log", fd, static_cast<int64_t>(bytes.size()));
  ::close(fd);
  ASSERT_TRUE(put.ok()) << put.ToString() << server_.ProxyLog();
  auto back = tier_->GetAll("big.log");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == bytes);
  std::string middle(1000, '\0');
  auto n = tier_->GetRange("big.log", (16 << 20) - 500, middle.data(), middle.size());
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(middle == bytes.substr((16 << 20) - 500, 1000));
}

TEST_F(S3TierTest, ListingFollowsContinuationTokens) {
  for (int i = 0; i < 1005; ++i) {
    ASSERT_TRUE(tier_->PutBytes("many/" + std::to_string(100000 + i), "x").ok());
  }
  auto listed = tier_->List("many/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->size(), 1005u);
}

TEST_F(S3TierTest, FiveHundredsAreRetriedAndSlowAnswersWaitedFor) {
  server_.SetFault("fail500 2");
  EXPECT_TRUE(tier_->PutBytes("k", "v").ok());
  server_.SetFault("slow 300");
  auto got = tier_->GetAll("k");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "v");
  server_.SetFault("fail500 100");
  store::Status down = tier_->PutBytes("k2", "v");
  EXPECT_TRUE(down.Is(Code::kUnavailable)) << down.ToString();
  server_.SetFault("ok");
}

TEST_F(S3TierTest, AStoreCopiesReadsAndVerifiesThroughS3) {
  store::Store::Options options;
  options.data_dir = dir_.Sub("data");
  options.tier = tier_;
  options.tier_background = false;
  auto opened = store::Store::Open(options);
  ASSERT_TRUE(opened.ok());
  std::unique_ptr<store::Store> s = std::move(*opened);
  ASSERT_TRUE(s->CreateTopic("logs", 1,
                             test::Config({{"segment.bytes", "4096"},
                                           {"remote.storage.enable", "true"},
                                           {"local.retention.bytes", "0"}}))
                  .ok());
  auto p = s->FindPartition("logs", 0);
  const std::string records = test::MakeRecords(0, 3000);
  test::AppendOk(*p, records, 1'700'000'000'000);
  ASSERT_TRUE(s->tier()->RunUntilIdle().ok()) << server_.ProxyLog();
  ASSERT_TRUE(s->ApplyRetention(1'700'000'000'000, false).ok());
  EXPECT_EQ(p->local_log_start_offset(), p->ActiveSegment()->base_offset());
  EXPECT_EQ(test::ReadAll(p), records);
  EXPECT_TRUE(s->Verify().empty());
  // The bucket loses an object: verify says which.
  auto objects = tier_->List("");
  ASSERT_TRUE(objects.ok());
  std::string lost;
  for (auto& o : *objects) {
    if (o.key.ends_with("00000000000000000000.log")) lost = o.key;
  }
  ASSERT_FALSE(lost.empty());
  ASSERT_TRUE(tier_->Delete(lost).ok());
  s.reset();
  opened = store::Store::Open(options);  // a fresh cache
  ASSERT_TRUE(opened.ok());
  s = std::move(*opened);
  std::vector<store::VerifyProblem> problems = s->Verify();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].path.find("00000000000000000000.log"), std::string::npos);
}

// The mount with -o tier=s3://...: cat reads every byte, through S3.
class S3MountTest : public MountTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    std::string why;
    ASSERT_TRUE(server_.Start(Dir(), &why)) << why;
    ::setenv("AWS_ACCESS_KEY_ID", S3Server::kAccessKey, 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", S3Server::kSecretKey, 1);
    ASSERT_TRUE(Unmount());
    Mount({"-o", "tier=s3://" + std::string(S3Server::kBucket) + "/topicfs,tier.endpoint=" +
                     server_.endpoint() + ",retention.check.interval.ms=200"});
  }
  void TearDown() override {
    MountTest::TearDown();
    server_.Stop();
  }
  S3Server server_;
};

TEST_F(S3MountTest, SegmentsMoveToS3AndCatStillReadsEveryByte) {
  MakeTopic("logs", {{"segment.bytes", "65536"},
                     {"remote.storage.enable", "true"},
                     {"local.retention.bytes", "65536"}});
  Out("seq 1 50000 | sed 's/^/line /' >> $M/logs/0/current");
  ASSERT_TRUE(WaitFor(
      [&] { return Xattr(M("logs/0/00000000000000000000.log"), "user.topicfs.tier") == "remote"; },
      30))
      << DaemonLog() << server_.ProxyLog();
  EXPECT_EQ(Out("cat $M/logs/0/from/0 | md5sum"), Out("seq 1 50000 | sed 's/^/line /' | md5sum"));
  EXPECT_EQ(Out("head -n 1 $M/logs/0/from/20000"), "line 20001\n");
  EXPECT_EQ(server_.ProxyLog(), "");
}

}  // namespace
}  // namespace topicfs::e2e

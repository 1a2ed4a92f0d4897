// Splitting -o options between topicfs and libfuse (fusefs/mount_options.h).
#include <gtest/gtest.h>

#include "fusefs/mount_options.h"

namespace topicfs::fusefs {
namespace {

TEST(MountOptionsTest, TopicfsOptionsAreTakenOut) {
  MountOptions opts;
  ASSERT_TRUE(
      ParseMountOptions({"retention.check.interval.ms=60000,noatime", "max_read=65536"}, &opts)
          .ok());
  EXPECT_EQ(opts.retention_check_interval_ms, 60000);
  EXPECT_EQ(opts.fuse, (std::vector<std::string>{"noatime"}));
  EXPECT_EQ(opts.max_read, 65536u);
}

TEST(MountOptionsTest, TheFrontEndsAddressesAreTheDaemons) {
  MountOptions opts;
  ASSERT_TRUE(ParseMountOptions({"metrics=127.0.0.1:9464,kafka=0.0.0.0:9092,ro"}, &opts).ok());
  EXPECT_EQ(opts.metrics, "127.0.0.1:9464");
  EXPECT_EQ(opts.kafka, "0.0.0.0:9092");
  EXPECT_EQ(opts.fuse, (std::vector<std::string>{"ro"}));
  MountOptions none;
  ASSERT_TRUE(ParseMountOptions({"noatime"}, &none).ok());
  EXPECT_TRUE(none.metrics.empty()) << "metrics are off unless asked for";
}

TEST(MountOptionsTest, DurationsAndDefaults) {
  MountOptions opts;
  ASSERT_TRUE(ParseMountOptions({}, &opts).ok());
  EXPECT_EQ(opts.retention_check_interval_ms, kDefaultRetentionCheckIntervalMs);
  ASSERT_TRUE(ParseMountOptions({"retention.check.interval.ms=5m"}, &opts).ok());
  EXPECT_EQ(opts.retention_check_interval_ms, 300000);
}

TEST(MountOptionsTest, PassthroughIsOnUnlessTurnedOff) {
  MountOptions opts;
  ASSERT_TRUE(ParseMountOptions({"noatime"}, &opts).ok());
  EXPECT_TRUE(opts.passthrough);
  ASSERT_TRUE(ParseMountOptions({"passthrough=off"}, &opts).ok());
  EXPECT_FALSE(opts.passthrough);
  EXPECT_EQ(opts.fuse, (std::vector<std::string>{"noatime"}));
  ASSERT_TRUE(ParseMountOptions({"passthrough=on"}, &opts).ok());
  EXPECT_TRUE(opts.passthrough);
  EXPECT_FALSE(ParseMountOptions({"passthrough=maybe"}, &opts).ok());
}

TEST(MountOptionsTest, MaxReadIsTopicfsOwnAndBounded) {
  MountOptions opts;
  EXPECT_EQ(opts.max_read, kDefaultMaxRead);
  ASSERT_TRUE(ParseMountOptions({"max_read=128k,noatime"}, &opts).ok());
  EXPECT_EQ(opts.max_read, 131072u);
  EXPECT_EQ(opts.fuse, (std::vector<std::string>{"noatime"}));
  EXPECT_FALSE(ParseMountOptions({"max_read=2m"}, &opts).ok());
  EXPECT_FALSE(ParseMountOptions({"max_read=100"}, &opts).ok());
  EXPECT_FALSE(ParseMountOptions({"max_read=lots"}, &opts).ok());
}

TEST(MountOptionsTest, MaxOpenFilesIsTopicfsOwnAndPositive) {
  MountOptions opts;
  EXPECT_EQ(opts.max_open_files, 0);  // the store's default
  ASSERT_TRUE(ParseMountOptions({"noatime,max.open.files=64"}, &opts).ok());
  EXPECT_EQ(opts.max_open_files, 64);
  EXPECT_EQ(opts.fuse, std::vector<std::string>{"noatime"});
  EXPECT_FALSE(ParseMountOptions({"max.open.files=0"}, &opts).ok());
  EXPECT_FALSE(ParseMountOptions({"max.open.files=-3"}, &opts).ok());
  EXPECT_FALSE(ParseMountOptions({"max.open.files=many"}, &opts).ok());
}

TEST(MountOptionsTest, IoUringIsOnUnlessTurnedOff) {
  MountOptions opts;
  EXPECT_TRUE(opts.io_uring);
  ASSERT_TRUE(ParseMountOptions({"io_uring=off,passthrough=on"}, &opts).ok());
  EXPECT_FALSE(opts.io_uring);
  EXPECT_TRUE(opts.passthrough);
  EXPECT_TRUE(opts.fuse.empty());
  EXPECT_FALSE(ParseMountOptions({"io_uring=1"}, &opts).ok());
}

TEST(MountOptionsTest, NonemptyIsTopicfsOwn) {
  MountOptions opts;
  EXPECT_FALSE(opts.nonempty);
  ASSERT_TRUE(ParseMountOptions({"noatime,nonempty"}, &opts).ok());
  EXPECT_TRUE(opts.nonempty);
  EXPECT_EQ(opts.fuse, (std::vector<std::string>{"noatime"}));
}

TEST(MountOptionsTest, FsnameAndSubtypeAreRefusedButSubtypeTopicfs) {
  MountOptions opts;
  EXPECT_FALSE(ParseMountOptions({"fsname=evil"}, &opts).ok());
  EXPECT_FALSE(ParseMountOptions({"noatime,subtype=x"}, &opts).ok());
  MountOptions fresh;
  ASSERT_TRUE(ParseMountOptions({"subtype=topicfs"}, &fresh).ok());
  EXPECT_TRUE(fresh.fuse.empty());
}

TEST(MountOptionsTest, BadValueIsInvalid) {
  MountOptions opts;
  EXPECT_FALSE(ParseMountOptions({"retention.check.interval.ms=soon"}, &opts).ok());
  EXPECT_FALSE(ParseMountOptions({"retention.check.interval.ms=0"}, &opts).ok());
}

TEST(MountOptionsTest, FstabWordsAreDroppedAndAllowOtherNoted) {
  MountOptions opts;
  ASSERT_TRUE(
      ParseMountOptions({"defaults,_netdev,nofail,x-systemd.automount,allow_other,rw"}, &opts)
          .ok());
  EXPECT_TRUE(opts.allow_other);
  EXPECT_EQ(opts.fuse, std::vector<std::string>{"rw"});
}

TEST(MountOptionsTest, EscapedCommasStayInOneOption) {
  MountOptions opts;
  ASSERT_TRUE(ParseMountOptions({"context=a\\,b,ro"}, &opts).ok());
  EXPECT_EQ(opts.fuse, (std::vector<std::string>{"context=a\\,b", "ro"}));
}

}  // namespace
}  // namespace topicfs::fusefs

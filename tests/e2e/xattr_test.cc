// Extended attributes and ownership (DESIGN §1.6): topic configs under
// Kafka's names, read-only facts, user.* kept in RocksDB, the errnos.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class XattrTest : public MountTest {};

TEST_F(XattrTest, TopicConfigsReadTheirEffectiveValueAndRemoveRestoresDefault) {
  MakeTopic("app");
  EXPECT_EQ(Out("getfattr --only-values -n user.topicfs.retention.ms $M/app"), "604800000");
  EXPECT_EQ(Xattr(M("app"), "user.topicfs.segment.bytes"), "1073741824");
  EXPECT_EQ(Xattr(M("app"), "user.topicfs.record.delimiter"), "newline");
  Out("setfattr -n user.topicfs.retention.ms -v 3600000 $M/app");
  EXPECT_EQ(Xattr(M("app"), "user.topicfs.retention.ms"), "3600000");
  Out("setfattr -x user.topicfs.retention.ms $M/app");
  EXPECT_EQ(Xattr(M("app"), "user.topicfs.retention.ms"), "604800000");
  std::string all = Out("getfattr -d -m '^user\\.topicfs\\.' $M/app");
  for (const char* name : {"retention.ms", "retention.bytes", "segment.bytes", "segment.ms",
                           "index.interval.bytes", "max.message.bytes", "segment.index.bytes",
                           "flush.messages", "flush.ms", "record.delimiter"}) {
    EXPECT_NE(all.find(std::string("user.topicfs.") + name + "="), std::string::npos) << name;
  }
}

TEST_F(XattrTest, BadValuesUnknownNamesAndOtherNamespacesAreRefused) {
  MakeTopic("app");
  EXPECT_EQ(SetXattrErrno(M("app"), "user.topicfs.retention.ms", "soon"), EINVAL);
  EXPECT_EQ(SetXattrErrno(M("app"), "user.topicfs.segment.bytes", "1"), EINVAL);
  EXPECT_EQ(SetXattrErrno(M("app"), "user.topicfs.no.such", "1"), EINVAL);
  EXPECT_EQ(RemoveXattrErrno(M("app"), "user.topicfs.no.such"), EINVAL);
  EXPECT_EQ(Xattr(M("app"), "user.topicfs.retention.ms"), "604800000");  // unchanged
  EXPECT_EQ(SetXattrErrno(M("app"), "trusted.x", "1"), ENOTSUP);
  EXPECT_EQ(GetXattrErrno(M("app"), "trusted.x"), ENOTSUP);
  EXPECT_EQ(GetXattrErrno(M("app"), "security.capability"), ENODATA);
  EXPECT_EQ(SetXattrErrno(M("app"), "user.big", std::string(65537, 'x')), E2BIG);
  EXPECT_EQ(SetXattrErrno(M("app"), "user.fits", std::string(65536, 'x')), 0);
  EXPECT_EQ(Xattr(M("app"), "user.fits").size(), 65536u);
  EXPECT_EQ(GetXattrErrno(M("app"), "user.missing"), ENODATA);
}

TEST_F(XattrTest, FactsOnPartitionsAndSegmentsAreReadOnly) {
  MakeTopic("app", {{"segment.bytes", "100"}});
  Out("seq 1 50 >> $M/app/0/current");
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_start_offset"), "0");
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_end_offset"), "50");
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.size_bytes"),
            Out("cat $M/app/0/*.log | wc -c | tr -d '\\n'"));
  std::string first = M("app/0/00000000000000000000.log");
  EXPECT_EQ(Xattr(first, "user.topicfs.base_offset"), "0");
  int64_t next = std::stoll(Xattr(first, "user.topicfs.next_offset"));
  EXPECT_EQ(Xattr(first, "user.topicfs.record_count"), std::to_string(next));
  EXPECT_GT(std::stoll(Xattr(first, "user.topicfs.max_timestamp_ms")), 1700000000000);
  std::string xxh3 = Xattr(first, "user.topicfs.xxh3");
  EXPECT_EQ(xxh3.size(), 16u);
  EXPECT_EQ(xxh3.find_first_not_of("0123456789abcdef"), std::string::npos);
  std::string current = M("app/0/" + Out("readlink $M/app/0/current | tr -d '\\n'"));
  EXPECT_EQ(GetXattrErrno(current, "user.topicfs.xxh3"), ENODATA);  // active: no hash yet
  EXPECT_EQ(SetXattrErrno(M("app/0"), "user.topicfs.log_end_offset", "1"), EPERM);
  EXPECT_EQ(SetXattrErrno(first, "user.topicfs.xxh3", "0"), EPERM);
  EXPECT_EQ(RemoveXattrErrno(first, "user.topicfs.base_offset"), EPERM);
  EXPECT_EQ(SetXattrErrno(M("app/0"), "user.topicfs.nonsense", "1"), EINVAL);
  // Other user.* attributes live on topics, partitions and segments.
  EXPECT_EQ(SetXattrErrno(first, "user.reviewed", "yes"), 0);
  EXPECT_EQ(Xattr(first, "user.reviewed"), "yes");
  EXPECT_NE(Out("getfattr -d $M/app/0/00000000000000000000.log").find("user.reviewed=\"yes\""),
            std::string::npos);
  EXPECT_EQ(RemoveXattrErrno(first, "user.reviewed"), 0);
  EXPECT_EQ(GetXattrErrno(first, "user.reviewed"), ENODATA);
}

TEST_F(XattrTest, RecordDelimiterIsFixedOnceTheTopicHoldsARecord) {
  MakeTopic("app");
  EXPECT_EQ(SetXattrErrno(M("app"), "user.topicfs.record.delimiter", "nul"), 0);
  EXPECT_EQ(SetXattrErrno(M("app"), "user.topicfs.record.delimiter", "newline"), 0);
  Out("echo x >> $M/app/0/current");
  EXPECT_EQ(SetXattrErrno(M("app"), "user.topicfs.record.delimiter", "nul"), EPERM);
  EXPECT_EQ(Xattr(M("app"), "user.topicfs.record.delimiter"), "newline");
}

TEST_F(XattrTest, SegmentsTakeOwnerAndModeFromTheirPartition) {
  MakeTopic("app", {{"segment.bytes", "100"}});
  Out("seq 1 50 >> $M/app/0/current");
  ASSERT_EQ(::chmod(M("app/0").c_str(), 0700), 0);
  ASSERT_EQ(::chown(M("app/0").c_str(), 42, 43), 0);
  EXPECT_EQ(Out("stat -c '%a %u %g' $M/app/0/00000000000000000000.log"), "400 42 43\n");
  EXPECT_EQ(Out("stat -L -c '%a %u %g' $M/app/0/current"), "600 42 43\n");
  EXPECT_EQ(Out("stat -c '%a' $M/app/0/00000000000000000000.index"), "400\n");
  ASSERT_EQ(::chmod(M("app/0").c_str(), 0755), 0);
  EXPECT_EQ(Out("stat -c '%a' $M/app/0/00000000000000000000.log"), "444\n");
  EXPECT_EQ(Out("stat -L -c '%a' $M/app/0/current"), "644\n");
  EXPECT_EQ(::chmod(M("app/0/00000000000000000000.log").c_str(), 0644), -1);
  EXPECT_EQ(errno, EPERM);
}

}  // namespace
}  // namespace topicfs::e2e

// Topic names (Kafka's rule) and the 20-digit segment file names.
#include "store/names.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace topicfs::store {
namespace {

TEST(TopicNameTest, KafkaCharacterSetIsAccepted) {
  EXPECT_TRUE(IsValidTopicName("a"));
  EXPECT_TRUE(IsValidTopicName("orders"));
  EXPECT_TRUE(IsValidTopicName("a.b_c-D9"));
  EXPECT_TRUE(IsValidTopicName("..."));  // only "." and ".." are reserved
  EXPECT_TRUE(IsValidTopicName(std::string(249, 'x')));
}

TEST(TopicNameTest, EmptyDotsTooLongAndOtherCharactersAreRejected) {
  EXPECT_FALSE(IsValidTopicName(""));
  EXPECT_FALSE(IsValidTopicName("."));
  EXPECT_FALSE(IsValidTopicName(".."));
  EXPECT_FALSE(IsValidTopicName(std::string(250, 'x')));
  for (const char* bad : {"a/b", "a b", "a\nb", "caf\xc3\xa9", "a*", "a:b", "a\\b", "a+b"}) {
    EXPECT_FALSE(IsValidTopicName(bad)) << bad;
  }
  EXPECT_FALSE(IsValidTopicName(std::string("a\0b", 3)));
}

TEST(SegmentNameTest, PrefixIsTwentyZeroPaddedDigits) {
  EXPECT_EQ(SegmentFilePrefix(0), "00000000000000000000");
  EXPECT_EQ(SegmentFilePrefix(368769), "00000000000000368769");  // Kafka's LogFileUtils example
  EXPECT_EQ(SegmentFilePrefix(std::numeric_limits<int64_t>::max()), "09223372036854775807");
}

TEST(SegmentNameTest, ParseRoundTripsEveryKind) {
  for (int64_t base : {int64_t{0}, int64_t{1}, int64_t{368769}, int64_t{1} << 40}) {
    std::string prefix = SegmentFilePrefix(base);
    auto log = ParseSegmentFileName(prefix + ".log");
    auto index = ParseSegmentFileName(prefix + ".index");
    auto time = ParseSegmentFileName(prefix + ".timeindex");
    ASSERT_TRUE(log && index && time) << prefix;
    EXPECT_EQ(log->base_offset, base);
    EXPECT_EQ(index->base_offset, base);
    EXPECT_EQ(time->base_offset, base);
    EXPECT_EQ(log->kind, SegmentFileKind::kLog);
    EXPECT_EQ(index->kind, SegmentFileKind::kIndex);
    EXPECT_EQ(time->kind, SegmentFileKind::kTimeIndex);
  }
}

TEST(SegmentNameTest, OtherNamesAreNotSegments) {
  for (const char* bad :
       {"", ".log", "0.log", "0000000000000000000.log", "000000000000000000000.log",
        "00000000000000000000", "00000000000000000000.", "00000000000000000000.log.deleted",
        "00000000000000000000.txnindex", "00000000000000000000.snapshot", "0000000000000000000a.log",
        "-0000000000000000001.log", "+0000000000000000001.log", "00000000000000000000.LOG",
        "current", "from", "since"}) {
    EXPECT_FALSE(ParseSegmentFileName(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace topicfs::store

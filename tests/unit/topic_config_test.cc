// Topic configuration under Kafka's names: defaults from DESIGN §2, human
// units, validation that changes nothing on a bad value, and the persisted
// text form.
#include "store/topic_config.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace topicfs::store {
namespace {

// DESIGN §2 and §1.6, written out independently of the spec table.
struct Expected {
  const char* name;
  const char* value;
};
constexpr Expected kDesignDefaults[] = {
    {"retention.ms", "604800000"},       {"retention.bytes", "-1"},
    {"segment.bytes", "1073741824"},     {"segment.ms", "604800000"},
    {"index.interval.bytes", "4096"},    {"max.message.bytes", "1048588"},
    {"segment.index.bytes", "10485760"}, {"flush.messages", "-1"},
    {"flush.ms", "-1"},                  {"record.delimiter", "newline"},
    {"remote.storage.enable", "false"},  {"local.retention.ms", "-2"},
    {"local.retention.bytes", "-2"},
};

TEST(TopicConfigTest, EveryDesignConfigReadsAsItsDefault) {
  TopicConfig config;
  for (const Expected& e : kDesignDefaults) {
    EXPECT_EQ(config.Get(e.name), e.value) << e.name;
    ASSERT_NE(FindConfigSpec(e.name), nullptr) << e.name;
    EXPECT_FALSE(config.IsSet(FindConfigSpec(e.name)->key));
  }
  EXPECT_EQ(config.delimiter(), '\n');
  EXPECT_EQ(config.Serialize(), "");
}

TEST(TopicConfigTest, SpecTableHasExactlyTheDesignNames) {
  std::set<std::string> names;
  for (const ConfigSpec& spec : AllConfigSpecs()) names.insert(std::string(spec.name));
  std::set<std::string> expected;
  for (const Expected& e : kDesignDefaults) expected.insert(e.name);
  EXPECT_EQ(names, expected);
}

TEST(TopicConfigTest, EveryDefaultPassesItsOwnValidation) {
  for (const ConfigSpec& spec : AllConfigSpecs()) {
    Result<int64_t> v = ParseConfigValue(spec, FormatConfigValue(spec, spec.default_value));
    ASSERT_TRUE(v.ok()) << spec.name << ": " << v.status().ToString();
    EXPECT_EQ(*v, spec.default_value) << spec.name;
  }
}

TEST(TopicConfigTest, HumanUnitsAreAccepted) {
  TopicConfig config;
  ASSERT_TRUE(config.Set("retention.ms", "7d").ok());
  ASSERT_TRUE(config.Set("retention.bytes", "10G").ok());
  ASSERT_TRUE(config.Set("segment.bytes", "512M").ok());
  ASSERT_TRUE(config.Set("index.interval.bytes", "4K").ok());
  ASSERT_TRUE(config.Set("segment.ms", "36h").ok());
  EXPECT_EQ(config.retention_ms(), 7LL * 86400 * 1000);
  EXPECT_EQ(config.retention_bytes(), 10LL << 30);
  EXPECT_EQ(config.segment_bytes(), 512LL << 20);
  EXPECT_EQ(config.index_interval_bytes(), 4096);
  EXPECT_EQ(config.segment_ms(), 36LL * 3600 * 1000);
  EXPECT_EQ(config.Get("retention.bytes"), std::to_string(10LL << 30));
}

TEST(TopicConfigTest, UnlimitedIsAcceptedOnlyWhereKafkaAllowsIt) {
  TopicConfig config;
  EXPECT_TRUE(config.Set("retention.ms", "-1").ok());
  EXPECT_TRUE(config.Set("retention.bytes", "-1").ok());
  EXPECT_TRUE(config.Set("flush.messages", "-1").ok());
  EXPECT_TRUE(config.Set("flush.ms", "-1").ok());
  for (const char* name : {"segment.bytes", "segment.ms", "index.interval.bytes",
                           "max.message.bytes", "segment.index.bytes"}) {
    EXPECT_TRUE(config.Set(name, "-1").Is(Code::kInvalidArgument)) << name;
  }
}

TEST(TopicConfigTest, OutOfBoundsValuesAreRejected) {
  TopicConfig config;
  EXPECT_TRUE(config.Set("segment.bytes", "13").Is(Code::kInvalidArgument));  // Kafka min 14
  EXPECT_TRUE(config.Set("segment.bytes", "14").ok());
  EXPECT_TRUE(config.Set("segment.bytes", "2G").Is(Code::kInvalidArgument));  // > int32
  EXPECT_TRUE(config.Set("segment.ms", "0").Is(Code::kInvalidArgument));
  EXPECT_TRUE(config.Set("max.message.bytes", "0").Is(Code::kInvalidArgument));
  EXPECT_TRUE(config.Set("flush.messages", "0").Is(Code::kInvalidArgument));
  EXPECT_TRUE(config.Set("index.interval.bytes", "0").ok());
  EXPECT_TRUE(config.Set("retention.ms", "0").ok());
}

TEST(TopicConfigTest, BadValueChangesNothing) {
  TopicConfig config;
  ASSERT_TRUE(config.Set("retention.ms", "3d").ok());
  const std::string before = config.Serialize();
  for (const char* bad : {"", "abc", "3x", "-5", "1.5d", " 3d"}) {
    EXPECT_TRUE(config.Set("retention.ms", bad).Is(Code::kInvalidArgument)) << bad;
  }
  EXPECT_TRUE(config.Set("segment.bytes", "lots").Is(Code::kInvalidArgument));
  EXPECT_EQ(config.Serialize(), before);
  EXPECT_EQ(config.retention_ms(), 3LL * 86400 * 1000);
  EXPECT_FALSE(config.IsSet(ConfigKey::kSegmentBytes));
}

TEST(TopicConfigTest, UnknownNameIsInvalidArgument) {
  TopicConfig config;
  EXPECT_TRUE(config.Set("retention.hours", "1").Is(Code::kInvalidArgument));
  EXPECT_TRUE(config.Set("cleanup.policy", "compact").Is(Code::kInvalidArgument));
  EXPECT_TRUE(config.Unset("nope").Is(Code::kInvalidArgument));
  EXPECT_EQ(config.Get("nope"), "");
  EXPECT_EQ(FindConfigSpec("nope"), nullptr);
  EXPECT_EQ(config.Serialize(), "");
}

TEST(TopicConfigTest, DelimiterIsNewlineOrNul) {
  TopicConfig config;
  ASSERT_TRUE(config.Set("record.delimiter", "nul").ok());
  EXPECT_EQ(config.delimiter(), '\0');
  EXPECT_EQ(config.Get("record.delimiter"), "nul");
  ASSERT_TRUE(config.Set("record.delimiter", "newline").ok());
  EXPECT_EQ(config.delimiter(), '\n');
  EXPECT_TRUE(config.Set("record.delimiter", "tab").Is(Code::kInvalidArgument));
  EXPECT_TRUE(config.Set("record.delimiter", "1").Is(Code::kInvalidArgument));
  EXPECT_EQ(config.delimiter(), '\n');
}

TEST(TopicConfigTest, UnsetRestoresTheDefault) {
  TopicConfig config;
  ASSERT_TRUE(config.Set("retention.bytes", "1G").ok());
  EXPECT_TRUE(config.IsSet(ConfigKey::kRetentionBytes));
  ASSERT_TRUE(config.Unset("retention.bytes").ok());
  EXPECT_FALSE(config.IsSet(ConfigKey::kRetentionBytes));
  EXPECT_EQ(config.Get("retention.bytes"), "-1");
  EXPECT_EQ(config.Serialize(), "");
}

TEST(TopicConfigTest, SerializeHoldsOnlyOverridesAndParseRoundTrips) {
  TopicConfig config;
  ASSERT_TRUE(config.Set("retention.ms", "3d").ok());
  ASSERT_TRUE(config.Set("record.delimiter", "nul").ok());
  ASSERT_TRUE(config.Set("segment.bytes", "1073741824").ok());  // explicit, equal to default
  std::string text = config.Serialize();
  EXPECT_NE(text.find("retention.ms=259200000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("record.delimiter=nul\n"), std::string::npos) << text;
  EXPECT_NE(text.find("segment.bytes=1073741824\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("retention.bytes"), std::string::npos) << text;

  Result<TopicConfig> back = TopicConfig::Parse(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  for (const ConfigSpec& spec : AllConfigSpecs()) {
    EXPECT_EQ(back->Value(spec.key), config.Value(spec.key)) << spec.name;
    EXPECT_EQ(back->IsSet(spec.key), config.IsSet(spec.key)) << spec.name;
  }
  EXPECT_EQ(back->Serialize(), text);
}

TEST(TopicConfigTest, ParseRejectsDamagedText) {
  EXPECT_FALSE(TopicConfig::Parse("retention.ms").ok());
  EXPECT_FALSE(TopicConfig::Parse("retention.ms=soon\n").ok());
  EXPECT_FALSE(TopicConfig::Parse("bogus=1\n").ok());
  EXPECT_TRUE(TopicConfig::Parse("").ok());
  EXPECT_TRUE(TopicConfig::Parse("\n\nretention.ms=5\n").ok());
}

}  // namespace
}  // namespace topicfs::store

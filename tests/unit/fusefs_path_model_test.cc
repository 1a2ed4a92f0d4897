// The pure path model of the mounted tree (fusefs/path_model.h).
#include <gtest/gtest.h>

#include "fusefs/path_model.h"

namespace topicfs::fusefs {
namespace {

NodeKind KindOf(std::string_view path) {
  std::optional<NodeKey> key = ParsePath(path);
  EXPECT_TRUE(key.has_value()) << path;
  return key ? key->kind : NodeKind::kRoot;
}

TEST(PathModelTest, EveryKindOfPathIsRecognised) {
  EXPECT_EQ(KindOf("/"), NodeKind::kRoot);
  EXPECT_EQ(KindOf("/orders"), NodeKind::kTopic);
  EXPECT_EQ(KindOf("/orders/3"), NodeKind::kPartition);
  EXPECT_EQ(KindOf("/orders/3/00000000000000000042.log"), NodeKind::kSegmentLog);
  EXPECT_EQ(KindOf("/orders/3/00000000000000000042.index"), NodeKind::kSegmentIndex);
  EXPECT_EQ(KindOf("/orders/3/00000000000000000042.timeindex"), NodeKind::kSegmentTimeIndex);
  EXPECT_EQ(KindOf("/orders/3/current"), NodeKind::kCurrent);
  EXPECT_EQ(KindOf("/orders/3/from"), NodeKind::kFromDir);
  EXPECT_EQ(KindOf("/orders/3/since"), NodeKind::kSinceDir);
  EXPECT_EQ(KindOf("/orders/3/from/17"), NodeKind::kFromEntry);
  EXPECT_EQ(KindOf("/orders/3/since/1700000000000"), NodeKind::kSinceEntry);
}

TEST(PathModelTest, KeysCarryTopicPartitionAndValue) {
  NodeKey seg = *ParsePath("/a.b-c_d/12/00000000000000000042.log");
  EXPECT_EQ(seg.topic, "a.b-c_d");
  EXPECT_EQ(seg.partition, 12);
  EXPECT_EQ(seg.value, 42);
  EXPECT_EQ(ParsePath("/t/0/from/99")->value, 99);
}

TEST(PathModelTest, SinceAcceptsIsoTimesAsEpochMillis) {
  EXPECT_EQ(ParsePath("/t/0/since/1970-01-01T00:00:01Z")->value, 1000);
  EXPECT_EQ(ParsePath("/t/0/since/1970-01-01T00:00:01Z"), ParsePath("/t/0/since/1000"));
}

TEST(PathModelTest, NamesTheTreeDoesNotHoldAreRejected) {
  for (const char* path : {"/bad:name", "/..", "/t/01", "/t/-1", "/t/x", "/t/0/foo", "/t/0/42.log",
                           "/t/0/00000000000000000042.txt", "/t/0/from/abc", "/t/0/from/-1",
                           "/t/0/from/1e3", "/t/0/since/yesterday", "/t/0/current/x",
                           "/t/0/00000000000000000000.log/x", "/t/0/from/1/x"}) {
    EXPECT_FALSE(ParsePath(path).has_value()) << path;
  }
  std::string long_name(250, 'a');
  EXPECT_FALSE(ParsePath("/" + long_name).has_value());
  EXPECT_TRUE(ParsePath("/" + long_name.substr(1)).has_value());
}

TEST(PathModelTest, PathsRoundTrip) {
  for (const char* path :
       {"/", "/t", "/t/7", "/t/7/00000000000000000042.log", "/t/7/00000000000000000042.index",
        "/t/7/00000000000000000042.timeindex", "/t/7/current", "/t/7/from", "/t/7/since",
        "/t/7/from/5", "/t/7/since/1700000000000"}) {
    std::optional<NodeKey> key = ParsePath(path);
    ASSERT_TRUE(key.has_value()) << path;
    EXPECT_EQ(NodePath(*key), path);
  }
}

TEST(PathModelTest, ParentsAndKinds) {
  NodeKey entry = *ParsePath("/t/1/from/5");
  EXPECT_EQ(ParentKey(entry), *ParsePath("/t/1/from"));
  EXPECT_EQ(ParentKey(ParentKey(entry)), *ParsePath("/t/1"));
  EXPECT_EQ(ParentKey(*ParsePath("/t/1/00000000000000000000.log")), *ParsePath("/t/1"));
  EXPECT_EQ(ParentKey(*ParsePath("/t")), RootKey());
  EXPECT_TRUE(IsDirectory(NodeKind::kSinceDir));
  EXPECT_FALSE(IsDirectory(NodeKind::kCurrent));
  EXPECT_TRUE(IsVirtualEntry(NodeKind::kFromEntry));
  EXPECT_FALSE(IsVirtualEntry(NodeKind::kSegmentLog));
  EXPECT_TRUE(IsSegmentFile(NodeKind::kSegmentTimeIndex));
}

TEST(PathModelTest, DotNamesAreNeverChildren) {
  EXPECT_FALSE(ChildKey(RootKey(), ".").has_value());
  EXPECT_FALSE(ChildKey(RootKey(), "..").has_value());
  EXPECT_FALSE(ChildKey(RootKey(), "").has_value());
}

}  // namespace
}  // namespace topicfs::fusefs

// SecureDataDir (DESIGN §3): what a command refuses, what it tightens, and
// that a refused store is left as it was. Ownership by another user is made
// with chown, so these need root; they skip otherwise.
#include "store/data_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

constexpr uid_t kOtherUid = 54321;

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Sub("data");
    for (const std::string& d : {data_, data_ + "/meta", data_ + "/topics", data_ + "/topics/t"}) {
      ASSERT_EQ(::mkdir(d.c_str(), 0700), 0) << d;
    }
  }
  void Chmod(const std::string& rel, mode_t mode) {
    ASSERT_EQ(::chmod((data_ + rel).c_str(), mode), 0) << rel;
  }
  test::TempDir dir_;
  std::string data_;
};

TEST_F(DataDirTest, MissingDataIsFineAndAPrivateOneIsLeftAlone) {
  std::string tightened;
  EXPECT_TRUE(SecureDataDir(dir_.Sub("none"), true, &tightened).ok());
  EXPECT_TRUE(SecureDataDir(data_, true, &tightened).ok());
  EXPECT_EQ(tightened, "");
  EXPECT_EQ(ModeOf(data_), 0700u);
}

TEST_F(DataDirTest, AStoreOthersMayOnlyReadIsTightenedWhenAsked) {
  for (const char* rel : {"", "/meta", "/topics"}) Chmod(rel, 0755);
  std::string tightened;
  ASSERT_TRUE(SecureDataDir(data_, /*tighten=*/false, &tightened).ok());
  EXPECT_EQ(ModeOf(data_), 0755u) << "a read-only command changes nothing";
  EXPECT_EQ(tightened, "");
  ASSERT_TRUE(SecureDataDir(data_, /*tighten=*/true, &tightened).ok());
  for (const char* rel : {"", "/meta", "/topics"}) EXPECT_EQ(ModeOf(data_ + rel), 0700u) << rel;
  EXPECT_NE(tightened.find(data_ + " (was 0755)"), std::string::npos) << tightened;
  EXPECT_EQ(tightened.find('\n'), std::string::npos) << "one line";
}

TEST_F(DataDirTest, ADirectoryOthersMayWriteIsRefusedAndLeftAsItWas) {
  for (const char* rel : {"", "/meta", "/topics"}) {
    Chmod("", 0755);
    Chmod(rel, 0757);
    std::string tightened;
    Status s = SecureDataDir(data_, /*tighten=*/true, &tightened);
    ASSERT_TRUE(s.Is(Code::kPermission)) << rel;
    EXPECT_NE(s.message().find(data_ + rel + " is writable by other users (mode 0757)"),
              std::string::npos)
        << s.message();
    EXPECT_NE(s.message().find("chmod -R go-rwx " + data_), std::string::npos) << s.message();
    EXPECT_EQ(ModeOf(data_), rel[0] == '\0' ? 0757u : 0755u) << "refused: nothing tightened";
    Chmod(rel, 0700);
  }
  Chmod("/topics/t", 0770);
  EXPECT_TRUE(SecureDataDir(data_, true, nullptr).Is(Code::kPermission)) << "group-writable topic";
}

TEST_F(DataDirTest, WhatAnotherUserOwnsIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  for (const char* rel : {"", "/meta", "/topics", "/topics/t"}) {
    ASSERT_EQ(::chown((data_ + rel).c_str(), kOtherUid, kOtherUid), 0);
    Status s = SecureDataDir(data_, true, nullptr);
    ASSERT_TRUE(s.Is(Code::kPermission)) << rel;
    EXPECT_NE(s.message().find(data_ + rel + " is owned by 54321"), std::string::npos)
        << s.message();
    ASSERT_EQ(::chown((data_ + rel).c_str(), 0, 0), 0);
  }
  EXPECT_TRUE(SecureDataDir(data_, true, nullptr).ok());
}

TEST_F(DataDirTest, SymlinksInsideDataAreRefusedButDataMayBeOne) {
  ASSERT_EQ(::symlink(dir_.Sub("elsewhere").c_str(), (data_ + "/topics/planted").c_str()), 0);
  ASSERT_EQ(::mkdir(dir_.Sub("elsewhere").c_str(), 0700), 0);
  Status s = SecureDataDir(data_, true, nullptr);
  ASSERT_TRUE(s.Is(Code::kPermission));
  EXPECT_NE(s.message().find("topics/planted is a symbolic link"), std::string::npos);
  ASSERT_EQ(::unlink((data_ + "/topics/planted").c_str()), 0);
  ASSERT_EQ(::symlink(data_.c_str(), dir_.Sub("link").c_str()), 0);
  EXPECT_TRUE(SecureDataDir(dir_.Sub("link"), true, nullptr).ok());
}

TEST_F(DataDirTest, NamesTheStoreIgnoresAreNotChecked) {
  ASSERT_EQ(::mkdir((data_ + "/topics/bad name").c_str(), 0777), 0);
  ASSERT_EQ(::chmod((data_ + "/topics/bad name").c_str(), 0777), 0);
  EXPECT_TRUE(SecureDataDir(data_, true, nullptr).ok());
}

TEST_F(DataDirTest, TheStoreCreatesNothingOthersCanRead) {
  ::mode_t old = ::umask(0);  // the store's own modes, not the caller's umask
  {
    const std::string fresh = dir_.Sub("fresh");
    auto store = Store::Open({.data_dir = fresh, .env = &test::TestEnv()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->CreateTopic("t", 2, TopicConfig()).ok());
    auto p = (*store)->FindPartition("t", 1);
    ASSERT_TRUE(p->Append("x\n", "", 1).status.ok());
    ASSERT_TRUE((*store)->Close().ok());
    for (const char* rel :
         {"", "/meta", "/topics", "/topics/t", "/topics/t/1", "/clean-shutdown",
          "/topics/t/1/00000000000000000000.log", "/topics/t/1/00000000000000000000.index",
          "/topics/t/1/00000000000000000000.timeindex"}) {
      EXPECT_EQ(ModeOf(fresh + rel) & 077, 0u) << rel;
    }
  }
  ::umask(old);
}

}  // namespace
}  // namespace topicfs::store

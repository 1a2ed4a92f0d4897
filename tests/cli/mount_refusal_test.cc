// `topicfs mount` set up wrong (issue 16 §5): each case is one stderr line
// and a non-zero exit, mounts nothing, hangs nothing (every command runs
// under a timeout, and whatever a regression mounted is killed and
// detached), and leaves no new DATA behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/cli_runner.h"

namespace topicfs::cli_test {
namespace {

constexpr int kQuick = 20;  // seconds: a refusal never waits for anything

class MountRefusalTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = std::filesystem::canonical(dir_.path()).string(); }
  void TearDown() override {
    EXPECT_FALSE(KillAndDetachMountsUnder(root_)) << "a refused mount was left behind";
  }
  std::string Dir(const std::string& name) {
    std::string p = root_ + "/" + name;
    std::filesystem::create_directories(p);
    return p;
  }
  std::string Path(const std::string& name) const { return root_ + "/" + name; }
  // Runs a mount that must be refused with `exit_code` and one line.
  RunResult Refused(const std::vector<std::string>& args, int exit_code) {
    RunResult r = RunTopicfs(args, "", kQuick);
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    EXPECT_EQ(r.err_lines(), 1) << r.err;
    return r;
  }

  TempDir dir_;
  std::string root_;
};

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(MountRefusalTest, DataInsideTheMountPointIsRefusedBeforeMounting) {
  std::string m5 = Dir("m5");
  RunResult r = Refused({"mount", m5 + "/data", m5}, 2);
  EXPECT_TRUE(Contains(r.err, "inside the mount point")) << r.err;
  ASSERT_FALSE(IsMountPoint(m5));    // before anything looks inside
  EXPECT_TRUE(ListDir(m5).empty());  // no data directory made in it
}

TEST_F(MountRefusalTest, DataEqualToTheMountPointIsRefused) {
  std::string m6 = Dir("m6");
  Refused({"mount", m6, m6}, 2);
  ASSERT_FALSE(IsMountPoint(m6));
  EXPECT_TRUE(ListDir(m6).empty());
  // The same directory under another name (a symlink) is the same directory.
  std::filesystem::create_directory_symlink(m6, Path("link"));
  Refused({"mount", Path("link"), m6}, 2);
  ASSERT_FALSE(IsMountPoint(m6));
}

TEST_F(MountRefusalTest, MountPointInsideTheDataDirectoryIsRefused) {
  std::string data = Dir("data");
  std::string mnt = Dir("data/mnt");
  RunResult r = Refused({"mount", data, mnt}, 2);
  EXPECT_TRUE(Contains(r.err, "inside the data directory")) << r.err;
  ASSERT_FALSE(IsMountPoint(mnt));
  EXPECT_EQ(ListDir(data), std::vector<std::string>{"mnt"});
}

TEST_F(MountRefusalTest, ARegularFileIsNoMountPoint) {
  WriteFile(Path("regfile"), "x");
  RunResult r = Refused({"mount", Path("d4"), Path("regfile")}, 1);
  EXPECT_TRUE(Contains(r.err, "not a directory")) << r.err;
  ASSERT_FALSE(IsMountPoint(Path("regfile")));
  EXPECT_FALSE(FileExists(Path("d4")));
}

TEST_F(MountRefusalTest, ANonEmptyMountPointIsRefusedUnlessNonemptyIsGiven) {
  std::string mnt = Dir("mnt");
  WriteFile(mnt + "/precious", "keep me");
  RunResult r = Refused({"mount", Path("data"), mnt}, 1);
  EXPECT_TRUE(Contains(r.err, "-o nonempty")) << r.err;
  ASSERT_FALSE(IsMountPoint(mnt));
  EXPECT_FALSE(FileExists(Path("data")));
  if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse";
  r = RunTopicfs({"mount", Path("data"), mnt, "-o", "nonempty"}, "", 60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsMountPoint(mnt));
  r = RunTopicfs({"unmount", mnt}, "", 60);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(mnt + "/precious"), "keep me");
}

TEST_F(MountRefusalTest, FsnameAndSubtypeAreTopicfsOwn) {
  std::string mnt = Dir("mnt");
  for (const char* opt : {"subtype=x", "fsname=evil", "noatime,fsname=evil"}) {
    RunResult r = Refused({"mount", Path("data"), mnt, "-o", opt}, 2);
    EXPECT_TRUE(Contains(r.err, "names its mounts itself")) << r.err;
    ASSERT_FALSE(IsMountPoint(mnt));
    EXPECT_FALSE(FileExists(Path("data")));
  }
}

TEST_F(MountRefusalTest, ANonEmptyDirectoryThatIsNoStoreIsNotAdopted) {
  std::string junk = Dir("junk");
  WriteFile(junk + "/notes.txt", "mine");
  RunResult r = Refused({"mount", junk, Dir("mnt")}, 1);
  EXPECT_TRUE(Contains(r.err, "holds no topicfs store")) << r.err;
  EXPECT_EQ(ListDir(junk), std::vector<std::string>{"notes.txt"});
  WriteFile(Path("file"), "x");
  Refused({"mount", Path("file"), Dir("mnt")}, 1);
}

TEST_F(MountRefusalTest, AFailedMountLeavesNoNewDataDirectory) {
  std::string mnt = Dir("mnt");
  Refused({"mount", Path("new1"), Path("missing")}, 1);
  EXPECT_FALSE(FileExists(Path("new1")));
  Refused({"mount", Path("new2/a/b"), mnt, "--log", Path("no/such/dir/log")}, 1);
  EXPECT_FALSE(FileExists(Path("new2")));
  // Refused by libfuse in the daemon, after DATA was made: removed again.
  Refused({"mount", Path("new3/a"), mnt, "-o", "no_such_fuse_option"}, 1);
  EXPECT_FALSE(FileExists(Path("new3")));
  ASSERT_FALSE(IsMountPoint(mnt));
}

TEST_F(MountRefusalTest, AMountPointThatIsMountedAlreadyLeavesNoNewDataDirectory) {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse";
  std::string mnt = Dir("mnt");
  RunResult r = RunTopicfs({"mount", Path("data"), mnt}, "", 60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Refused({"mount", Path("other"), mnt}, 1);
  EXPECT_FALSE(FileExists(Path("other")));
  r = Refused({"mount", Path("data"), Dir("mnt2")}, 2);  // the same store twice
  EXPECT_TRUE(Contains(r.err, "is already mounted on " + mnt)) << r.err;
  r = RunTopicfs({"unmount", mnt}, "", 60);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CliBasicsTest, VersionAndABareInvocation) {
  RunResult r = RunTopicfs({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("topicfs ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find_first_of("0123456789"), std::string::npos) << r.out;
  r = RunTopicfs({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err_lines(), 1) << r.err;  // a usage error: one line, naming the commands
  EXPECT_NE(r.err.find("mount, unmount"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("produce"), std::string::npos) << r.err;
}

TEST_F(MountRefusalTest, UnmountOfAPathThatIsNotAMountIsAUsageError) {
  RunResult r = Refused({"unmount", Dir("plain")}, 2);
  EXPECT_NE(r.err.find("is not a topicfs mount point"), std::string::npos) << r.err;
}

TEST_F(MountRefusalTest, AMissingMountPointIsMadeOnlyWithMkdirAndGoesIfTheMountFails) {
  RunResult r = Refused({"mount", Path("data"), Path("a/b")}, 1);
  EXPECT_NE(r.err.find("--mkdir"), std::string::npos) << r.err;
  // DATA is a file: refused after --mkdir made a/b, which goes again.
  WriteFile(Path("datafile"), "x");
  r = RunTopicfs({"mount", "--mkdir", Path("datafile"), Path("a/b")}, "", kQuick);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(Path("a"))) << "the made mount point stayed";
  if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse";
  r = RunTopicfs({"mount", "--mkdir", Path("data"), Path("a/b")}, "", 60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsMountPoint(Path("a/b")));
  r = RunTopicfs({"unmount", Path("a/b")}, "", 60);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_directory(Path("a/b")));  // kept, as mount --mkdir does
}

}  // namespace
}  // namespace topicfs::cli_test

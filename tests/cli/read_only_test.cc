// Commands that only read (topic list/describe, consume, retention show,
// retention apply --dry-run, verify) open RocksDB read-only and change
// nothing in DATA: not another program's RocksDB (refused with one line),
// not a read-only copy of a store (they work there), not a store that was
// not closed cleanly (refused: recovery would write). Issue 16 §5.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "tests/support/cli_runner.h"

namespace topicfs::cli_test {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Every path under `dir` with its size and modification time.
std::string Snapshot(const std::string& dir) {
  std::vector<std::string> lines;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    struct stat st;
    if (::lstat(e.path().c_str(), &st) != 0) continue;
    lines.push_back(e.path().string() + " " + std::to_string(st.st_size) + " " +
                    std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec));
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::vector<std::vector<std::string>> ReadOnlyCommands(const std::string& data) {
  return {{"topic", "list", "--data", data},
          {"topic", "describe", "--data", data, "t"},
          {"consume", "--data", data, "t", "--from-beginning"},
          {"retention", "show", "--data", data, "t"},
          {"retention", "apply", "--data", data, "--dry-run"},
          {"verify", data}};
}

class ReadOnlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Sub("data");
    RunResult r = RunTopicfs({"topic", "create", "--data", data_, "t"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = RunTopicfs({"produce", "--data", data_, "t"}, MakeLines(100));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override {
    if (!bound_.empty()) ::umount2(bound_.c_str(), MNT_DETACH);
  }
  TempDir dir_;
  std::string data_;
  std::string bound_;  // a read-only bind mount this test made
};

TEST_F(ReadOnlyTest, CommandsThatOnlyReadChangeNothing) {
  std::string before = Snapshot(data_);
  for (const auto& args : ReadOnlyCommands(data_)) {
    RunResult r = RunTopicfs(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
  }
  EXPECT_EQ(Snapshot(data_), before);  // meta/LOG not rotated, no marker consumed
}

TEST_F(ReadOnlyTest, CommandsThatOnlyReadWorkOnAReadOnlyCopy) {
  if (::geteuid() != 0) GTEST_SKIP() << "a bind mount needs root";
  std::string ro = dir_.Sub("ro");
  std::filesystem::create_directories(ro);
  if (::mount(data_.c_str(), ro.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    GTEST_SKIP() << "no bind mount here";
  }
  bound_ = ro;
  ASSERT_EQ(::mount(nullptr, ro.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr), 0);
  for (const auto& args : ReadOnlyCommands(ro)) {
    RunResult r = RunTopicfs(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
  }
  RunResult r = RunTopicfs({"consume", "--data", ro, "t", "--offset", "42", "-n", "1"});
  EXPECT_EQ(r.out, LineAt(MakeLines(100), 42));
  r = RunTopicfs({"produce", "--data", ro, "t"}, "x\n");  // a writer cannot
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err_lines(), 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "read-only filesystem")) << r.err;
}

TEST_F(ReadOnlyTest, AStoreThatWasNotClosedCleanlyIsRefusedUntilRecovered) {
  std::filesystem::remove(data_ + "/clean-shutdown");  // as after kill -9
  std::string before = Snapshot(data_);
  for (const auto& args : ReadOnlyCommands(data_)) {
    RunResult r = RunTopicfs(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << " " << args[1] << ": " << r.err;
    EXPECT_EQ(r.err_lines(), 1) << r.err;
    EXPECT_TRUE(Contains(r.err, "run `topicfs recover " + data_ + "`")) << r.err;
  }
  EXPECT_EQ(Snapshot(data_), before);
  ASSERT_EQ(RunTopicfs({"recover", data_}).exit_code, 0);
  EXPECT_EQ(RunTopicfs({"topic", "list", "--data", data_}).out, "t\n");
}

TEST(ForeignRocksDbTest, AnotherProgramsRocksDbIsRefusedAndUntouched) {
  TempDir dir;
  std::string data = dir.Sub("data");
  std::filesystem::create_directories(data);
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, data + "/meta", &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "theirs", "value").ok());
    delete db;
  }
  ::chmod(data.c_str(), 0700);
  ::chmod((data + "/meta").c_str(), 0700);
  std::string before = Snapshot(data);
  std::vector<std::vector<std::string>> commands = ReadOnlyCommands(data);
  commands.push_back({"produce", "--data", data, "t"});
  commands.push_back({"topic", "create", "--data", data, "t"});
  commands.push_back({"recover", data});
  for (const auto& args : commands) {
    RunResult r = RunTopicfs(args, "x\n");
    EXPECT_EQ(r.exit_code, 1) << args[0] << " " << args[1] << ": " << r.err;
    EXPECT_EQ(r.err_lines(), 1) << r.err;
    EXPECT_TRUE(Contains(r.err, "not a topicfs store")) << args[0] << ": " << r.err;
  }
  if (::access("/dev/fuse", R_OK | W_OK) == 0) {
    std::string mnt = dir.Sub("mnt");
    std::filesystem::create_directories(mnt);
    RunResult r = RunTopicfs({"mount", data, mnt}, "", 30);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(Contains(r.err, "not a topicfs store")) << r.err;
    if (IsMountPoint(mnt)) KillAndDetachMountsUnder(dir.path());
  }
  EXPECT_EQ(Snapshot(data), before);  // no topics/, their LOG not rotated
}

}  // namespace
}  // namespace topicfs::cli_test

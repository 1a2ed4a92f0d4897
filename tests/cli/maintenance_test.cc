// verify and recover against damaged data directories.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/support/cli_runner.h"

namespace topicfs::cli_test {
namespace {

class MaintenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Sub("data");
    input_ = MakeLines(20000);
    RunResult r = RunTopicfs({"topic", "create", "--data", data_, "t", "--segment-bytes", "32K"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = RunTopicfs({"produce", "--data", data_, "t"}, input_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    logs_ = FilesWithSuffix(data_ + "/topics/t/0", ".log");
    ASSERT_GT(logs_.size(), 4u);
  }
  TempDir dir_;
  std::string data_;
  std::string input_;
  std::vector<std::string> logs_;
};

TEST_F(MaintenanceTest, VerifyOfAHealthyStoreSucceeds) {
  RunResult r = RunTopicfs({"verify", "--data", data_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunTopicfs({"verify", data_});  // a data directory given directly
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(MaintenanceTest, VerifyNamesASealedSegmentWhoseBytesChanged) {
  const std::string& sealed = logs_[2];
  OverwriteAt(sealed, 100, "#");
  RunResult r = RunTopicfs({"verify", data_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(sealed), std::string::npos) << r.out;
  EXPECT_EQ(r.err_lines(), 1) << r.err;
}

TEST_F(MaintenanceTest, VerifyJsonSaysOkOrListsTheProblems) {
  RunResult r = RunTopicfs({"verify", "--data", data_, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"store\":\"" + data_ + "\",\"ok\":true,\"problems\":[]}\n");
  OverwriteAt(logs_[2], 100, "#");
  r = RunTopicfs({"verify", data_, "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err_lines(), 1) << r.err;
  EXPECT_EQ(r.out.rfind("{\"store\":\"" + data_ + "\",\"ok\":false,\"problems\":[{\"path\":\"" +
                            logs_[2] + "\",\"what\":\"",
                        0),
            0u)
      << r.out;
}

TEST_F(MaintenanceTest, VerifyNamesACorruptIndex) {
  std::string index = logs_[1].substr(0, logs_[1].size() - 4) + ".index";
  OverwriteAt(index, 0, std::string(8, '\xff'));
  RunResult r = RunTopicfs({"verify", "--data", data_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(index), std::string::npos) << r.out;
}

// A sealed segment cut short in the middle of a record behind the store's
// back: verify reports it, changes no file (so it says the same again), and
// recover then loses only that segment's records past the cut; the
// segments after it keep every record.
TEST_F(MaintenanceTest, VerifyChangesNothingAndRecoverKeepsTheSegmentsAfterADamagedOne) {
  const std::string& damaged = logs_[1];
  std::filesystem::resize_file(damaged, 1000);
  auto snapshot = [&] {
    std::string all;
    for (const std::string& log : FilesWithSuffix(data_ + "/topics/t/0", "")) {
      all += log + "\n" + ReadFile(log);
    }
    return all;
  };
  const std::string before = snapshot();
  RunResult first = RunTopicfs({"verify", data_});
  EXPECT_EQ(first.exit_code, 1);
  EXPECT_NE(first.out.find(damaged), std::string::npos) << first.out;
  EXPECT_EQ(snapshot(), before) << "verify changed a file";
  RunResult second = RunTopicfs({"verify", data_});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_EQ(second.out, first.out);
  ASSERT_EQ(RunTopicfs({"recover", data_}).exit_code, 0);
  EXPECT_EQ(FilesWithSuffix(data_ + "/topics/t/0", ".log").size(), logs_.size());
  RunResult r = RunTopicfs({"consume", "--data", data_, "t", "--from-beginning"});
  // What is missing is one run of lines, all from the damaged segment.
  ASSERT_LT(r.out.size(), input_.size());
  size_t same_head = 0;
  while (same_head < r.out.size() && r.out[same_head] == input_[same_head]) ++same_head;
  const size_t lost = input_.size() - r.out.size();
  EXPECT_EQ(r.out.substr(same_head), input_.substr(same_head + lost));
  EXPECT_LT(lost, 32u * 1024) << "no more than one segment's bytes";
}

TEST_F(MaintenanceTest, RecoverAfterATornTailAndADeletedIndexKeepsEveryWholeRecord) {
  std::string index = logs_[1].substr(0, logs_[1].size() - 4) + ".index";
  std::filesystem::remove(index);
  AppendToFile(logs_.back(), "torn-rec");  // a partial last record
  RunResult r = RunTopicfs({"recover", data_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cut 8 bytes from " + logs_.back()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(index), std::string::npos) << r.out;
  EXPECT_TRUE(FileExists(index));
  r = RunTopicfs({"consume", "--data", data_, "t", "--from-beginning"});
  EXPECT_TRUE(r.out == input_);
  r = RunTopicfs({"verify", data_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(MaintenanceTest, RecoverRebuildsALostMetaDirectory) {
  std::filesystem::remove_all(data_ + "/meta");
  RunResult r = RunTopicfs({"recover", data_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTopicfs({"consume", "--data", data_, "t", "--offset", "12345", "-n", "1"});
  EXPECT_EQ(r.out, LineAt(input_, 12345));
}

// A damaged meta/ (issue 16 §5): every command says to run recover, and
// recover keeps it aside and rebuilds it from the data files.
void ExpectRecoverRebuildsDamagedMeta(const std::string& data, const std::string& input) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"topic", "list", "--data", data},
                                             {"consume", "--data", data, "t", "--from-beginning"},
                                             {"produce", "--data", data, "t"},
                                             {"verify", data}}) {
    RunResult r = RunTopicfs(args, "x\n");
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.err;
    EXPECT_EQ(r.err_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("is damaged"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("run `topicfs recover " + data + "`"), std::string::npos) << r.err;
  }
  RunResult r = RunTopicfs({"recover", data});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("aside to " + data + "/meta.damaged-"), std::string::npos) << r.out;
  bool kept = false;
  for (const std::string& name : ListDir(data)) kept |= name.starts_with("meta.damaged-");
  EXPECT_TRUE(kept);
  r = RunTopicfs({"consume", "--data", data, "t", "--from-beginning"});
  EXPECT_TRUE(r.out == input) << r.err;
  EXPECT_EQ(RunTopicfs({"verify", data}).exit_code, 0);
}

TEST_F(MaintenanceTest, RecoverRebuildsAMetaDirectoryWithATruncatedTable) {
  std::vector<std::string> tables = FilesWithSuffix(data_ + "/meta", ".sst");
  ASSERT_FALSE(tables.empty());
  TruncateFile(tables.back(), 100);
  ExpectRecoverRebuildsDamagedMeta(data_, input_);
}

TEST_F(MaintenanceTest, RecoverRebuildsAMetaDirectoryWithoutCurrent) {
  std::filesystem::remove(data_ + "/meta/CURRENT");
  ExpectRecoverRebuildsDamagedMeta(data_, input_);
}

TEST(RecoverTest, RecoverOfANonStoreFails) {
  TempDir dir;
  RunResult r = RunTopicfs({"recover", dir.Sub("nothing")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err_lines(), 1) << r.err;
}

}  // namespace
}  // namespace topicfs::cli_test

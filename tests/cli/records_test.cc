// produce, consume and dump through `--data DIR`, run as the real binary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

#include "tests/support/cli_runner.h"

namespace topicfs::cli_test {
namespace {

class RecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Sub("data");
    input_ = MakeLines(60000);
    RunResult r = RunTopicfs(
        {"topic", "create", "--data", data_, "t", "--partitions", "2", "--segment-bytes", "64K"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = RunTopicfs({"produce", "--data", data_, "t", "--partition", "1"}, input_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string PartitionDir(int p) const { return data_ + "/topics/t/" + std::to_string(p); }

  TempDir dir_;
  std::string data_;
  std::string input_;
};

TEST_F(RecordsTest, ProducedFileComesBackByteForByteFromTheSegments) {
  std::vector<std::string> logs = FilesWithSuffix(PartitionDir(1), ".log");
  ASSERT_GT(logs.size(), 10u);
  std::string all;
  for (const std::string& log : logs) all += ReadFile(log);
  EXPECT_TRUE(all == input_) << "segments differ from the input";
  EXPECT_EQ(FilesWithSuffix(PartitionDir(0), ".log").size(), 1u);
}

TEST_F(RecordsTest, ConsumeOffsetCountOnePrintsLineNPlusOne) {
  for (int64_t n : {0, 1, 13, 2047, 2048, 30000, 59998, 59999}) {
    RunResult r = RunTopicfs({"consume", "--data", data_, "t", "--partition", "1", "--offset",
                              std::to_string(n), "--count", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, LineAt(input_, n)) << "offset " << n;
  }
}

TEST_F(RecordsTest, ConsumeAtEveryFirstOffsetOfASegment) {
  for (const std::string& log : FilesWithSuffix(PartitionDir(1), ".log")) {
    std::string base = log.substr(log.rfind('/') + 1, 20);
    int64_t n = std::stoll(base);
    RunResult r = RunTopicfs(
        {"consume", "--data", data_, "t", "-p", "1", "--offset", std::to_string(n), "-n", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, LineAt(input_, n) + LineAt(input_, n + 1)) << "offset " << n;
  }
}

TEST_F(RecordsTest, ConsumeFromBeginningGivesEveryRecord) {
  RunResult r = RunTopicfs({"consume", "--data", data_, "t", "-p", "1", "--from-beginning"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out == input_);
  r = RunTopicfs({"consume", "--data", data_, "t", "-p", "1", "--time", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out == input_);
}

TEST_F(RecordsTest, ConsumeAtTheLogEndPrintsNothingAndSucceeds) {
  RunResult r = RunTopicfs({"consume", "--data", data_, "t", "-p", "1", "--offset", "60000"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  r = RunTopicfs({"consume", "--data", data_, "t", "--from-beginning"});  // empty partition 0
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  r = RunTopicfs({"consume", "--data", data_, "t", "-p", "1", "--time", "2999-01-01T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(RecordsTest, OffsetPastTheEndFailsWithOneStderrLine) {
  RunResult r = RunTopicfs({"consume", "--data", data_, "t", "-p", "1", "--offset", "60001"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err_lines(), 1) << r.err;
  EXPECT_NE(r.err.find("60001"), std::string::npos) << r.err;
}

TEST_F(RecordsTest, MissingPartitionFailsWithOneLine) {
  RunResult r = RunTopicfs({"consume", "--data", data_, "t", "-p", "5", "--offset", "0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err_lines(), 1) << r.err;
  r = RunTopicfs({"produce", "--data", data_, "t", "-p", "5"}, "x\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err_lines(), 1) << r.err;
}

TEST_F(RecordsTest, DumpIndexPositionsPointAtTheirOffsets) {
  std::vector<std::string> indexes = FilesWithSuffix(PartitionDir(1), ".index");
  ASSERT_GT(indexes.size(), 2u);
  const std::string& index = indexes[1];
  std::string log = index.substr(0, index.size() - 6) + ".log";
  std::string log_bytes = ReadFile(log);
  RunResult r = RunTopicfs({"dump", index});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::regex line("offset: (\\d+) position: (\\d+)");
  int entries = 0;
  std::istringstream lines(r.out);
  for (std::string l; std::getline(lines, l);) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, line)) << l;
    int64_t offset = std::stoll(m[1]);
    size_t pos = std::stoull(m[2]);
    std::string record = log_bytes.substr(pos, log_bytes.find('\n', pos) - pos + 1);
    EXPECT_EQ(record, LineAt(input_, offset));
    ++entries;
  }
  EXPECT_GT(entries, 5);
}

TEST_F(RecordsTest, DumpTimeIndexAndLogPrintOffsets) {
  std::vector<std::string> tindexes = FilesWithSuffix(PartitionDir(1), ".timeindex");
  ASSERT_FALSE(tindexes.empty());
  RunResult r = RunTopicfs({"dump", tindexes[0]});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::regex line("timestamp: (\\d+) offset: (\\d+)");
  std::istringstream lines(r.out);
  int n = 0;
  for (std::string l; std::getline(lines, l); ++n) EXPECT_TRUE(std::regex_match(l, line)) << l;
  EXPECT_GT(n, 0);

  std::vector<std::string> logs = FilesWithSuffix(PartitionDir(1), ".log");
  r = RunTopicfs({"dump", logs[0]});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n') + 1),
            "offset: 0 position: 0 size: 8 payload: line-0 \n");
  r = RunTopicfs({"dump", logs[0], tindexes[0]});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Dumping " + tindexes[0] + "\n"), std::string::npos);
}

// jq -r `filter` over `input`: what a script does with --json.
std::string Jq(const std::string& filter, const std::string& input) {
  char path[] = "/tmp/topicfs-jq-XXXXXX";
  const int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  ::close(fd);
  std::string out;
  if (FILE* p = ::popen(("jq -r '" + filter + "' " + path).c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    EXPECT_EQ(::pclose(p), 0) << filter;
  }
  ::unlink(path);
  return out;
}

TEST_F(RecordsTest, DumpJsonIsOneObjectPerEntryThatJqReads) {
  std::vector<std::string> logs = FilesWithSuffix(PartitionDir(1), ".log");
  std::vector<std::string> indexes = FilesWithSuffix(PartitionDir(1), ".index");
  ASSERT_FALSE(logs.empty());
  RunResult text = RunTopicfs({"dump", indexes[0]});
  RunResult json = RunTopicfs({"dump", "--json", indexes[0]});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  // The same entries, field for field.
  EXPECT_EQ(Jq("\"offset: \\(.offset) position: \\(.position)\"", json.out), text.out);
  json = RunTopicfs({"dump", "--json", logs[0]});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out.substr(0, json.out.find('\n') + 1),
            "{\"offset\":0,\"position\":0,\"size\":8,\"payload\":\"line-0 \"}\n");
  EXPECT_EQ(Jq(".payload", json.out).substr(0, 8), "line-0 \n");
}

TEST(ProduceTest, ProduceCreatesAMissingTopicAndTheDataDir) {
  TempDir dir;
  std::string data = dir.Sub("new/data");
  RunResult r = RunTopicfs({"produce", "--data", data, "auto"}, "a\nb\nc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTopicfs({"consume", "--data", data, "auto", "--offset", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "b\nc\n");  // the last partial record ends at close
}

TEST(ProduceTest, NulDelimitedTopicKeepsItsDelimiter) {
  TempDir dir;
  std::string data = dir.Sub("data");
  RunResult r = RunTopicfs({"topic", "create", "--data", data, "z", "--delimiter", "nul"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string input("one\0two\nlines\0three\0", 20);
  r = RunTopicfs({"produce", "--data", data, "z"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTopicfs({"consume", "--data", data, "z", "--offset", "1", "--count", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("two\nlines\0", 10));
}

TEST(ProduceTest, RecordOverMaxMessageBytesFailsWithOneLine) {
  TempDir dir;
  std::string data = dir.Sub("data");
  RunResult r = RunTopicfs({"topic", "create", "--data", data, "m", "--max-message-bytes", "16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTopicfs({"produce", "--data", data, "m"}, "short\n" + std::string(100, 'x') + "\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err_lines(), 1) << r.err;
  r = RunTopicfs({"consume", "--data", data, "m", "--from-beginning"});
  EXPECT_EQ(r.out, "short\n");
}

}  // namespace
}  // namespace topicfs::cli_test

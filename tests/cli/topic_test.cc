// topic and retention commands, and the usage errors of every command, run
// as the real binary against `--data DIR`.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/support/cli_runner.h"

namespace topicfs::cli_test {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class TopicTest : public ::testing::Test {
 protected:
  std::string data() const { return dir_.Sub("data"); }
  // stdout of `command` run by /bin/sh (a failure leaves it empty).
  std::string RunShell(const std::string& command) {
    const std::string out = dir_.Sub("shell.out");
    EXPECT_EQ(std::system((command + " > " + out).c_str()), 0) << command;
    return ReadFile(out);
  }
  RunResult Ok(const std::vector<std::string>& args, std::string_view input = "") {
    RunResult r = RunTopicfs(args, input);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    return r;
  }
  TempDir dir_;
};

// --json (issue 14): parsed by Python's json module, as a script would.
TEST_F(TopicTest, JsonOutputOfListDescribeAndRetentionShowParses) {
  Ok({"topic", "create", "--data", data(), "orders", "--partitions", "2", "--retention", "3d"});
  Ok({"produce", "--data", data(), "orders", "-p", "1"}, "a\nb\n");
  Ok({"topic", "create", "--data", data(), "app"});
  EXPECT_EQ(Ok({"topic", "list", "--data", data(), "--json"}).out, "[\"app\",\"orders\"]\n");
  const std::string d = Ok({"topic", "describe", "--data", data(), "orders", "--json"}).out;
  WriteFile(dir_.Sub("d.json"), d);
  const std::string check =
      "/usr/bin/python3 -c \"import json,sys; t=json.load(open(sys.argv[1])); "
      "p=t['partitions'][1]; c=t['configs']; "
      "print(t['topic'], len(t['partitions']), p['log_end_offset'], p['size_bytes'], "
      "c['retention.ms']['value'], c['retention.ms']['default'], c['segment.ms']['default'])\" ";
  EXPECT_EQ(RunShell(check + dir_.Sub("d.json")), "orders 2 2 4 259200000 False True\n") << d;
  const std::string r = Ok({"retention", "show", "--data", data(), "orders", "--json"}).out;
  WriteFile(dir_.Sub("r.json"), r);
  EXPECT_EQ(RunShell("/usr/bin/python3 -c \"import json,sys; "
                     "print(sorted(json.load(open(sys.argv[1]))['configs']))\" " +
                     dir_.Sub("r.json")),
            "['retention.bytes', 'retention.ms']\n")
      << r;
}

TEST_F(TopicTest, CreateListDescribeAlterDelete) {
  Ok({"topic", "create", "--data", data(), "orders", "--partitions", "3", "--retention", "3d",
      "--retention-bytes", "10G", "--segment-bytes", "1M", "--config", "flush.messages=100"});
  Ok({"topic", "create", "--data", data(), "app"});
  EXPECT_EQ(Ok({"topic", "list", "--data", data()}).out, "app\norders\n");

  std::string d = Ok({"topic", "describe", "--data", data(), "orders"}).out;
  EXPECT_TRUE(Contains(d, "partitions: 3\n")) << d;
  EXPECT_TRUE(Contains(d, "retention.ms           259200000    3d\n")) << d;
  EXPECT_TRUE(Contains(d, "retention.bytes        10737418240  10G\n")) << d;
  EXPECT_TRUE(Contains(d, "segment.bytes          1048576      1M\n")) << d;
  EXPECT_TRUE(Contains(d, "flush.messages         100")) << d;
  EXPECT_TRUE(Contains(d, "segment.ms             604800000    7d (default)\n")) << d;

  Ok({"topic", "alter", "--data", data(), "orders", "--partitions", "5", "--config",
      "retention.ms=1h", "--delete-config", "flush.messages"});
  d = Ok({"topic", "describe", "--data", data(), "orders"}).out;
  EXPECT_TRUE(Contains(d, "partitions: 5\n")) << d;
  EXPECT_TRUE(Contains(d, "retention.ms           3600000      1h\n")) << d;
  EXPECT_TRUE(Contains(d, "flush.messages         -1           off (default)\n")) << d;

  RunResult shrink =
      RunTopicfs({"topic", "alter", "--data", data(), "orders", "--partitions", "2"});
  EXPECT_EQ(shrink.exit_code, 1);
  EXPECT_EQ(shrink.err_lines(), 1) << shrink.err;

  Ok({"produce", "--data", data(), "orders", "-p", "4"}, "x\ny\n");
  Ok({"topic", "delete", "--data", data(), "orders"});
  EXPECT_EQ(Ok({"topic", "list", "--data", data()}).out, "app\n");
  EXPECT_FALSE(FileExists(data() + "/topics/orders"));
}

TEST_F(TopicTest, CreatingAnExistingTopicFails) {
  Ok({"topic", "create", "--data", data(), "t"});
  RunResult r = RunTopicfs({"topic", "create", "--data", data(), "t"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err_lines(), 1) << r.err;
}

TEST_F(TopicTest, CommandsOnAMissingTopicOrStoreFailWithOneLine) {
  Ok({"topic", "create", "--data", data(), "t"});
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"topic", "describe", "--data", data(), "nope"},
                                             {"topic", "delete", "--data", data(), "nope"},
                                             {"retention", "show", "--data", data(), "nope"},
                                             {"topic", "list", "--data", dir_.Sub("missing")}}) {
    RunResult r = RunTopicfs(args);
    EXPECT_EQ(r.exit_code, 1) << args[1];
    EXPECT_EQ(r.err_lines(), 1) << r.err;
  }
  EXPECT_FALSE(FileExists(dir_.Sub("missing")));  // only creating commands create DIR
}

TEST_F(TopicTest, RetentionSetShowApplyDryRun) {
  Ok({"topic", "create", "--data", data(), "t", "--segment-bytes", "16K"});
  Ok({"produce", "--data", data(), "t"}, MakeLines(20000));
  Ok({"retention", "set", "--data", data(), "t", "--time", "3d", "--bytes", "64K"});
  std::string show = Ok({"retention", "show", "--data", data(), "t"}).out;
  EXPECT_TRUE(Contains(show, "retention.ms           259200000    3d\n")) << show;
  EXPECT_TRUE(Contains(show, "retention.bytes        65536        64K\n")) << show;

  size_t before = FilesWithSuffix(data() + "/topics/t/0", ".log").size();
  ASSERT_GT(before, 10u);
  std::string dry = Ok({"retention", "apply", "--data", data(), "t", "--dry-run"}).out;
  EXPECT_TRUE(Contains(dry, "would delete t/0/00000000000000000000.log")) << dry;
  EXPECT_EQ(FilesWithSuffix(data() + "/topics/t/0", ".log").size(), before);

  std::string applied = Ok({"retention", "apply", "--data", data()}).out;
  EXPECT_TRUE(Contains(applied, "deleted t/0/00000000000000000000.log")) << applied;
  std::vector<std::string> after = FilesWithSuffix(data() + "/topics/t/0", ".log");
  EXPECT_LT(after.size(), before);
  int64_t kept = 0;
  for (const std::string& log : after) kept += ReadFile(log).size();
  EXPECT_GE(kept, 64 * 1024);

  // The log start moved: reading below it fails, from it works.
  int64_t start = std::stoll(after[0].substr(after[0].rfind('/') + 1, 20));
  EXPECT_EQ(RunTopicfs({"consume", "--data", data(), "t", "--offset", "0"}).exit_code, 1);
  RunResult r = RunTopicfs({"consume", "--data", data(), "t", "--from-beginning", "-n", "1"});
  EXPECT_EQ(r.out, LineAt(MakeLines(20000), start));
  EXPECT_EQ(Ok({"retention", "apply", "--data", data(), "t"}).out, "nothing to delete\n");
}

TEST_F(TopicTest, UsageErrorsExitTwoWithOneLine) {
  Ok({"topic", "create", "--data", data(), "t"});
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"nonsense"},
      {"topic"},
      {"topic", "create"},
      {"topic", "create", "--data", data(), "x", "--retention", "7x"},
      {"topic", "create", "--data", data(), "x", "--segment-bytes", "lots"},
      {"topic", "create", "--data", data(), "x", "--partitions", "0"},
      {"topic", "create", "--data", data(), "x", "--delimiter", "tab"},
      {"topic", "create", "--data", data(), "x", "--config", "no.such=1"},
      {"topic", "create", "--data", data(), "x", "--config", "segment.bytes=1"},
      {"topic", "create", "--data", data(), "bad/name"},
      {"topic", "create", "not-in-a-mount/x"},
      {"topic", "alter", "--data", data(), "t"},
      {"topic", "list"},
      {"retention", "set", "--data", data(), "t"},
      {"consume", "--data", data(), "t"},
      {"consume", "--data", data(), "t", "--offset", "0", "--from-beginning"},
      {"consume", "--data", data(), "t", "--offset", "-1"},
      {"consume", "--data", data(), "t", "--time", "yesterday"},
      {"consume", "--data", data(), "t", "--offset", "0", "-f"},
      {"produce", "--data", data(), "t", "--bogus"},
      {"dump", "notes.txt"},
  };
  for (const std::vector<std::string>& args : cases) {
    RunResult r = RunTopicfs(args);
    std::string cmd;
    for (const std::string& a : args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, 2) << cmd << ": " << r.err;
    EXPECT_EQ(r.err_lines(), 1) << cmd << ": " << r.err;
    EXPECT_EQ(r.out, "") << cmd;
  }
}

TEST_F(TopicTest, HelpSucceeds) {
  RunResult r = RunTopicfs({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out, "consume")) << r.out;
}

}  // namespace
}  // namespace topicfs::cli_test

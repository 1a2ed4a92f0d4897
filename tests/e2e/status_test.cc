// `topicfs status` on a live mount (issue 14): records, bytes, append rates
// measured while a writer appends, groups' lag, problems; its --json read
// by jq. The progress line of long commands: drawn on a terminal only.
#include <string>

#include "tests/support/background_process.h"
#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class StatusTest : public MountTest {
 protected:
  // `filter` of jq over the status JSON.
  std::string Jq(const std::string& json_file, const std::string& filter) {
    return Out("jq -r '" + filter + "' " + json_file);
  }
};

TEST_F(StatusTest, ShowsRecordsBytesRatesAndLagOfEachTopic) {
  MakeTopic("app");
  Out("mkdir $M/app/1");
  Out("seq 1 100 >> $M/app/0/current; seq 1 10 >> $M/app/1/current");
  Out("$T group reset $M/app reader --to-offset 60 --partition 0 > /dev/null");
  MakeTopic("web");
  BackgroundProcess writer;
  ASSERT_TRUE(writer.Start(
      {"/bin/sh", "-c", "while :; do echo hit >> " + M("web/0/current") + "; sleep 0.01; done"},
      Dir(), Dir("writer.out"), Dir("writer.err")));
  ASSERT_TRUE(WaitFor([&] { return Out("cat $M/web/0/from/0 | wc -l") != "0\n"; }));
  Out("$T status $M --interval 1s --json > status.json");
  writer.Stop();
  EXPECT_EQ(Jq("status.json", ".topics | map(.topic) | join(\",\")"), "app,web\n");
  EXPECT_EQ(Jq("status.json", ".topics[0].partitions"), "2\n");
  EXPECT_EQ(Jq("status.json", ".topics[0].records"), "110\n");
  EXPECT_EQ(Jq("status.json", ".topics[0].records_per_second"), "0\n");
  EXPECT_EQ(Jq("status.json", ".topics[0].groups[0].group"), "reader\n");
  // 40 records behind on partition 0; it has no offset on partition 1.
  EXPECT_EQ(Jq("status.json", ".topics[0].groups[0].lag"), "40\n");
  EXPECT_EQ(Jq("status.json", ".topics[1].records_per_second > 10"), "true\n");
  EXPECT_EQ(Jq("status.json", ".topics[1].bytes_per_second > 40"), "true\n");
  EXPECT_EQ(Jq("status.json", "[.topics[].problems[]] | length"), "0\n");
  const std::string text = Out("$T status $M --interval 0");
  EXPECT_NE(text.find("mount " + M() + ": 2 topics, 3 partitions"), std::string::npos) << text;
  EXPECT_NE(text.find("reader (40)"), std::string::npos) << text;
  EXPECT_EQ(text.find("RECORDS/S"), std::string::npos) << "no rates without an interval";
}

TEST_F(StatusTest, AnUnmountedStoreIsSummarizedWithoutRates) {
  MakeTopic("app");
  Out("seq 1 5 >> $M/app/0/current");
  ASSERT_TRUE(Unmount());
  const std::string json = Out("$T status --data $D --interval 0 --json");
  EXPECT_NE(json.find("\"records\":5"), std::string::npos) << json;
  EXPECT_NE(Sh("$T status --data $D --interval -1").status, 0);
}

TEST_F(StatusTest, TheProgressLineIsDrawnOnATerminalOnly) {
  MakeTopic("t");
  // A slow input to produce, a line every 0.1 s for 4 s (the line comes
  // after a second, however long the command takes to start): stderr a
  // terminal (script's pty), stdin a pipe.
  WriteFile(Dir("slow.sh"), "seq 1 1000; for i in $(seq 40); do sleep 0.1; echo $i; done\n");
  const std::string slow = "sh slow.sh | $T produce $M/t";
  const std::string on_tty = Out("script -qec \"" + slow + "\" /dev/null");
  EXPECT_NE(on_tty.find("produce: "), std::string::npos) << on_tty;
  EXPECT_NE(on_tty.find("\033[K"), std::string::npos) << "the line is erased";
  const ShellResult piped = Sh(slow);
  EXPECT_EQ(piped.status, 0);
  EXPECT_EQ(piped.err, "") << "no progress line when stderr is not a terminal";
  EXPECT_EQ(Out("cat $M/t/0/from/0 | wc -l"), "2080\n");
}

}  // namespace
}  // namespace topicfs::e2e

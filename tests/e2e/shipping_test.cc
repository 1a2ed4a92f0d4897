// Log shippers on a mount (issue 19 §1, docs/SHIPPING.md): rsyslog's imfile
// in polling mode, watching the partition's *.log, ships every record of a
// topic that rolls while it watches, each once. (In inotify mode it stalls
// at the first roll: the kernel sends no inotify event for a segment the
// daemon makes. Watching `current` loses the records appended between
// imfile's last poll of a segment and the roll.)
#include <string>

#include "tests/support/background_process.h"
#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class ShippingTest : public MountTest {};

TEST_F(ShippingTest, RsyslogImfileInPollingModeShipsARollingTopicWhole) {
  MakeTopic("app", {{"segment.bytes", "65536"}});
  Out("echo first >> $M/app/0/current");
  Out("mkdir -p " + Dir("rsyslog"));
  // The configuration docs/SHIPPING.md gives, with this test's paths.
  WriteFile(Dir("rsyslog.conf"),
            "global(workDirectory=\"" + Dir("rsyslog") +
                "\")\n"
                "module(load=\"imfile\" mode=\"polling\" PollingInterval=\"1\")\n"
                "input(type=\"imfile\" File=\"" +
                M("app/0") + "/*.log" +
                "\" Tag=\"app\"\n"
                "      freshStartTail=\"off\")\n"
                "template(name=\"raw\" type=\"string\" string=\"%msg%\\n\")\n"
                "action(type=\"omfile\" file=\"" +
                Dir("shipped") + "\" template=\"raw\")\n");
  BackgroundProcess rsyslogd;
  ASSERT_TRUE(rsyslogd.Start(
      {"/usr/sbin/rsyslogd", "-n", "-f", Dir("rsyslog.conf"), "-i", Dir("rsyslog.pid")}, Dir(),
      Dir("rsyslog.out"), Dir("rsyslog.err")));
  ASSERT_TRUE(WaitFor(
      [&] { return Out("cat " + Dir("shipped") + " 2>/dev/null || true") == "first\n"; }, 20))
      << Out("cat " + Dir("rsyslog.out") + " " + Dir("rsyslog.err"));
  // 20,000 records over about four segments, written as a program logs:
  // a batch every 0.2 s, so that no two rolls fall within one poll.
  Out("for i in $(seq 0 19); do seq $((i * 1000 + 1)) $((i * 1000 + 1000)) | sed 's/^/line /' "
      ">> $M/app/0/current; sleep 0.2; done");
  ASSERT_GE(std::stoi(Out("ls $M/app/0/*.log | wc -l")), 4);
  Out("(echo first; seq 1 20000 | sed 's/^/line /') > " + Dir("expected"));
  const std::string want = Out("wc -c < " + Dir("expected"));
  EXPECT_TRUE(WaitFor([&] { return Out("wc -c < " + Dir("shipped")) >= want; }, 30));
  // Every record, each once (imfile ships each file on its own, so records
  // of two segments can interleave); differences as a few lines, not 200 KB.
  Out("sort " + Dir("expected") + " > " + Dir("expected.sorted") + " && sort " + Dir("shipped") +
      " > " + Dir("shipped.sorted"));
  EXPECT_EQ(Out("diff " + Dir("expected.sorted") + " " + Dir("shipped.sorted") + " | head -5"), "");
  EXPECT_EQ(Out("cmp " + Dir("expected") + " $M/app/0/from/0 && echo same"), "same\n");
}

}  // namespace
}  // namespace topicfs::e2e

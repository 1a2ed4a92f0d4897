// Log rotation tools against a topic (issue 16 §6). A partition is never
// renamed, copied over or truncated (DESIGN §1.5: rename, truncate EPERM),
// so the tools that rotate by renaming are refused, visibly; retention
// (segment.bytes, retention.bytes, retention.ms) is what replaces them.
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class RotationTest : public MountTest {
 protected:
  // Logs records "record-NN" with the Python handler made by `handler`
  // (an expression using the name `path`); returns the script's stderr.
  std::string LogWithPython(const std::string& handler, int records) {
    const std::string script =
        "import logging, logging.handlers, sys\n"
        "path = sys.argv[1]\n"
        "log = logging.getLogger('app')\n"
        "log.addHandler(" + handler + ")\n"
        "for i in range(" + std::to_string(records) + "):\n"
        "    log.error('record-%02d', i)\n";
    WriteFile(Dir("log.py"), script);
    ShellResult r = Sh("python3 " + Dir("log.py") + " $M/app/0/current");
    EXPECT_EQ(r.status, 0) << r.err;
    return r.err;
  }
  static std::string Records(int from, int to) {
    std::string out;
    for (int i = from; i < to; ++i) out += (i < 10 ? "record-0" : "record-") + std::to_string(i) + "\n";
    return out;
  }
};

TEST_F(RotationTest, RotatingFileHandlerIsRefusedVisiblyAndKeepsWhatItWroteBefore) {
  MakeTopic("app");
  const std::string err = LogWithPython(
      "logging.handlers.RotatingFileHandler(path, maxBytes=100, backupCount=2)", 30);
  // Its rollover renames `current`: refused, and the handler reports every
  // record it then drops on stderr (Python's "--- Logging error ---").
  EXPECT_NE(err.find("--- Logging error ---"), std::string::npos) << err;
  EXPECT_NE(err.find("Operation not permitted"), std::string::npos) << err;
  // What it wrote before its first rollover is there, whole; nothing was
  // renamed, truncated or made beside it.
  const std::string kept = ReadFile(M("app/0/from/0"));
  EXPECT_EQ(kept, Records(0, 9)) << "nine 10-byte records fit under maxBytes=100";
  std::vector<std::string> expected = {"00000000000000000000.index", "00000000000000000000.log",
                                       "00000000000000000000.timeindex"};
  expected.insert(expected.end(), kPartitionEntries.begin(), kPartitionEntries.end());
  EXPECT_EQ(List(M("app/0")), expected);
}

TEST_F(RotationTest, AFileHandlerWithRetentionKeepsEveryRecordAndBoundsTheDisk) {
  MakeTopic("app", {{"segment.bytes", "100"}, {"retention.bytes", "200"}});
  const std::string err = LogWithPython("logging.FileHandler(path)", 30);
  EXPECT_EQ(err, "");
  Out("$T retention apply $M/app");
  // The newest records stay, in whole segments; the oldest went by retention.
  const std::string kept = ReadFile(M("app/0/from/" + Xattr(M("app/0"), "user.topicfs.log_start_offset")));
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_end_offset"), "30");
  EXPECT_GE(kept.size(), 100u);
  EXPECT_LE(kept.size(), 300u);
  EXPECT_EQ(Records(30 - static_cast<int>(kept.size() / 10), 30), kept);
}

TEST_F(RotationTest, LogrotateSkipsCurrentAndFailsOnSegmentsChangingNothing) {
  MakeTopic("app", {{"segment.bytes", "100"}});
  Out("seq 1 60 >> $M/app/0/current");
  const std::string before = Out("cat $M/app/0/from/0 | md5sum; ls $M/app/0");
  WriteFile(Dir("current.conf"), M("app/0/current") + " {\n  rotate 2\n  size 1\n}\n");
  WriteFile(Dir("logs.conf"), M("app/0") + "/*.log {\n  rotate 2\n  size 1\n}\n");
  WriteFile(Dir("copy.conf"), M("app/0") + "/*.log {\n  rotate 2\n  size 1\n  copytruncate\n}\n");
  // `current` is a symbolic link: logrotate skips it, says so, and exits 0.
  ShellResult r = Sh("logrotate -v -s " + Dir("state") + " -f " + Dir("current.conf"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("symbolic link"), std::string::npos) << r.out << r.err;
  // Segments: renaming and truncating them is refused; logrotate fails.
  r = Sh("logrotate -s " + Dir("state") + " -f " + Dir("logs.conf"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
  r = Sh("logrotate -s " + Dir("state") + " -f " + Dir("copy.conf"));
  EXPECT_NE(r.status, 0);
  // Not a byte changed: the records, the segments. (copytruncate's copies,
  // beside the segments, are refused too: no file can be created there.)
  EXPECT_EQ(Out("cat $M/app/0/from/0 | md5sum; ls $M/app/0"), before);
}

}  // namespace
}  // namespace topicfs::e2e

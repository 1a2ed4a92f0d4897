// Everything the tree does not offer is refused with its errno and changes
// nothing (DESIGN §1.3, §1.5, §1.7); rm of the oldest sealed segment trims.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tests/support/mount_fixture.h"
#include "tests/support/record_writers.h"

namespace topicfs::e2e {
namespace {

class RefusalTest : public RecordWritersTest {
 protected:
  // A topic "app" with several sealed segments; returns the .log names.
  std::vector<std::string> MakeRolledTopic() {
    MakeTopic("app", {{"segment.bytes", "100"}});
    Out("seq 1 200 >> $M/app/0/current");
    std::vector<std::string> logs;
    for (const std::string& n : List(M("app/0"))) {
      if (n.ends_with(".log")) logs.push_back(n);
    }
    EXPECT_GE(logs.size(), 4u);
    return logs;
  }
  // Everything a user could see of partition 0, to show nothing changed.
  std::string Snapshot() {
    return Out(
        "cd $M/app/0 && ls -l --time-style=+ . && cat *.log | md5sum && "
        "getfattr -d . 2>/dev/null");
  }
  // Forks a writer that appends `bytes` to `path` and waits; then, with a
  // signal, kills it (its partial record must be dropped), or with 0 makes
  // it _exit(0) without closing (the kernel closes: a normal close, which
  // appends the partial record with a delimiter, DESIGN §1.3).
  void WriteThenDie(const std::string& path, const std::string& bytes, int sig) {
    int ready[2], go[2];
    ASSERT_EQ(::pipe(ready), 0);
    ASSERT_EQ(::pipe(go), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
      bool ok = fd >= 0 && ::write(fd, bytes.data(), bytes.size()) == ssize_t(bytes.size());
      char c = ok ? 'y' : 'n';
      (void)!::write(ready[1], &c, 1);
      (void)!::read(go[0], &c, 1);
      ::_exit(0);
    }
    char c = 0;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    EXPECT_EQ(c, 'y');
    if (sig != 0) {
      ASSERT_EQ(::kill(child, sig), 0);
    }
    (void)!::write(go[1], "x", 1);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    if (sig != 0) {
      EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << status;
    }
    for (int fd : {ready[0], ready[1], go[0], go[1]}) ::close(fd);
  }
  // Records just over max.message.bytes, at 2x and at 5x, appended by `w`
  // to a new topic: the writer sees EMSGSIZE once, the log does not change,
  // and the record it writes next goes in (issue 9).
  void ExpectTooLongRecordsRefusedWhole(Writer w, const std::string& topic) {
    MakeTopic(topic);
    const std::string part = M(topic + "/0");
    const size_t max = std::stoull(Xattr(M(topic), "user.topicfs.max.message.bytes"));
    ASSERT_EQ(max, 1048588u);  // Kafka's default: longer than one FUSE request
    Out("echo first >> " + part + "/current");
    for (size_t size : {max + 1, 2 * max, 5 * max}) {
      SCOPED_TRACE(std::string(WriterName(w)) + ", a record of " + std::to_string(size) + " bytes");
      const std::string record = MakeRecordFile(size);
      const std::string before = LogBytes(part);
      const std::string next = "next after " + std::to_string(size) + "\n";
      WriterRun run = Append(w, part + "/current", record, next);
      EXPECT_EQ(run.errors, std::vector<int>{EMSGSIZE}) << run.output;
      ExpectLog(part, before + next);
    }
    EXPECT_EQ(Xattr(part, "user.topicfs.log_end_offset"), "4");
  }
};

TEST_F(RefusalTest, TooLongRecordsFromPythonBufferedWriterAreRefusedWhole) {
  ExpectTooLongRecordsRefusedWhole(Writer::kPython, "big");
}

TEST_F(RefusalTest, TooLongRecordsFromStdioFwriteAreRefusedWhole) {
  ExpectTooLongRecordsRefusedWhole(Writer::kStdio, "big");
}

// dd and cat stop at their first error, so they never retry a tail; this
// pins that they see the errno and leave nothing behind.
TEST_F(RefusalTest, TooLongRecordsFromDdAndCatAreRefusedWhole) {
  ExpectTooLongRecordsRefusedWhole(Writer::kDd, "dd");
  ExpectTooLongRecordsRefusedWhole(Writer::kCat, "cat");
}

TEST_F(RefusalTest, TruncatingRedirectAndTruncateAreEPERM) {
  MakeRolledTopic();
  std::string before = Snapshot();
  ShellResult r = Sh("echo x > $M/app/0/current");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
  r = Sh("truncate -s 0 $M/app/0/current");
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
  EXPECT_EQ(::truncate(M("app/0/current").c_str(), 10), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(OpenErrno(M("app/0/current"), O_WRONLY), EPERM);
  EXPECT_EQ(OpenErrno(M("app/0/current"), O_RDWR), EPERM);
  EXPECT_EQ(OpenErrno(M("app/0/current"), O_WRONLY | O_APPEND | O_TRUNC), EPERM);
  // Read-only with O_TRUNC too (issue 17 §5): Linux would truncate.
  EXPECT_EQ(OpenErrno(M("app/0/current"), O_RDONLY | O_TRUNC), EPERM);
  EXPECT_EQ(OpenErrno(M("app/0/00000000000000000000.log"), O_RDONLY | O_TRUNC), EPERM);
  EXPECT_EQ(OpenErrno(M("app/0/00000000000000000000.index"), O_RDONLY | O_TRUNC), EPERM);
  EXPECT_EQ(OpenErrno(M("app/0/from/0"), O_RDONLY | O_TRUNC), EPERM);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RefusalTest, SealedSegmentsAndIndexesCannotBeWritten) {
  std::vector<std::string> logs = MakeRolledTopic();
  std::string before = Snapshot();
  EXPECT_EQ(OpenErrno(M("app/0/" + logs[0]), O_WRONLY | O_APPEND), EPERM);
  EXPECT_EQ(OpenErrno(M("app/0/" + logs[1]), O_WRONLY | O_APPEND), EPERM);
  std::string index = logs[0].substr(0, 20) + ".index";
  EXPECT_EQ(OpenErrno(M("app/0/" + index), O_WRONLY | O_APPEND), EPERM);
  EXPECT_EQ(OpenErrno(M("app/0/from/0"), O_WRONLY | O_APPEND), EPERM);
  ShellResult r = Sh("echo x >> $M/app/0/" + logs[0]);
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RefusalTest, RemovingAnythingButTheOldestSealedLogIsEPERM) {
  std::vector<std::string> logs = MakeRolledTopic();
  std::string before = Snapshot();
  for (const std::string& name : {logs[1], logs[2], logs.back(), logs[0].substr(0, 20) + ".index",
                                  logs[0].substr(0, 20) + ".timeindex", std::string("current")}) {
    EXPECT_EQ(::unlink(M("app/0/" + name).c_str()), -1) << name;
    EXPECT_EQ(errno, EPERM) << name;
  }
  EXPECT_EQ(::rmdir(M("app/0").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::rmdir(M("app/0/from").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::rmdir(M("app").c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RefusalTest, RemovingTheOldestSegmentTrimsTheLog) {
  std::vector<std::string> logs = MakeRolledTopic();
  std::string second = logs[1].substr(0, 20);
  std::string first = logs[0].substr(0, 20);
  ASSERT_EQ(Xattr(M("app/0"), "user.topicfs.log_start_offset"), "0");
  struct stat st;
  ASSERT_EQ(::stat(M("app/0/" + first + ".index").c_str(), &st), 0);  // cached now
  Out("rm $M/app/0/" + logs[0]);
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_start_offset"), std::to_string(std::stoll(second)));
  for (std::string suffix : {".log", ".index", ".timeindex"}) {
    EXPECT_EQ(::stat(M("app/0/" + first + suffix).c_str(), &st), -1) << suffix;
    EXPECT_EQ(errno, ENOENT);
  }
  EXPECT_EQ(List(M("app/0")).size(), 3 * (logs.size() - 1) + kPartitionEntries.size());
  EXPECT_EQ(::stat(M("app/0/from/0").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  std::string from_start = ReadFile(M("app/0/from/" + std::to_string(std::stoll(second))));
  EXPECT_EQ(from_start, Out("cat $M/app/0/*.log"));
  // The next oldest can go too, one at a time.
  Out("rm $M/app/0/" + logs[1]);
  EXPECT_EQ(Out("ls $M/app/0 | head -1"), logs[2].substr(0, 20) + ".index\n");
}

TEST_F(RefusalTest, ReadersOfADeletedSegmentFinishWhatTheyOpened) {
  std::vector<std::string> logs = MakeRolledTopic();
  std::string whole = ReadFile(M("app/0/from/0"));
  std::string first = ReadFile(M("app/0/" + logs[0]));
  int seg_fd = ::open(M("app/0/" + logs[0]).c_str(), O_RDONLY);
  int from_fd = ::open(M("app/0/from/0").c_str(), O_RDONLY);
  ASSERT_GE(seg_fd, 0);
  ASSERT_GE(from_fd, 0);
  char c;
  ASSERT_EQ(::read(from_fd, &c, 1), 1);
  Out("rm $M/app/0/" + logs[0]);
  auto read_all = [](int fd) {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
    return out;
  };
  struct stat st {};
  EXPECT_EQ(::fstat(seg_fd, &st), 0) << std::strerror(errno);
  EXPECT_EQ(st.st_size, static_cast<off_t>(first.size()));
  EXPECT_EQ(read_all(seg_fd), first);
  EXPECT_EQ(std::string(1, c) + read_all(from_fd), whole);
  ::close(seg_fd);
  ::close(from_fd);
}

// A time before 1970 is a time, before every record: since/<T> and
// consume --time start at the log start (issue 17 §5). Only a name that is
// not a time is ENOENT.
TEST_F(RefusalTest, TimesBefore1970AreTimesAndStartAtTheLogStart) {
  MakeRolledTopic();
  Out("rm $M/app/0/00000000000000000000.log");  // the log start is not 0 now
  const std::string all = Out("cat $M/app/0/*.log");
  for (const char* t : {"-1", "1969-12-31T23:59:59Z", "1900-01-01T00:00:00Z", "-99999999999999"}) {
    EXPECT_EQ(ReadFile(M(std::string("app/0/since/") + t)), all) << t;
  }
  EXPECT_EQ(Out("$T consume $M/app --partition 0 --time 1900-01-01T00:00:00Z"), all);
  for (const char* bad : {"--1", "1969-13-01", "-1x"}) {
    EXPECT_EQ(OpenErrno(M(std::string("app/0/since/") + bad), O_RDONLY), ENOENT) << bad;
  }
}

// Issue 17 §5: a writer killed in the middle of a record does not commit
// it. The kernel closes a dead process's descriptors from the dying task;
// the daemon sees it exiting by a signal and drops the partial record.
TEST_F(RefusalTest, AWriterKilledInTheMiddleOfARecordCommitsOnlyItsWholeRecords) {
  MakeTopic("k");
  const std::string current = M("k/0/current");
  for (int sig : {SIGKILL, SIGTERM, SIGINT}) {
    WriteThenDie(current, "whole " + std::to_string(sig) + "\ntorn", sig);
  }
  EXPECT_EQ(ReadFile(M("k/0/from/0")), "whole 9\nwhole 15\nwhole 2\n");
  // A writer that exits without closing is closed by the kernel too, but
  // it chose to exit: its last record is ended as at any close.
  WriteThenDie(current, "exit without close", 0);
  EXPECT_EQ(ReadFile(M("k/0/from/3")), "exit without close\n");
  // A descriptor shared with a process that is killed: only the dying
  // writer's partial record is dropped; the survivor's records go in.
  int fd = ::open(current.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  WriteThenDie(current, "killed sibling", SIGKILL);
  ASSERT_EQ(::write(fd, "survivor\n", 9), 9);
  ::close(fd);
  EXPECT_EQ(ReadFile(M("k/0/from/4")), "survivor\n");
  EXPECT_EQ(Xattr(M("k/0"), "user.topicfs.log_end_offset"), "5");
}

TEST_F(RefusalTest, CreatingLinkingAndRenamingAreEPERM) {
  MakeRolledTopic();
  std::string before = Snapshot();
  EXPECT_EQ(OpenErrno(M("app/0/new.txt"), O_WRONLY | O_CREAT), EPERM);
  EXPECT_EQ(OpenErrno(M("new.txt"), O_WRONLY | O_CREAT), EPERM);
  EXPECT_EQ(::mknod(M("app/0/fifo").c_str(), S_IFIFO | 0644, 0), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::symlink("x", M("app/0/link").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::link(M("app/0/current").c_str(), M("app/0/hard").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::rename(M("app/0/current").c_str(), M("app/0/other").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::rename(M("app").c_str(), M("app2").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::mkdir(M("app/0/from/x").c_str(), 0755), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::chmod(M("app/0/current").c_str(), 0666), -1);
  // Times are append times: `touch` of anything that exists is refused.
  for (const char* path : {"app", "app/0", "app/0/current", "app/0/00000000000000000000.log",
                           "app/0/00000000000000000000.index", "app/0/from/0"}) {
    EXPECT_EQ(::utimensat(AT_FDCWD, M(path).c_str(), nullptr, 0), -1) << path;
    EXPECT_EQ(errno, EPERM) << path;
  }
  const ShellResult touched = Sh("touch $M/app/0/current");
  EXPECT_NE(touched.status, 0);
  EXPECT_NE(touched.err.find("Operation not permitted"), std::string::npos) << touched.err;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RefusalTest, MkdirNamesTopicsAndTheNextPartitionOnly) {
  EXPECT_EQ(::mkdir(M("bad:name").c_str(), 0755), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(::mkdir(M(std::string(250, 'x')).c_str(), 0755), -1);
  EXPECT_EQ(errno, EINVAL);
  MakeTopic("t");
  EXPECT_EQ(::mkdir(M("t").c_str(), 0755), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(::mkdir(M("t/2").c_str(), 0755), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(::mkdir(M("t/x").c_str(), 0755), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(::mkdir(M("t/1").c_str(), 0755), 0);
  EXPECT_EQ(::mkdir(M("t/2").c_str(), 0755), 0);
  EXPECT_EQ(List(M("t")), (std::vector<std::string>{"0", "1", "2"}));
  Out("echo hi >> $M/t/2/current");
  EXPECT_EQ(ReadFile(M("t/2/from/0")), "hi\n");
  // An empty topic can be removed with rmdir; one holding records cannot.
  MakeTopic("empty");
  EXPECT_EQ(::mkdir(M("empty/1").c_str(), 0755), 0);
  EXPECT_EQ(::rmdir(M("empty").c_str()), 0);
  EXPECT_EQ(List(M("")), std::vector<std::string>{"t"});
  EXPECT_EQ(::rmdir(M("t").c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
}

}  // namespace
}  // namespace topicfs::e2e

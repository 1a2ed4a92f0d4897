// Deleting topics while they are in use (DESIGN §1.1, §1.5; issue 17 §2,
// issue 9 §2): an rmdir racing the first append never deletes an
// acknowledged record; `topicfs topic delete` on a live mount lets open
// readers finish and fails open appenders; a topic made again starts empty.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

// Exit code of a forked child: the errno of the failing step, 0 on success.
// The writer encodes the step too: 0 ok, 1xx write failed, 2xx close failed.
int WaitExit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return 255;
  return WEXITSTATUS(status);
}

// Blocks until the parent closes the barrier's write end.
void AwaitBarrier(int read_fd) {
  char c;
  while (::read(read_fd, &c, 1) < 0 && errno == EINTR) {
  }
}

struct RaceOutcome {
  int writer = 0;  // 0, 100 + write errno, 200 + close errno
  int rmdir = 0;   // errno of rmdir, 0 on success
};

// One round: a writer that already opened `current` writes its first record
// while another process removes the topic, both released at once.
RaceOutcome RaceRmdirWithFirstAppend(const std::string& topic_dir) {
  int go[2], opened[2];
  if (::pipe(go) != 0 || ::pipe(opened) != 0) return {255, 255};
  pid_t writer = ::fork();
  if (writer == 0) {
    ::close(go[1]);
    int fd = ::open((topic_dir + "/0/current").c_str(), O_WRONLY | O_APPEND);
    if (fd < 0) ::_exit(99);
    (void)!::write(opened[1], "o", 1);
    AwaitBarrier(go[0]);
    if (::write(fd, "rec\n", 4) != 4) ::_exit(100 + (errno % 100));
    if (::close(fd) != 0) ::_exit(200 + (errno % 50));
    ::_exit(0);
  }
  pid_t remover = ::fork();
  if (remover == 0) {
    ::close(go[1]);
    AwaitBarrier(go[0]);
    ::_exit(::rmdir(topic_dir.c_str()) == 0 ? 0 : errno);
  }
  ::close(go[0]);
  ::close(opened[1]);
  AwaitBarrier(opened[0]);  // the writer has opened `current` (or died)
  ::close(opened[0]);
  ::close(go[1]);  // release both at once
  return {WaitExit(writer), WaitExit(remover)};
}

class DeletionTest : public MountTest {};

TEST_F(DeletionTest, RmdirRacingTheFirstAppendNeverDeletesAnAcknowledgedRecord) {
  constexpr int kRounds = 1000;
  int append_won = 0, rmdir_won = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string topic = "race" + std::to_string(round);
    ASSERT_EQ(::mkdir(M(topic).c_str(), 0755), 0) << std::strerror(errno);
    RaceOutcome out = RaceRmdirWithFirstAppend(M(topic));
    ASSERT_NE(out.writer, 99) << "round " << round << ": open of current failed";
    ASSERT_FALSE(out.writer == 0 && out.rmdir == 0)
        << "round " << round << ": write and rmdir both succeeded";
    if (out.rmdir == 0) {
      // rmdir won: the write (or the close that appends it) said ENOENT.
      EXPECT_TRUE(out.writer == 100 + ENOENT || out.writer == 200 + ENOENT)
          << "round " << round << ": writer " << out.writer;
      ++rmdir_won;
    } else {
      // The append won: rmdir refused and the record is there.
      ASSERT_EQ(out.rmdir, ENOTEMPTY) << "round " << round;
      ASSERT_EQ(out.writer, 0) << "round " << round;
      ASSERT_EQ(ReadFile(M(topic + "/0/from/0")), "rec\n") << "round " << round;
      ++append_won;
    }
  }
  std::printf("rmdir/append race: %d rounds, append won %d, rmdir won %d\n", kRounds, append_won,
              rmdir_won);
  EXPECT_EQ(append_won + rmdir_won, kRounds);
}

// Reads `fd` to its end.
std::string ReadRest(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  return out;
}

TEST_F(DeletionTest, LiveDeleteLetsOpenReadersFinishAndFailsOpenAppenders) {
  MakeTopic("app", {{"segment.bytes", "200"}});
  Out("seq 1 300 >> $M/app/0/current");
  ASSERT_EQ(SetXattrErrno(M("app"), "user.team", "payments"), 0);
  const std::string all = ReadFile(M("app/0/from/0"));
  const std::string first_segment = ReadFile(M("app/0/00000000000000000000.log"));
  ASSERT_GT(List(M("app/0")).size(), 9u) << "several segments";
  // A from/ reader and a sealed-segment reader, each part-way through.
  int stream = ::open(M("app/0/from/0").c_str(), O_RDONLY);
  int segment = ::open(M("app/0/00000000000000000000.log").c_str(), O_RDONLY);
  int appender = ::open(M("app/0/current").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(stream, 0);
  ASSERT_GE(segment, 0);
  ASSERT_GE(appender, 0);
  char head[100];
  ASSERT_EQ(::read(stream, head, sizeof head), 100);
  ASSERT_EQ(::read(segment, head, 10), 10);
  ASSERT_EQ(::write(appender, "half", 4), 4);  // a partial record waits in the handle

  ShellResult del = Sh("$T topic delete $M/app");
  ASSERT_EQ(del.status, 0) << del.err;

  // The appender gets an error and writes nothing, now or at close.
  EXPECT_EQ(::write(appender, "after\n", 6), -1);
  EXPECT_EQ(errno, ENOENT);
  (void)::close(appender);
  // The readers finish what they opened, byte for byte.
  EXPECT_EQ(std::string(head, 10) + ReadRest(segment), first_segment);
  std::string rest = ReadRest(stream);
  EXPECT_EQ(all.substr(0, 100) + rest, all);
  ::close(stream);
  ::close(segment);
  // Gone from the mount and from DATA: files, trash, metadata.
  EXPECT_EQ(::access(M("app").c_str(), F_OK), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_TRUE(List(D("topics")).empty());
  EXPECT_TRUE(List(D("trash")).empty());
  EXPECT_EQ(Out("grep -rl -e after -e half $D/topics || true"), "");
  // Made again, the name starts empty.
  ASSERT_EQ(::mkdir(M("app").c_str(), 0755), 0) << std::strerror(errno);
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_end_offset"), "0");
  EXPECT_EQ(GetXattrErrno(M("app"), "user.team"), ENODATA);
  EXPECT_EQ(ReadFile(M("app/0/from/0")), "");
  std::vector<std::string> expected = {"00000000000000000000.index", "00000000000000000000.log",
                                       "00000000000000000000.timeindex"};
  expected.insert(expected.end(), kPartitionEntries.begin(), kPartitionEntries.end());
  EXPECT_EQ(List(M("app/0")), expected);
  // And it survives a remount empty, with nothing of the old topic.
  ASSERT_TRUE(Unmount());
  Mount();
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_end_offset"), "0");
}

TEST_F(DeletionTest, TheDeleteAttributeTakesTheTopicsOwnNameAndRmdirStillRefuses) {
  MakeTopic("app");
  Out("echo x >> $M/app/0/current");
  EXPECT_EQ(::rmdir(M("app").c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
  EXPECT_EQ(SetXattrErrno(M("app"), "user.topicfs.delete", "other"), EINVAL);
  EXPECT_EQ(SetXattrErrno(M("app/0"), "user.topicfs.delete", "app"), EPERM);
  EXPECT_EQ(GetXattrErrno(M("app"), "user.topicfs.delete"), ENODATA);
  EXPECT_EQ(ReadFile(M("app/0/from/0")), "x\n");
  EXPECT_EQ(SetXattrErrno(M("app"), "user.topicfs.delete", "app"), 0);
  // The kernel drops its entry when the daemon's notice arrives.
  EXPECT_TRUE(WaitFor([&] { return ::access(M("app").c_str(), F_OK) != 0; }));
  ASSERT_EQ(::mkdir(M("app").c_str(), 0755), 0) << std::strerror(errno);
  EXPECT_EQ(ReadFile(M("app/0/from/0")), "");
}

TEST_F(DeletionTest, DeleteThroughDataWhileUnmounted) {
  MakeTopic("app", {{"segment.bytes", "100"}});
  MakeTopic("keep");
  Out("seq 1 100 >> $M/app/0/current; echo k >> $M/keep/0/current");
  ASSERT_EQ(SetXattrErrno(M("app"), "user.team", "payments"), 0);
  ASSERT_TRUE(Unmount());
  ShellResult del = Sh("$T topic delete --data $D app");
  ASSERT_EQ(del.status, 0) << del.err;
  EXPECT_EQ(List(D("topics")), std::vector<std::string>{"keep"});
  Mount();
  EXPECT_EQ(List(M()), std::vector<std::string>{"keep"});
  ASSERT_EQ(::mkdir(M("app").c_str(), 0755), 0);
  EXPECT_EQ(ReadFile(M("app/0/from/0")), "");
  EXPECT_EQ(GetXattrErrno(M("app"), "user.team"), ENODATA);
  EXPECT_EQ(ReadFile(M("keep/0/from/0")), "k\n");
}

}  // namespace
}  // namespace topicfs::e2e

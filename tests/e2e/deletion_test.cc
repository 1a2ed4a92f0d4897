// Deleting topics while they are in use (DESIGN §1.1, §1.5; issue 17 §2,
// issue 9 §2): an rmdir racing the first append never deletes an
// acknowledged record.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tests/e2e/mount_fixture.h"

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

}  // namespace
}  // namespace topicfs::e2e

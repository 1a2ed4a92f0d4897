// follow/<N> and follow/end (DESIGN §7): a read at the log end waits for the
// next record, woken by an append from another process; a signal ends a
// blocked `cat`; O_NONBLOCK gives EAGAIN; poll()/epoll report readiness;
// deleting the topic or unmounting ends a waiting reader with end of file;
// a thousand readers wait at once on one partition, each woken by one
// append. scripts/test.sh runs this suite over /dev/fuse and over io_uring.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <string>

#include "tests/support/background_process.h"
#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class FollowDirTest : public MountTest {
 protected:
  // Starts `cat PATH` (PATH under the mount) with its output in a file, and
  // waits until it holds the file open.
  void StartCat(BackgroundProcess* cat, const std::string& path, const std::string& out) {
    ASSERT_TRUE(cat->Start({"cat", M(path)}, Dir(), Dir(out), Dir(out + ".err")));
    ASSERT_TRUE(WaitFor([&] { return cat->HoldsFileUnder(M()); })) << cat->command();
  }
  bool FileHolds(const std::string& out, const std::string& expected) {
    return WaitFor([&] { return ReadFile(Dir(out)) == expected; }, 10);
  }
  long DaemonRssKib() {
    std::ifstream in("/proc/" + std::to_string(daemon_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
  }
};

TEST_F(FollowDirTest, AReaderAtTheLogEndIsWokenByAppendsFromAnotherProcess) {
  MakeTopic("t");
  Out("printf 'a\\nb\\n' >> $M/t/0/current");
  BackgroundProcess from_start, from_end;
  StartCat(&from_start, "t/0/follow/0", "start.out");
  StartCat(&from_end, "t/0/follow/end", "end.out");
  ASSERT_TRUE(FileHolds("start.out", "a\nb\n"));
  Out("echo c >> $M/t/0/current");
  EXPECT_TRUE(FileHolds("start.out", "a\nb\nc\n")) << ReadFile(Dir("start.out"));
  EXPECT_TRUE(FileHolds("end.out", "c\n")) << ReadFile(Dir("end.out"));
  // A record written in two write()s is handed out whole, once complete.
  const std::string script = R"(
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
os.write(fd, b"d")
time.sleep(0.3)
print(open(sys.argv[2]).read() == "c\n", flush=True)
os.write(fd, b"e\n")
)";
  WriteFile(Dir("halves.py"), script);
  EXPECT_EQ(Out("python3 halves.py $M/t/0/current end.out"), "True\n");
  EXPECT_TRUE(FileHolds("end.out", "c\nde\n")) << ReadFile(Dir("end.out"));
  // Still waiting, not at end of file.
  EXPECT_FALSE(from_end.Wait(0).has_value());
}

TEST_F(FollowDirTest, CtrlCEndsABlockedCat) {
  MakeTopic("t");
  BackgroundProcess cat;
  StartCat(&cat, "t/0/follow/end", "cat.out");
  ASSERT_TRUE(cat.Signal(SIGINT));
  std::optional<int> status = cat.Wait(10);
  ASSERT_TRUE(status.has_value()) << "cat still blocked after SIGINT";
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGINT);
  // The mount is fine afterwards.
  Out("echo x >> $M/t/0/current");
  EXPECT_EQ(Out("cat $M/t/0/from/0"), "x\n");
}

TEST_F(FollowDirTest, ASignalCaughtByTheReaderGivesEintr) {
  MakeTopic("t");
  const std::string script = R"(
import os, signal, sys
class Alarm(Exception): pass
def ring(*_): raise Alarm()
# The handler runs only once the blocked read returned (EINTR); Python
# would retry a read after a handler that returns.
signal.signal(signal.SIGALRM, ring)
fd = os.open(sys.argv[1], os.O_RDONLY)
signal.setitimer(signal.ITIMER_REAL, 0.3)
try:
    os.read(fd, 100)
    print("returned")
except Alarm:
    print("EINTR")
)";
  WriteFile(Dir("eintr.py"), script);
  EXPECT_EQ(Out("python3 eintr.py $M/t/0/follow/end", 20), "EINTR\n");
}

// Signals that keep coming while a reader waits: each interrupts its read,
// Python reads again (PEP 475), and some land just as the kernel hands the
// new read to the daemon. Over io_uring, Linux (6.18 at least) sends no
// INTERRUPT for those and the reader waits, uninterruptibly, for the
// daemon's answer: the daemon must still end such reads with EINTR.
TEST_F(FollowDirTest, EveryInterruptedReadEndsEvenWhenSignalsKeepComing) {
  MakeTopic("t");
  const std::string script = R"(
import os, signal, sys
class Enough(Exception): pass
count = 0
def tick(*_):
    global count
    count += 1
    if count == 3000: raise Enough()
signal.signal(signal.SIGALRM, tick)
fd = os.open(sys.argv[1], os.O_RDONLY)
signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
try:
    os.read(fd, 100)
    print("returned")
except Enough:
    print("interrupted")
signal.setitimer(signal.ITIMER_REAL, 0)
)";
  WriteFile(Dir("storm.py"), script);
  BackgroundProcess reader;
  ASSERT_TRUE(reader.Start({"python3", Dir("storm.py"), M("t/0/follow/end")}, Dir(),
                           Dir("storm.out"), Dir("storm.err")));
  std::optional<int> status = reader.Wait(60);
  if (!status.has_value()) KillDaemonAndDetach();  // ends a reader stuck in the kernel
  ASSERT_TRUE(status.has_value()) << "a read stayed blocked after a signal";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << "status " << *status << ": " << ReadFile(Dir("storm.err"));
  EXPECT_EQ(ReadFile(Dir("storm.out")), "interrupted\n");
}

TEST_F(FollowDirTest, NonBlockingReadsGetEagainAtTheLogEnd) {
  MakeTopic("t");
  Out("echo a >> $M/t/0/current");
  const std::string script = R"(
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
print(os.read(fd, 100))
try:
    os.read(fd, 100)
    print("no EAGAIN")
except BlockingIOError:
    print("EAGAIN")
)";
  WriteFile(Dir("nb.py"), script);
  EXPECT_EQ(Out("python3 nb.py $M/t/0/follow/0"), "b'a\\n'\nEAGAIN\n");
}

TEST_F(FollowDirTest, PollSelectAndEpollReportReadiness) {
  MakeTopic("t");
  const std::string script = R"(
import os, select, subprocess, sys
path, current = sys.argv[1], sys.argv[2]
fd = os.open(path, os.O_RDONLY)
p = select.poll(); p.register(fd, select.POLLIN)
print("idle", p.poll(200))
subprocess.run(["sh", "-c", "echo one >> " + current])
print("after", [ev & select.POLLIN for _, ev in p.poll(5000)])
print(os.read(fd, 100))
print("select idle", select.select([fd], [], [], 0.2)[0] == [])
ep = select.epoll(); ep.register(fd, select.EPOLLIN)
print("epoll idle", ep.poll(0.2))
subprocess.run(["sh", "-c", "echo two >> " + current])
print("epoll after", len(ep.poll(5)))
print("select after", select.select([fd], [], [], 5)[0] == [fd])
print(os.read(fd, 100))
)";
  WriteFile(Dir("poll.py"), script);
  EXPECT_EQ(Out("python3 poll.py $M/t/0/follow/end $M/t/0/current"),
            "idle []\nafter [1]\nb'one\\n'\nselect idle True\nepoll idle []\nepoll after 1\n"
            "select after True\nb'two\\n'\n");
}

TEST_F(FollowDirTest, DeletingTheTopicEndsAWaitingReaderWithEndOfFile) {
  MakeTopic("t");
  Out("echo a >> $M/t/0/current");
  BackgroundProcess cat;
  StartCat(&cat, "t/0/follow/0", "cat.out");
  ASSERT_TRUE(FileHolds("cat.out", "a\n"));
  Out("setfattr -n user.topicfs.delete -v t $M/t");
  std::optional<int> status = cat.Wait(10);
  ASSERT_TRUE(status.has_value()) << "cat still blocked after the topic was deleted";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  EXPECT_EQ(ReadFile(Dir("cat.out")), "a\n");
}

TEST_F(FollowDirTest, UnmountEndsWaitingReadersAndNothingHangs) {
  MakeTopic("t");
  Out("echo a >> $M/t/0/current");
  BackgroundProcess one, two;
  StartCat(&one, "t/0/follow/0", "one.out");
  StartCat(&two, "t/0/follow/end", "two.out");
  ASSERT_TRUE(FileHolds("one.out", "a\n"));
  ShellResult unmount = Sh("$T unmount $M", 60);
  EXPECT_EQ(unmount.status, 0) << unmount.err;
  for (BackgroundProcess* cat : {&one, &two}) {
    std::optional<int> status = cat->Wait(10);
    ASSERT_TRUE(status.has_value()) << cat->command() << " still blocked";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  }
  EXPECT_FALSE(Mounted());
  ASSERT_TRUE(WaitDaemon(10));
  Mount();
  EXPECT_EQ(Out("cat $M/t/0/from/0"), "a\n");
}

TEST_F(FollowDirTest, TheLookupRulesAreThoseOfFrom) {
  MakeTopic("t");
  Out("printf 'a\\nb\\n' >> $M/t/0/current");
  EXPECT_EQ(List(M("t/0/follow")), std::vector<std::string>{});
  EXPECT_EQ(Out("stat -c %s $M/t/0/follow/0 $M/t/0/follow/1 $M/t/0/follow/2 $M/t/0/follow/end"),
            "4\n2\n0\n0\n");
  EXPECT_NE(Sh("cat $M/t/0/follow/3").status, 0);  // beyond the log end
  EXPECT_NE(Sh("cat $M/t/0/follow/x").status, 0);
  EXPECT_NE(Sh("echo z >> $M/t/0/follow/end").status, 0);
  // ls of a partition shows follow/ beside from/ and since/.
  EXPECT_NE(Out("ls $M/t/0").find("follow"), std::string::npos);
}

TEST_F(FollowDirTest, AThousandReadersWaitOnOnePartitionAndOneAppendWakesThemAll) {
  MakeTopic("t");
  MakeTopic("other");
  const long rss_before = DaemonRssKib();
  const std::string script = R"(
import os, sys, threading
path, n = sys.argv[1], int(sys.argv[2])
fds = [os.open(path, os.O_RDONLY) for _ in range(n)]
got = [None] * n
def read(i):
    got[i] = os.read(fds[i], 100)
threads = [threading.Thread(target=read, args=(i,)) for i in range(n)]
for t in threads: t.start()
print("started", flush=True)
for t in threads: t.join()
print(sum(1 for g in got if g == b"go\n"))
)";
  WriteFile(Dir("many.py"), script);
  BackgroundProcess readers;
  ASSERT_TRUE(readers.Start({"python3", Dir("many.py"), M("t/0/follow/end"), "1000"}, Dir(),
                            Dir("many.out"), Dir("many.err")));
  ASSERT_TRUE(WaitFor([&] { return ReadFile(Dir("many.out")) == "started\n"; }, 60));
  // Let every read reach the daemon and park, then look at what they cost.
  Out("sleep 1");
  const long rss_parked = DaemonRssKib();
  EXPECT_LT(rss_parked - rss_before, 50 * 1024) << "KiB before " << rss_before;
  // An append to another topic wakes none of them.
  Out("echo no >> $M/other/0/current; sleep 0.3");
  EXPECT_EQ(ReadFile(Dir("many.out")), "started\n");
  Out("echo go >> $M/t/0/current");
  std::optional<int> status = readers.Wait(60);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(ReadFile(Dir("many.out")), "started\n1000\n") << ReadFile(Dir("many.err"));
}

}  // namespace
}  // namespace topicfs::e2e

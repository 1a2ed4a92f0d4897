// Sealed segments read through FUSE passthrough (fusefs/kernel/passthrough.h): the
// kernel reads the segment file itself, so no READ request reaches the
// daemon, and the bytes are those appended, whatever tool reads them.
#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

// Passthrough came with Linux 6.9.
bool KernelOffersPassthrough() {
  struct utsname u;
  int major = 0, minor = 0;
  if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return false;
  return major > 6 || (major == 6 && minor >= 9);
}

class PassthroughTest : public MountTest {
 protected:
  // Remounts with `options`; LogSinceMount() then shows this mount's log.
  void Remount(const std::string& options) {
    ASSERT_TRUE(Unmount());
    log_start_ = DaemonLog().size();
    Mount({"-o", options});
  }
  std::string LogSinceMount() { return DaemonLog().substr(log_start_); }
  // libfuse's debug log (-o debug) names every request the daemon gets.
  int ReadRequests() {
    std::string log = LogSinceMount();
    int n = 0;
    for (size_t at = log.find("opcode: READ ("); at != std::string::npos;
         at = log.find("opcode: READ (", at + 1)) {
      ++n;
    }
    return n;
  }
  // 30,000 records over segments of at most 16 KiB; returns the sealed
  // segments' names as a shell word list, oldest first.
  std::string FillSealedSegments() {
    MakeTopic("app", {{"segment.bytes", "16384"}});
    Out("seq 1 30000 >> $M/app/0/current");
    return Out("cd $M/app/0 && ls *.log | grep -v \"^$(readlink current)$\" | tr '\\n' ' '");
  }
  // What the sealed segments must hold: the records before the active one.
  std::string ExpectedSealedBytes() {
    std::string active = Out("readlink $M/app/0/current");
    int64_t base = std::stoll(active.substr(0, 20));
    return Out("seq 1 " + std::to_string(base));
  }

  size_t log_start_ = 0;
};

TEST_F(PassthroughTest, SealedSegmentsAreReadByTheKernelNotTheDaemon) {
  Remount("debug");
  std::string sealed = FillSealedSegments();
  ASSERT_GT(sealed.size(), 25u * 5) << sealed;
  if (!KernelOffersPassthrough()) {
    EXPECT_NE(LogSinceMount().find("passthrough: not offered"), std::string::npos);
    return;
  }
  ASSERT_NE(LogSinceMount().find("passthrough: on"), std::string::npos);
  // For 2 s after its roll the newest sealed segment still takes the
  // `>> current` opens that raced the roll (kRollGraceMs), so until then it
  // is read through the daemon, as such opens require.
  Out("sleep 2.2");
  const std::string expected = ExpectedSealedBytes();
  const int before = ReadRequests();
  EXPECT_EQ(Out("cd $M/app/0 && cat " + sealed), expected);
  EXPECT_EQ(Out("cd $M/app/0 && cat " + sealed + "| grep -c 7"),
            Out("seq 1 " + std::to_string(std::count(expected.begin(), expected.end(), '\n')) +
                " | grep -c 7"));
  // A shared mapping reads the segment file too.
  std::string first = sealed.substr(0, sealed.find(' '));
  EXPECT_EQ(Out("python3 -c 'import mmap,sys; f=open(sys.argv[1],\"rb\"); "
                "sys.stdout.buffer.write(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)[:])' "
                "$M/app/0/" +
                first),
            ReadFile(M("app/0/" + first)));
  EXPECT_EQ(ReadRequests(), before) << "sealed reads reached the daemon:\n" << LogSinceMount();
  // The active segment is still read through the daemon, up to its end.
  std::string active = Out("readlink $M/app/0/current | tr -d '\\n'");
  EXPECT_EQ(Out("tail -n 1 $M/app/0/" + active), "30000\n");
  EXPECT_GT(ReadRequests(), before);
}

TEST_F(PassthroughTest, OffReadsSealedSegmentsThroughTheDaemon) {
  Remount("debug,passthrough=off");
  std::string sealed = FillSealedSegments();
  EXPECT_EQ(LogSinceMount().find("passthrough: on"), std::string::npos);
  const int before = ReadRequests();
  EXPECT_EQ(Out("cd $M/app/0 && cat " + sealed), ExpectedSealedBytes());
  EXPECT_GT(ReadRequests(), before);
}

TEST_F(PassthroughTest, ManyReadersAndRemountsKeepTheBytes) {
  std::string sealed = FillSealedSegments();
  const std::string expected = ExpectedSealedBytes();
  // Concurrent opens of the same segments share one backing file; the
  // last release drops it and the next open registers it again.
  Out("d=$PWD; cd $M/app/0 && for i in 1 2 3 4 5 6 7 8; do cat " + sealed +
      " > $d/r$i & done; wait");
  for (int i = 1; i <= 8; ++i) EXPECT_EQ(ReadFile(Dir("r" + std::to_string(i))), expected) << i;
  ASSERT_TRUE(Unmount());
  Mount();
  EXPECT_EQ(Out("cd $M/app/0 && cat " + sealed), expected);
}

// An append handle opened before rolls keeps writing through the inode of a
// segment that is sealed by now; the kernel then thinks that file grows.
// Readers of it, through any read path, must see exactly the bytes on disk.
// (The race that once let page-cache readers see zeros here needs more
// concurrency than this; the soak in docs/RELIABILITY.md caught it.)
TEST_F(PassthroughTest, ALongLivedWriterDoesNotChangeWhatSealedSegmentsRead) {
  for (auto [options, topic] : {std::pair<std::string, std::string>{"passthrough=on", "won"},
                                {"passthrough=off", "woff"}}) {
    SCOPED_TRACE(options);
    Remount(options);
    MakeTopic(topic, {{"segment.bytes", "4096"}});
    // One fd for the whole loop; every few records, read every sealed
    // segment (just rolled ones included) and compare with the files.
    std::string compare = "for f in $M/" + topic + "/0/*.log; do n=$(basename $f); " +
                          "[ $n = $(readlink $M/" + topic + "/0/current) ] && continue; " +
                          "cmp -s $f $D/topics/" + topic + "/0/$n || echo differs: $n; done";
    std::string out = Out("exec 3>>$M/" + topic +
                          "/0/current; for i in $(seq 1 60); do "
                          "seq $((i*100-99)) $((i*100)) >&3; " +
                          compare + "; done; exec 3>&-");
    EXPECT_EQ(out, "");
    EXPECT_EQ(Out("cat $M/" + topic + "/0/from/0"), Out("seq 1 6000"));
  }
}

// A data directory on overlayfs (a container's root filesystem, say) sits
// one level deeper in the kernel's filesystem stack; the daemon declares the
// depth passthrough must allow.
class OverlayPassthroughTest : public PassthroughTest {
 protected:
  void TearDown() override {
    if (Mounted()) Unmount();
    if (overlay_) Sh("umount " + Dir("merged") + " || umount -l " + Dir("merged"));
    PassthroughTest::TearDown();
  }
  bool overlay_ = false;
};

TEST_F(OverlayPassthroughTest, SealedSegmentsOnOverlayfsAreReadByTheKernel) {
  ASSERT_TRUE(Unmount());
  ASSERT_EQ(Sh("mkdir -p lower upper work merged && mount -t overlay overlay -o "
               "lowerdir=$PWD/lower,upperdir=$PWD/upper,workdir=$PWD/work $PWD/merged")
                .status,
            0);
  overlay_ = true;
  data_ = Dir("merged/data");
  log_start_ = DaemonLog().size();
  Mount({"-o", "debug"});
  std::string sealed = FillSealedSegments();
  if (!KernelOffersPassthrough()) return;
  ASSERT_NE(LogSinceMount().find("passthrough: on"), std::string::npos);
  Out("sleep 2.2");  // past the roll's grace period, as above
  const int before = ReadRequests();
  EXPECT_EQ(Out("cd $M/app/0 && cat " + sealed), ExpectedSealedBytes());
  EXPECT_EQ(ReadRequests(), before) << "sealed reads reached the daemon";
  EXPECT_EQ(LogSinceMount().find("refused a backing file"), std::string::npos);
}

}  // namespace
}  // namespace topicfs::e2e

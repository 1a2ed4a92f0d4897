// Shared mappings (Python's mmap.mmap(..., ACCESS_READ)) of the files read
// through the daemon: the active segment, from/, since/ and follow/
// (issue 19 §2). Where the kernel offers FUSE_DIRECT_IO_ALLOW_MMAP (Linux
// 6.6), a mapping holds the bytes as of the mmap call, whole records only;
// a mapping held across a roll does not keep the sealed segment from being
// read (the kernel fails a passthrough open of an inode that is mapped).
#include <string>

#include "tests/support/background_process.h"
#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class SharedMmapTest : public MountTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    if (HasFatalFailure()) return;
    if (DaemonLog().find("shared mmap: on") == std::string::npos) {
      GTEST_SKIP() << "the kernel does not offer FUSE_DIRECT_IO_ALLOW_MMAP (Linux < 6.6): "
                      "shared mappings of these files fail with ENODEV";
    }
  }
  // What a shared mapping of `path` (the whole file as fstat sizes it) holds.
  std::string Mapped(const std::string& path) {
    return Out(
        "python3 -c 'import mmap,sys; f=open(sys.argv[1],\"rb\"); "
        "sys.stdout.buffer.write(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)[:])' " +
        path);
  }
};

TEST_F(SharedMmapTest, TheActiveSegmentAndTheReadingDirectoriesMapWhole) {
  MakeTopic("app");
  Out("seq 1 100000 >> $M/app/0/current");
  const std::string all = Out("seq 1 100000");
  EXPECT_EQ(Mapped("$M/app/0/current"), all);
  EXPECT_EQ(Mapped("$M/app/0/from/0"), all);
  EXPECT_EQ(Mapped("$M/app/0/since/0"), all);
  EXPECT_EQ(Mapped("$M/app/0/follow/0"), all);
  EXPECT_EQ(Mapped("$M/app/0/from/99990"), Out("seq 99991 100000"));
}

TEST_F(SharedMmapTest, AMappingHoldsWholeRecordsAsOfTheMmapWhileAppendsGoOn) {
  MakeTopic("app");
  Out("seq 1 20000 | sed 's/$/ abcdefghij/' >> $M/app/0/current");
  // Appends run while mappings are taken; every one ends on a record and
  // holds nothing but whole records.
  ShellResult checked = Sh(
      "(for i in $(seq 1 30); do seq 1 2000 | sed 's/$/ abcdefghij/' >> $M/app/0/current; done) & "
      "python3 -c '\n"
      "import mmap,sys\n"
      "bad = 0\n"
      "for i in range(60):\n"
      "  f = open(sys.argv[1], \"rb\")\n"
      "  b = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)[:]\n"
      "  if not b.endswith(b\"\\n\") or any(not l.endswith(b\" abcdefghij\") for l in "
      "b.split(b\"\\n\")[:-1]):\n"
      "    bad += 1\n"
      "print(bad)\n"
      "' $M/app/0/current; wait");
  ASSERT_EQ(checked.status, 0) << checked.out;
  EXPECT_EQ(checked.out, "0\n");
  EXPECT_EQ(Out("wc -l < $M/app/0/current"), "80000\n");
}

TEST_F(SharedMmapTest, AMappingHeldAcrossARollLeavesTheSealedSegmentReadable) {
  MakeTopic("app", {{"segment.bytes", "100000"}});
  Out("seq 1 10000 >> $M/app/0/current");
  const std::string first = Out("readlink $M/app/0/current | tr -d '\\n'");
  const std::string before = ReadFile(M("app/0/" + first));
  // The mapping is held (the file open) until the fifo says to let go;
  // then it prints whether it still holds what was there when it was made.
  Out("mkfifo " + Dir("go"));
  BackgroundProcess holder;
  ASSERT_TRUE(holder.Start({"python3", "-c",
                            "import mmap,sys\n"
                            "f = open(sys.argv[1], 'rb')\n"
                            "m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)\n"
                            "print(len(m), flush=True)\n"
                            "open(sys.argv[2]).read()\n"
                            "print(m[:] == open(sys.argv[3], 'rb').read())\n",
                            M("app/0/current"), Dir("go"), Dir("copy")},
                           Dir(), Dir("held"), Dir("held.err")));
  Out("cp $M/app/0/current " + Dir("copy"));
  ASSERT_TRUE(WaitFor([&] { return !Out("cat " + Dir("held")).empty(); }, 10));
  Out("seq 10001 40000 >> $M/app/0/current");
  ASSERT_NE(Out("readlink $M/app/0/current | tr -d '\\n'"), first);
  // Past the 2 s after the roll in which it is read through the daemon anyway.
  Out("sleep 2.2");
  // Before the fix, this open failed with EIO: the mapping had put the
  // inode in the kernel's page-cache mode and the open asked for passthrough.
  const std::string sealed = ReadFile(M("app/0/" + first));
  ASSERT_GT(sealed.size(), before.size());
  EXPECT_EQ(sealed.substr(0, before.size()), before);
  EXPECT_EQ(Mapped("$M/app/0/" + first), sealed);
  Out("echo > " + Dir("go"));
  EXPECT_TRUE(holder.Wait(10).has_value());
  EXPECT_NE(Out("cat " + Dir("held")).find("True"), std::string::npos)
      << Out("cat " + Dir("held") + " " + Dir("held.err"));
  EXPECT_EQ(Out("cat $M/app/0/*.log | wc -l"), "40000\n");
}

}  // namespace
}  // namespace topicfs::e2e

// A full disk under a live mount (issue 4): the data directory sits on a
// small tmpfs the test mounts. Appends fail with ENOSPC and append nothing
// partial, every acknowledged record stays whole, reads go on, the metadata
// stays consistent, and appends work again once retention frees space.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "tests/support/mount_fixture.h"
#include "tests/support/record_writers.h"

namespace topicfs::e2e {
namespace {

class FullDiskTest : public RecordWritersTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(Unmount());
    ASSERT_EQ(::mount("tmpfs", data_.c_str(), "tmpfs", 0, "size=12m,mode=0700"), 0)
        << std::strerror(errno);
    tmpfs_mounted_ = true;
    Mount({"-o", "retention.check.interval.ms=200"});
  }
  void TearDown() override {
    if (Mounted()) Unmount();
    if (tmpfs_mounted_ && ::umount2(data_.c_str(), MNT_DETACH) != 0) {
      ADD_FAILURE() << "cannot unmount the tmpfs at " << data_;
    }
    MountTest::TearDown();
  }

  // Appends `line` repeatedly in 64 KiB writes until a write fails; returns
  // the bytes acknowledged and the errno of the failure.
  std::pair<std::string, int> AppendUntilFull(const std::string& path, const std::string& line) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
    EXPECT_GE(fd, 0) << std::strerror(errno);
    std::string chunk;
    while (chunk.size() + line.size() <= 65536) chunk += line;
    std::string acked;
    int err = 0;
    for (int i = 0; i < 100000 && err == 0; ++i) {
      ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n < 0)
        err = errno;
      else
        acked.append(chunk, 0, n);
      if (n >= 0 && static_cast<size_t>(n) < chunk.size()) err = -1;  // short: retry once
    }
    ::close(fd);
    return {acked, err};
  }

  // Fills what is left of the small filesystem with a file the test can
  // remove to free space again.
  std::string FillDisk() {
    const std::string filler = D("filler");
    Sh("dd if=/dev/zero of=" + filler + " bs=64k 2>/dev/null");
    return filler;
  }

  // Records just over one FUSE request (and the default max.message.bytes),
  // at 2x and at 5x, appended by `w` to a full disk, with max.message.bytes
  // raised so that only the disk refuses them. The space comes back between
  // the writer's write() calls and its flush, so Python retries the tail
  // after the short count with space free: it must still get ENOSPC. The
  // log does not change, and the next record goes in (issue 9).
  void ExpectRecordsRefusedWholeOnAFullDisk(Writer w, const std::string& topic) {
    MakeTopic(topic, {{"max.message.bytes", "8388608"}});
    const std::string part = M(topic + "/0");
    Out("echo first >> " + part + "/current");
    for (size_t size : {size_t{1048589}, size_t{2097176}, size_t{5242940}}) {
      SCOPED_TRACE(std::string(WriterName(w)) + ", a record of " + std::to_string(size) + " bytes");
      const std::string record = MakeRecordFile(size);
      const std::string before = LogBytes(part);
      const std::string next = "next after " + std::to_string(size) + "\n";
      WriterRun run = Append(w, part + "/current", record, next, FillDisk());
      EXPECT_EQ(run.errors, std::vector<int>{ENOSPC}) << run.output;
      ExpectLog(part, before + next);
    }
    EXPECT_EQ(Xattr(part, "user.topicfs.log_end_offset"), "4");
  }

  bool tmpfs_mounted_ = false;
};

TEST_F(FullDiskTest, PythonBufferedWriterGetsENOSPCAndNoTailEvenWhenSpaceReturnsBeforeTheRetry) {
  ExpectRecordsRefusedWholeOnAFullDisk(Writer::kPython, "t");
}

// stdio retries a short count at once, inside fwrite, while the disk is
// still full; dd and cat stop at their first error.
TEST_F(FullDiskTest, StdioDdAndCatGetENOSPCAndNoTail) {
  ExpectRecordsRefusedWholeOnAFullDisk(Writer::kStdio, "stdio");
  ExpectRecordsRefusedWholeOnAFullDisk(Writer::kDd, "dd");
  ExpectRecordsRefusedWholeOnAFullDisk(Writer::kCat, "cat");
}

// A raw write() caller that frees space itself between the short count and
// its retry of the rest: the rest is refused with ENOSPC, never a record.
TEST_F(FullDiskTest, RawWriterRetryingTheRestAfterFreeingSpaceGetsENOSPC) {
  MakeTopic("t", {{"max.message.bytes", "8388608"}});
  Out("echo first >> $M/t/0/current");
  const std::string record = MakeRecordFile(2097176);
  const std::string filler = FillDisk();
  const std::string before = LogBytes(M("t/0"));
  std::ofstream(Dir("raw.py")) << R"(import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
rec = open(sys.argv[2], 'rb').read()
n = os.write(fd, rec)
print('short' if 0 < n < len(rec) else 'n=%d' % n)
os.unlink(sys.argv[3])
for part in (rec[n:], b'next\n'):
    try:
        print(os.write(fd, part))
    except OSError as e:
        print('errno', e.errno)
os.close(fd)
)";
  const std::string out =
      Out("python3 " + Dir("raw.py") + " $M/t/0/current " + record + " " + filler);
  EXPECT_EQ(out, "short\nerrno " + std::to_string(ENOSPC) + "\n5\n");
  ExpectLog(M("t/0"), before + "next\n");
}

TEST_F(FullDiskTest, AppendsFailWithENOSPCKeepEveryAcknowledgedRecordAndRecoverAfterRetention) {
  MakeTopic("t", {{"segment.bytes", "524288"}});
  const std::string line(99, 'r');
  auto [acked, err] = AppendUntilFull(M("t/0/current"), line + "\n");
  ASSERT_EQ(err, ENOSPC) << "the disk never filled";
  ASSERT_GT(acked.size(), 1u << 20);

  // A record longer than a FUSE request, split by the kernel: refused whole.
  std::string big(3 << 20, 'B');
  big.back() = '\n';
  int fd = ::open(M("t/0/current").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ssize_t n = ::write(fd, big.data(), big.size());
  int big_err = errno;
  ::close(fd);
  // The first request's bytes wait in the handle, so the caller may see a
  // short count; either way none of the record may reach the log.
  EXPECT_TRUE((n < 0 && big_err == ENOSPC) || (n >= 0 && static_cast<size_t>(n) < big.size()))
      << "n=" << n << " errno=" << big_err;

  // Reads go on, and the log is exactly what was acknowledged.
  EXPECT_EQ(ReadFile(M("t/0/from/0")), acked);
  EXPECT_EQ(Out("cat $M/t/0/*.log | wc -c"), std::to_string(acked.size()) + "\n");
  ASSERT_EQ(acked.size() % 100, 0u);
  EXPECT_EQ(Xattr(M("t/0"), "user.topicfs.log_end_offset"), std::to_string(acked.size() / 100));

  // Retention frees space; appends work again.
  ASSERT_EQ(SetXattrErrno(M("t"), "user.topicfs.retention.bytes", "1048576"), 0);
  ASSERT_TRUE(WaitFor([&] { return Xattr(M("t/0"), "user.topicfs.log_start_offset") != "0"; }));
  const int64_t start = std::stoll(Xattr(M("t/0"), "user.topicfs.log_start_offset"));
  Out("echo after-retention >> $M/t/0/current");
  const std::string end = Xattr(M("t/0"), "user.topicfs.log_end_offset");
  EXPECT_EQ(end, std::to_string(acked.size() / 100 + 1));
  EXPECT_EQ(ReadFile(M("t/0/from/" + std::to_string(start))),
            acked.substr(start * 100) + "after-retention\n");

  // The metadata agrees with the files.
  ASSERT_TRUE(Unmount());
  ShellResult verify = Sh("$T verify --data $D");
  EXPECT_EQ(verify.status, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace topicfs::e2e

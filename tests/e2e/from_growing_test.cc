// from/<N> while appends go on and segments roll under it: readers that
// follow its end, read it again from the start, start in the middle, or
// read at random places below the size fstat reports, see exactly the
// bytes appended, in order, never a zero, a torn record or a short read
// below that size (nor, at a roll, an early end of the log: the store
// checks again whether a segment was sealed between its look at it and its
// size read; that race was reasoned from the code, not seen here).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

using FromGrowingTest = MountTest;

// Record i: its number, then a filler whose length varies, so that record
// ends fall anywhere in a page.
std::string Record(int i) {
  return "r" + std::to_string(i) + " " + std::string(static_cast<size_t>(i * 37 % 211), 'x') +
         "\n";
}

// Why `got` is not a prefix of `expected`, or "" when it is.
std::string NotAPrefix(const std::string& got, const std::string& expected) {
  if (got.size() > expected.size()) return "longer than everything appended";
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != expected[i]) {
      return "byte " + std::to_string(i) + " is " + std::to_string(int{got[i]}) + ", not '" +
             expected[i] + "'";
    }
  }
  return "";
}

TEST_F(FromGrowingTest, ReadersAtTheEndSeeEveryRecordWhileAppendsGo) {
  MakeTopic("t", {{"segment.bytes", "262144"}});
  constexpr int kRecords = 40000;
  std::string expected;
  std::vector<size_t> record_start;
  for (int i = 0; i < kRecords; ++i) {
    record_start.push_back(expected.size());
    expected += Record(i);
  }
  const std::string from0 = M("t/0/from/0");
  std::atomic<bool> written{false};
  std::atomic<size_t> committed{0};  // bytes acknowledged to the writer

  std::thread writer([&] {
    // Set on every way out, a failed assertion included, so that no reader
    // waits for records that will never come.
    struct SayWritten {
      std::atomic<bool>& written;
      ~SayWritten() { written = true; }
    } say_written{written};
    int fd = ::open(M("t/0/current").c_str(), O_WRONLY | O_APPEND);
    ASSERT_GE(fd, 0);
    std::mt19937 rng(7);
    for (int i = 0; i < kRecords;) {
      // 1 to 12 records per write(): appends of every size.
      const int n = std::min<int>(kRecords - i, 1 + static_cast<int>(rng() % 12));
      const size_t from = record_start[i];
      const size_t to = i + n < kRecords ? record_start[i + n] : expected.size();
      ASSERT_EQ(::write(fd, expected.data() + from, to - from), static_cast<ssize_t>(to - from));
      committed = to;
      i += n;
    }
    ::close(fd);
  });

  // Reads `path` from its start until it holds `want` bytes, `buf` at a
  // time, waiting at its end as `tail -f` does; returns what it read.
  auto follow = [&](const std::string& path, size_t buf, size_t want) {
    std::string got;
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 500; ++tries) {
      fd = ::open(path.c_str(), O_RDONLY);
      if (fd < 0) ::usleep(2000);
    }
    if (fd < 0) return std::string("open failed");
    std::vector<char> chunk(buf);
    for (int idle = 0; got.size() < want && idle < 20000;) {
      ssize_t n = ::read(fd, chunk.data(), buf);
      if (n < 0) break;
      if (n == 0) {
        ++idle;
        ::usleep(500);
        continue;
      }
      got.append(chunk.data(), static_cast<size_t>(n));
    }
    ::close(fd);
    return got;
  };

  std::vector<std::string> followed(3);
  std::vector<std::thread> readers;
  readers.emplace_back([&] { followed[0] = follow(from0, 4096, expected.size()); });
  readers.emplace_back([&] { followed[1] = follow(from0, 1000, expected.size()); });
  // from/<N> for a record in the middle, opened once the log reaches it.
  const int middle = kRecords / 2;
  readers.emplace_back([&] {
    while (committed.load() <= record_start[middle] && !written) ::usleep(1000);
    followed[2] =
        follow(M("t/0/from/" + std::to_string(middle)), 65536, expected.size() - record_start[middle]);
  });

  // Whole reads from the start, each open on its own, while appends go on.
  std::string reread_error;
  int rereads = 0;
  readers.emplace_back([&] {
    while (!written && reread_error.empty()) {
      std::string got = ReadFile(from0);
      reread_error = NotAPrefix(got, expected);
      ++rereads;
    }
  });
  // Reads at random places below the size fstat reports.
  std::string random_error;
  readers.emplace_back([&] {
    std::mt19937 rng(11);
    int fd = ::open(from0.c_str(), O_RDONLY);
    if (fd < 0) {
      random_error = "open failed";
      return;
    }
    std::vector<char> chunk(9000);
    while (!written && random_error.empty()) {
      struct stat st;
      if (::fstat(fd, &st) != 0 || st.st_size == 0) continue;
      const off_t off = static_cast<off_t>(rng() % st.st_size);
      const size_t len = 1 + rng() % chunk.size();
      ssize_t n = ::pread(fd, chunk.data(), len, off);
      const size_t before_end = std::min<size_t>(len, st.st_size - off);
      if (n < static_cast<ssize_t>(before_end)) {
        random_error = "pread at " + std::to_string(off) + " returned " + std::to_string(n) +
                       " below the size " + std::to_string(st.st_size);
      } else if (std::string(chunk.data(), n) != expected.substr(off, n)) {
        random_error = "pread at " + std::to_string(off) + " returned other bytes";
      }
    }
    ::close(fd);
  });

  writer.join();
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(NotAPrefix(followed[0], expected), "");
  EXPECT_EQ(followed[0].size(), expected.size());
  EXPECT_EQ(followed[1] == expected, true) << NotAPrefix(followed[1], expected);
  EXPECT_EQ(followed[2] == expected.substr(record_start[middle]), true)
      << NotAPrefix(followed[2], expected.substr(record_start[middle]));
  EXPECT_EQ(reread_error, "") << "after " << rereads << " rereads";
  EXPECT_GT(rereads, 0);
  EXPECT_EQ(random_error, "");
  EXPECT_EQ(ReadFile(from0), expected);
}

TEST_F(FromGrowingTest, ATopicMadeAgainShowsItsOwnRecords) {
  MakeTopic("t");
  Out("seq 1 5000 >> $M/t/0/current");
  EXPECT_EQ(ReadFile(M("t/0/from/0")), Out("seq 1 5000"));
  Out("setfattr -n user.topicfs.delete -v t $M/t");
  MakeTopic("t");
  Out("seq 100001 103000 >> $M/t/0/current");
  EXPECT_EQ(ReadFile(M("t/0/from/0")), Out("seq 100001 103000"));
  EXPECT_EQ(Out("cat $M/t/0/from/0 | head -c 7"), "100001\n");
}

}  // namespace
}  // namespace topicfs::e2e

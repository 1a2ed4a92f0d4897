// Appending (DESIGN §1.3): whole records per write, partial records closed
// at close(), concurrent writers never interleaved, a NUL-delimited topic.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class AppendTest : public MountTest {};

TEST_F(AppendTest, PartialRecordIsAppendedAtClose) {
  MakeTopic("app");
  Out("printf abc >> $M/app/0/current");
  EXPECT_EQ(ReadFile(M("app/0/from/0")), "abc\n");
  int fd = ::open(M("app/0/current").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ASSERT_EQ(::write(fd, "de", 2), 2);
  ASSERT_EQ(::write(fd, "f\ngh", 4), 4);
  // Readers see whole records only: "def\n" is in, "gh" waits.
  EXPECT_EQ(ReadFile(M("app/0/from/0")), "abc\ndef\n");
  struct stat st;
  ASSERT_EQ(::stat(M("app/0/current").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 8);
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_end_offset"), "2");
  ASSERT_EQ(::close(fd), 0);
  EXPECT_EQ(ReadFile(M("app/0/from/0")), "abc\ndef\ngh\n");
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_end_offset"), "3");
  Out("echo -n x >> $M/app/0/current; printf '' >> $M/app/0/current; echo >> $M/app/0/current");
  EXPECT_EQ(ReadFile(M("app/0/from/3")), "x\n\n");  // an empty line is a record
}

TEST_F(AppendTest, AppendsLandAtTheEndWhateverTheOffset) {
  MakeTopic("app");
  int a = ::open(M("app/0/current").c_str(), O_WRONLY | O_APPEND);
  int b = ::open(M("app/0/current").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  ASSERT_EQ(::write(a, "one\n", 4), 4);
  ASSERT_EQ(::write(b, "two\n", 4), 4);
  ASSERT_EQ(::pwrite(a, "three\n", 6, 0), 6);
  ASSERT_EQ(::write(a, "four\n", 5), 5);
  ::close(a);
  ::close(b);
  EXPECT_EQ(ReadFile(M("app/0/current")), "one\ntwo\nthree\nfour\n");
  // fsync and fdatasync make the partition durable and succeed.
  Out("printf 'five\\n' | dd of=$M/app/0/current oflag=append conv=notrunc,fsync status=none");
  Out("printf 'six\\n' | dd of=$M/app/0/current oflag=append conv=notrunc,fdatasync status=none");
  EXPECT_EQ(ReadFile(M("app/0/from/4")), "five\nsix\n");
}

TEST_F(AppendTest, HandleOpenedBeforeARollKeepsAppendingAndStatStaysTrue) {
  MakeTopic("app", {{"segment.bytes", "100"}});
  std::string first = M("app/0/00000000000000000000.log");
  int fd = ::open(first.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  std::string expected;
  for (int i = 0; i < 42; ++i) {  // 5 full segments of 8 records, 2 more
    std::string rec = "record-" + std::to_string(1000 + i) + "\n";  // 12 bytes
    ASSERT_EQ(::write(fd, rec.data(), rec.size()), static_cast<ssize_t>(rec.size()));
    expected += rec;
  }
  struct stat st;
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, 96);  // 8 records: the kernel must not think it grew
  ASSERT_EQ(::stat(first.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 96);
  EXPECT_EQ(st.st_mode & 0777, 0444u);
  ::close(fd);
  EXPECT_EQ(ReadFile(first), expected.substr(0, 96));
  EXPECT_EQ(ReadFile(M("app/0/from/0")), expected);
  EXPECT_EQ(Out("stat -L -c %s $M/app/0/current"), std::to_string(expected.size() % 96) + "\n");
}

TEST_F(AppendTest, AnAppendThatResolvedCurrentBeforeRollsStillAppendsOnce) {
  MakeTopic("app", {{"segment.bytes", "100"}});
  // What `>> current` does, in two steps with rolls by another process in
  // between: readlink, then open of the segment it named.
  char target[64] = {};
  ASSERT_EQ(::readlink(M("app/0/current").c_str(), target, sizeof target - 1), 24);
  Out("seq 1 30 >> $M/app/0/current");  // 81 bytes: sealed
  Out("seq 31 60 >> $M/app/0/current");  // sealed again
  int fd = ::open(M("app/0/" + std::string(target)).c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0) << target << ": " << std::strerror(errno);
  ASSERT_EQ(::write(fd, "x\n", 2), 2);
  ::close(fd);
  EXPECT_EQ(ReadFile(M("app/0/from/60")), "x\n");  // at the partition's end
  // The resolution served that one open; the sealed segment refuses the next.
  EXPECT_EQ(OpenErrno(M("app/0/" + std::string(target)), O_WRONLY | O_APPEND), EPERM);
}

TEST_F(AppendTest, ConcurrentAppendersWithLongLinesNeverInterleave) {
  MakeTopic("app", {{"segment.bytes", "1000000"}});
  // Four writers, 40 lines of 70,000 bytes each; cat writes them in 128 KiB
  // pieces that cut lines anywhere.
  Out("for c in a b c d; do head -c 70000 /dev/zero | tr '\\0' $c > line.$c; echo >> line.$c; "
      "for i in $(seq 40); do cat line.$c; done > in.$c; done");
  // Every writer must succeed: a bare `wait` would hide one that failed.
  Out("for c in a b c d; do cat in.$c >> $M/app/0/current & pids=\"$pids $!\"; done; "
      "for p in $pids; do wait $p || exit 1; done");
  std::string log = Out("cat $M/app/0/*.log");
  ASSERT_EQ(log.size(), 4u * 40 * 70001);
  std::map<char, int> lines;
  for (size_t pos = 0; pos < log.size(); pos += 70001) {
    char c = log[pos];
    ASSERT_EQ(log.find_first_not_of(c, pos), pos + 70000) << "mixed line at " << pos;
    ASSERT_EQ(log[pos + 70000], '\n');
    ++lines[c];
  }
  EXPECT_EQ(lines, (std::map<char, int>{{'a', 40}, {'b', 40}, {'c', 40}, {'d', 40}}));
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_end_offset"), "160");
  EXPECT_GE(std::stoi(Xattr(M("app/0"), "user.topicfs.segment_count")), 10);
}

TEST_F(AppendTest, NulDelimitedTopicFedByFindPrint0) {
  MakeTopic("files", {{"record.delimiter", "nul"}});
  Out("mkdir -p tree/a/b tree/c && touch tree/a/x 'tree/a/b/with space' 'tree/c/new\nline'");
  Out("find tree -print0 > expected && find tree -print0 >> $M/files/0/current");
  Out("cmp expected $M/files/0/from/0");
  EXPECT_EQ(Xattr(M("files/0"), "user.topicfs.log_end_offset"), "7");
  EXPECT_EQ(Out("xargs -0 -n1 printf '%s|' < $M/files/0/current"),
            Out("xargs -0 -n1 printf '%s|' < expected"));
  std::string expected = ReadFile(Dir("expected"));
  size_t last_start = expected.rfind('\0', expected.size() - 2) + 1;
  EXPECT_EQ(ReadFile(M("files/0/from/6")), expected.substr(last_start));
  // The delimiter is fixed once the topic holds a record.
  EXPECT_EQ(SetXattrErrno(M("files"), "user.topicfs.record.delimiter", "newline"), EPERM);
  // A partial record gets the topic's delimiter at close.
  Out("printf last >> $M/files/0/current");
  EXPECT_EQ(ReadFile(M("files/0/from/7")), std::string("last\0", 5));
}

TEST_F(AppendTest, RecordLongerThanMaxMessageBytesIsRefusedWhole) {
  MakeTopic("app", {{"max.message.bytes", "100"}});
  Out("echo ok >> $M/app/0/current");
  ShellResult r = Sh("head -c 500 /dev/zero | tr '\\0' x >> $M/app/0/current");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Message too long"), std::string::npos) << r.err;
  Out("echo after >> $M/app/0/current");
  EXPECT_EQ(ReadFile(M("app/0/from/0")), "ok\nafter\n");
}

}  // namespace
}  // namespace topicfs::e2e

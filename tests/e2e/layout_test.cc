// The tree after rolls, and reading it back with cat, grep, wc and the
// from/ and since/ files (DESIGN §1.1, §1.2, §1.4).
#include <sys/stat.h>

#include <cerrno>
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class LayoutTest : public MountTest {};

std::string Seq(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += std::to_string(i) + "\n";
  return s;
}

int StatErrno(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? 0 : errno;
}

TEST_F(LayoutTest, RollsShowSegmentsWithIndexesAndCurrent) {
  MakeTopic("app", {{"segment.bytes", "1000"}});
  Out("seq 1 2000 >> $M/app/0/current");
  std::vector<std::string> names = List(M("app/0"));
  const size_t fixed = kPartitionEntries.size();
  ASSERT_GE(names.size(), 3u * 8 + fixed);
  EXPECT_EQ(std::vector<std::string>(names.end() - fixed, names.end()), kPartitionEntries);
  // Every segment has its three files, and base offsets count the records
  // of the segments before it.
  int64_t expected_base = 0;
  std::string last_log;
  for (size_t i = 0; i + fixed < names.size(); i += 3) {
    std::string prefix = names[i].substr(0, 20);
    EXPECT_EQ(names[i], prefix + ".index");
    EXPECT_EQ(names[i + 1], prefix + ".log");
    EXPECT_EQ(names[i + 2], prefix + ".timeindex");
    EXPECT_EQ(std::stoll(prefix), expected_base) << names[i + 1];
    std::string log = ReadFile(M("app/0/" + names[i + 1]));
    EXPECT_LE(log.size(), 1000u);
    expected_base += std::count(log.begin(), log.end(), '\n');
    last_log = names[i + 1];
    struct stat st;
    ASSERT_EQ(::stat(M("app/0/" + names[i + 1]).c_str(), &st), 0);
    EXPECT_EQ(st.st_size, static_cast<off_t>(log.size()));
    bool active = i + 3 + fixed >= names.size();
    EXPECT_EQ(st.st_mode & 0777, active ? 0644u : 0444u) << names[i + 1];
  }
  EXPECT_EQ(expected_base, 2000);
  EXPECT_EQ(Out("readlink $M/app/0/current"), last_log + "\n");
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.log_end_offset"), "2000");
  EXPECT_TRUE(List(M("app/0/from")).empty());
  EXPECT_TRUE(List(M("app/0/since")).empty());
}

TEST_F(LayoutTest, CatGrepWcMatchTheInputByteForByte) {
  MakeTopic("app", {{"segment.bytes", "4096"}});
  Out("seq 1 30000 | sed 's/$/ some text/' > in.txt && cat in.txt >> $M/app/0/current");
  Out("cat $M/app/0/*.log | cmp - in.txt");
  Out("cat $M/app/0/from/0 | cmp - in.txt");
  EXPECT_EQ(Out("cat $M/app/0/*.log | wc -l"), "30000\n");
  EXPECT_EQ(Out("grep -c '' $M/app/0/*.log | awk -F: '{s+=$2} END {print s}'"), "30000\n");
  EXPECT_EQ(Out("cat $M/app/0/*.log | grep -c '^2999. some'"), "10\n");
  EXPECT_EQ(Out("wc -c < in.txt"), Out("cat $M/app/0/*.log | wc -c"));
  // stat sizes add up to the input and to size_bytes.
  EXPECT_EQ(Out("du -b --apparent-size -c $M/app/0/*.log | tail -1 | cut -f1"),
            Out("wc -c < in.txt"));
  EXPECT_EQ(Xattr(M("app/0"), "user.topicfs.size_bytes") + "\n", Out("wc -c < in.txt"));
}

// from/, since/ and follow/ are read through the daemon, a request per
// read(): they ask cat, stdio and Python for buffers of the default
// max_read (512 KiB), not 4 KiB ones.
TEST_F(LayoutTest, StreamFilesAskForLargeReadsAndPythonReadsThemLineByLine) {
  MakeTopic("app", {{"segment.bytes", "65536"}});
  Out("seq 1 50000 >> $M/app/0/current");
  EXPECT_EQ(Out("stat -c %o $M/app/0/from/0 $M/app/0/since/0 $M/app/0/follow/0"),
            "524288\n524288\n524288\n");
  EXPECT_EQ(
      Out("/usr/bin/python3 -c 'import sys; print(sum(1 for _ in open(sys.argv[1], \"rb\")))' "
          "$M/app/0/from/0"),
      "50000\n");
  EXPECT_EQ(
      Out("/usr/bin/python3 -c 'import sys; print(sum(1 for _ in open(sys.argv[1], \"rb\")))' "
          "$M/app/0/since/0"),
      "50000\n");
}

TEST_F(LayoutTest, FromAtFirstLastInteriorAndEnd) {
  MakeTopic("app", {{"segment.bytes", "1000"}});
  Out("seq 1 2000 >> $M/app/0/current");
  EXPECT_EQ(ReadFile(M("app/0/from/0")), Seq(1, 2000));
  EXPECT_EQ(ReadFile(M("app/0/from/1999")), "2000\n");
  EXPECT_EQ(ReadFile(M("app/0/from/1234")), Seq(1235, 2000));
  EXPECT_EQ(Out("tail -n +1235 $M/app/0/from/0 | cmp - $M/app/0/from/1234 && echo same"), "same\n");
  // The log end exists and is empty; it grows as records arrive.
  EXPECT_EQ(ReadFile(M("app/0/from/2000")), "");
  struct stat st;
  ASSERT_EQ(::stat(M("app/0/from/2000").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
  Out("echo more >> $M/app/0/current");
  ASSERT_EQ(::stat(M("app/0/from/2000").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 5);
  EXPECT_EQ(ReadFile(M("app/0/from/2000")), "more\n");
  ASSERT_EQ(::stat(M("app/0/from/0").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, static_cast<off_t>(Seq(1, 2000).size() + 5));
}

TEST_F(LayoutTest, FromNamesOutsideTheLogAreENOENT) {
  MakeTopic("app");
  Out("seq 1 10 >> $M/app/0/current");
  EXPECT_EQ(StatErrno(M("app/0/from/11")), ENOENT);
  EXPECT_EQ(StatErrno(M("app/0/from/abc")), ENOENT);
  EXPECT_EQ(StatErrno(M("app/0/from/-1")), ENOENT);
  EXPECT_EQ(StatErrno(M("app/0/from/1e3")), ENOENT);
  EXPECT_EQ(StatErrno(M("app/0/from/99999999999999999999999")), ENOENT);
  EXPECT_EQ(StatErrno(M("app/0/since/yesterday")), ENOENT);
  // A name that did not exist is not cached as missing once the log gets there.
  Out("seq 11 12 >> $M/app/0/current");
  EXPECT_EQ(StatErrno(M("app/0/from/11")), 0);
  EXPECT_EQ(ReadFile(M("app/0/from/11")), "12\n");
  ShellResult r = Sh("cat $M/app/0/from/13");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("No such file"), std::string::npos) << r.err;
}

TEST_F(LayoutTest, SinceStartsAtOrJustBeforeTheFirstRecordAtThatTime) {
  MakeTopic("app", {{"index.interval.bytes", "1"}});
  std::string a = Seq(1, 500), b;
  for (int i = 0; i < 300; ++i) b += "b" + std::to_string(i) + "\n";
  WriteFile(Dir("a.txt"), a);
  WriteFile(Dir("b.txt"), b);
  Out("cat a.txt >> $M/app/0/current");
  std::string t = Out("sleep 0.05; date +%s%3N; sleep 0.05");
  t.pop_back();
  Out("cat b.txt >> $M/app/0/current");
  std::string since = ReadFile(M("app/0/since/" + t));
  ASSERT_GE(since.size(), b.size());
  EXPECT_EQ(since.substr(since.size() - b.size()), b);                   // never after the record
  EXPECT_EQ((a + b).substr(a.size() + b.size() - since.size()), since);  // a record boundary
  EXPECT_EQ(ReadFile(M("app/0/since/1970-01-01T00:00:00Z")), a + b);
  EXPECT_EQ(ReadFile(M("app/0/since/0")), a + b);
  EXPECT_EQ(ReadFile(M("app/0/since/4102444800000")), "");  // 2100: the log end
}

TEST_F(LayoutTest, FromAndSinceReadAcrossManySegments) {
  MakeTopic("app", {{"segment.bytes", "100"}});
  Out("seq 1 3000 >> $M/app/0/current");
  EXPECT_GT(List(M("app/0")).size(), 3u * 100);
  EXPECT_EQ(ReadFile(M("app/0/from/0")), Seq(1, 3000));
  EXPECT_EQ(ReadFile(M("app/0/from/2500")), Seq(2501, 3000));
  EXPECT_EQ(Out("dd if=$M/app/0/from/0 bs=7 skip=1000 count=3 2>/dev/null"),
            Seq(1, 3000).substr(7000, 21));
}

}  // namespace
}  // namespace topicfs::e2e

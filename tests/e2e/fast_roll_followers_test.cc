// Followers under fast rolls (DESIGN §1.1, issue 17 §4). A writer appends
// numbered records to a partition whose segment rolls about once a second
// while each follower runs as a real process. `tail -f from/0` and
// `topicfs consume -f` must see every record once, in order. GNU tail
// polls FUSE files and re-checks a followed name only on the poll after
// --max-unchanged-stats (5) polls found the open file unchanged, about 6 s
// after a roll at -s 1, so `tail -F current` skips every segment that
// starts and ends inside that window. How many depends on timing, so for
// it the test asserts only what is certain (whole records, in order, whole
// segments) and prints the count.
// `tail -f current` follows its descriptor and stops at the first roll.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/background_process.h"
#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kRecordBytes = 9;  // "%08d\n"
constexpr int kRecordsPerSegment = 1000;
constexpr int kSegments = 12;
constexpr int kRecords = kRecordsPerSegment * kSegments;
// 1,000 records a second in batches of 50: a roll about every second.
constexpr int kBatch = 50;
constexpr milliseconds kBatchEvery{50};

std::string Record(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08d\n", i);
  return buf;
}

// What a follower printed, read against the records written (0..n-1).
struct Seen {
  std::vector<int> records;  // in the order printed
  std::string problem;       // the first thing that is not a whole written record in order
};

Seen ReadSeen(const std::string& out, int written) {
  Seen seen;
  std::istringstream lines(out);
  std::string line;
  int last = -1;
  while (std::getline(lines, line)) {
    bool whole = line.size() == kRecordBytes - 1 && !lines.eof() &&
                 line.find_first_not_of("0123456789") == std::string::npos;
    int n = whole ? std::stoi(line) : -1;
    if (!whole || n >= written) {
      seen.problem = "not a record written: '" + line + "'";
      break;
    }
    if (n <= last) {
      seen.problem = "record " + std::to_string(n) + " after record " + std::to_string(last);
      break;
    }
    seen.records.push_back(n);
    last = n;
  }
  return seen;
}

struct Follower {
  std::string name;  // the command as the docs show it
  std::vector<std::string> argv;
  std::string out;  // stdout file
  BackgroundProcess process;
};

class FastRollFollowersTest : public MountTest {
 protected:
  void TearDown() override {
    followers_.clear();  // stopped first: an open follower keeps the mount busy
    MountTest::TearDown();
  }

  Follower& Start(const std::string& name, std::vector<std::string> argv) {
    auto f = std::make_unique<Follower>();
    f->name = name;
    f->argv = std::move(argv);
    f->out = Dir("follower" + std::to_string(followers_.size()) + ".out");
    EXPECT_TRUE(f->process.Start(f->argv, Dir(), f->out, f->out + ".err")) << name;
    followers_.push_back(std::move(f));
    return *followers_.back();
  }

  // Appends records 0..kRecords-1 in paced batches, each with a fresh
  // `>> current` (open, write, close); returns the seconds it took.
  double WritePaced() {
    const std::string current = M("t/0/current");
    const auto start = steady_clock::now();
    for (int first = 0; first < kRecords; first += kBatch) {
      std::this_thread::sleep_until(start + kBatchEvery * (first / kBatch));
      std::string batch;
      for (int i = first; i < first + kBatch; ++i) batch += Record(i);
      int fd = ::open(current.c_str(), O_WRONLY | O_APPEND);
      EXPECT_GE(fd, 0) << "open current before record " << first;
      if (fd < 0) break;
      EXPECT_EQ(::write(fd, batch.data(), batch.size()), static_cast<ssize_t>(batch.size()));
      EXPECT_EQ(::close(fd), 0);
    }
    return std::chrono::duration<double>(steady_clock::now() - start).count();
  }

  // Base offsets of the partition's segments, oldest first, then kRecords.
  std::vector<int> SegmentBounds() {
    std::vector<int> bounds;
    for (const std::string& name : List(M("t/0"))) {
      if (name.size() == 24 && name.ends_with(".log")) bounds.push_back(std::stoi(name));
    }
    bounds.push_back(kRecords);
    return bounds;
  }

  // Base offsets of the segments `seen` holds in full; fails the test if
  // it holds part of one (a follower that skips must skip whole segments).
  std::vector<int> WholeSegments(const Follower& f, const Seen& seen,
                                 const std::vector<int>& bounds) {
    std::vector<int> whole;
    size_t i = 0;
    for (size_t s = 0; s + 1 < bounds.size(); ++s) {
      int in_segment = 0;
      for (; i < seen.records.size() && seen.records[i] < bounds[s + 1]; ++i) ++in_segment;
      int size = bounds[s + 1] - bounds[s];
      EXPECT_TRUE(in_segment == 0 || in_segment == size)
          << f.name << " saw " << in_segment << " of the " << size << " records of segment "
          << bounds[s];
      if (in_segment == size) whole.push_back(bounds[s]);
    }
    return whole;
  }

  std::vector<std::unique_ptr<Follower>> followers_;
};

TEST_F(FastRollFollowersTest, EachFollowerUnderARollEverySecond) {
  MakeTopic("t", {{"segment.bytes", std::to_string(kRecordsPerSegment * kRecordBytes)}});
  const std::string p = M("t/0");
  Follower& from = Start("tail -n +1 -f from/0", {"tail", "-n", "+1", "-f", p + "/from/0"});
  Follower& consume =
      Start("topicfs consume -f", {TopicfsBinary(), "consume", M("t"), "--offset", "0", "-f"});
  Follower& quick =
      Start("tail -n +1 -F --max-unchanged-stats=1 -s 0.2 current",
            {"tail", "-n", "+1", "-F", "--max-unchanged-stats=1", "-s", "0.2", p + "/current"});
  Follower& name = Start("tail -n +1 -F current", {"tail", "-n", "+1", "-F", p + "/current"});
  Follower& descriptor = Start("tail -n +1 -f current", {"tail", "-n", "+1", "-f", p + "/current"});
  // Every follower has opened the empty first segment (or from/0) before
  // the first record, so every record is one it should see.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (auto& f : followers_) {
          if (!f->process.HoldsFileUnder(M())) return false;
        }
        return true;
      },
      20));

  const double seconds = WritePaced();
  const std::vector<int> bounds = SegmentBounds();
  ASSERT_EQ(bounds.front(), 0);
  // At least kSegments - 1 rolls happened.
  ASSERT_GE(bounds.size(), static_cast<size_t>(kSegments));
  std::string expected;
  for (int i = 0; i < kRecords; ++i) expected += Record(i);
  const std::string first_segment = ReadFile(p + "/00000000000000000000.log");

  // Followers by name end on the last segment: a name-follower reopens a
  // replaced name once the old file has stayed unchanged long enough.
  auto ends_with_last = [&](const Follower& f) {
    std::string out = ReadFile(f.out);
    return out.ends_with(Record(kRecords - 1));
  };
  bool caught_up = WaitFor(
      [&] {
        return ReadFile(from.out).size() >= expected.size() &&
               ReadFile(consume.out).size() >= expected.size() && ends_with_last(quick) &&
               ends_with_last(name) && ReadFile(descriptor.out) == first_segment;
      },
      25);
  for (auto& f : followers_) f->process.Stop();
  EXPECT_TRUE(caught_up);

  std::cout << "[ measured ] " << kRecords << " records in " << bounds.size() - 1
            << " segments over " << seconds << " s: a roll every " << seconds / (bounds.size() - 1)
            << " s\n";
  for (Follower* f : {&from, &consume}) {
    std::string out = ReadFile(f->out);
    Seen seen = ReadSeen(out, kRecords);
    // Every record exactly once and in order: the bytes are the log's.
    EXPECT_TRUE(out == expected) << f->name << ": " << seen.records.size() << " of " << kRecords
                                 << " records; " << seen.problem;
    std::cout << "[ measured ] " << f->name << ": " << seen.records.size() << " of " << kRecords
              << " records\n";
  }
  for (Follower* f : {&quick, &name}) {
    Seen seen = ReadSeen(ReadFile(f->out), kRecords);
    EXPECT_EQ(seen.problem, "") << f->name;  // whole records, in order, none twice
    std::vector<int> whole = WholeSegments(*f, seen, bounds);
    std::cout << "[ measured ] " << f->name << ": " << seen.records.size() << " of " << kRecords
              << " records (" << whole.size() << " of " << bounds.size() - 1 << " segments; bases";
    for (int base : whole) std::cout << " " << base;
    std::cout << ")\n";
  }
  // Descriptor-following stops at the roll: the first segment and no more.
  EXPECT_EQ(ReadFile(descriptor.out), first_segment);
  EXPECT_EQ(first_segment.size(), static_cast<size_t>(bounds[1]) * kRecordBytes);
  std::cout << "[ measured ] " << descriptor.name << ": " << bounds[1] << " of " << kRecords
            << " records (the segment it opened)" << std::endl;
}

}  // namespace
}  // namespace topicfs::e2e

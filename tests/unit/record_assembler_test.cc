// The record assembler (DESIGN §1.3): a writer's byte chunks become whole
// records; a trailing partial record waits; a record longer than
// max.message.bytes, or one whose piece hit a full disk, is refused whole,
// through retries of its tail after a short count, and nothing of it ever
// reaches the log; the next record goes in.
#include "store/record_assembler.h"

#include <cerrno>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "store/partition.h"
#include "store/recovery.h"
#include "store/store.h"
#include "tests/support/store_fixture.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

using test::SplitRecords;

// A sink that records what it is sent and can be told to fail.
struct FakeLog {
  std::string log;
  std::vector<std::string> sends;      // each call's bytes
  Status fail_with;                    // refuse everything while set
  size_t fail_after_bytes = SIZE_MAX;  // accept this many bytes (whole records) then fail

  RecordAssembler::Sink sink() {
    return [this](std::string_view first, std::string_view rest) {
      std::string all = std::string(first) + std::string(rest);
      RecordAssembler::AppendOutcome out;
      if (!fail_with.ok()) {
        if (fail_after_bytes == SIZE_MAX || fail_after_bytes == 0) {
          out.status = fail_with;
          return out;
        }
        all = all.substr(0, fail_after_bytes);
        out.status = fail_with;
      }
      sends.push_back(all);
      log += all;
      out.bytes = all.size();
      return out;
    };
  }
};

// Writes `data` the way write(2) callers do: retry the rest after a short
// count, give up on this chunk after an error. Returns the errors seen.
std::vector<Code> WriteLikeAnApp(RecordAssembler& a, std::string_view data) {
  std::vector<Code> errors;
  while (!data.empty()) {
    Result<size_t> n = a.Write(data);
    if (!n.ok()) {
      errors.push_back(n.status().code());
      break;
    }
    if (*n == 0) {
      ADD_FAILURE() << "Write returned 0 for " << data.size() << " bytes";
      break;
    }
    data.remove_prefix(*n);
  }
  return errors;
}

TEST(RecordAssemblerTest, WholeRecordsPassThroughInOneSend) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 100);
  auto n = a.Write("a\nbb\n\nccc\n");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 10u);
  EXPECT_EQ(f.log, "a\nbb\n\nccc\n");
  EXPECT_EQ(f.sends.size(), 1u);
  EXPECT_EQ(a.pending(), 0u);
}

TEST(RecordAssemblerTest, PartialRecordWaitsForTheRest) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 100);
  ASSERT_EQ(*a.Write("ab"), 2u);
  EXPECT_EQ(f.log, "");
  EXPECT_EQ(a.pending(), 2u);
  ASSERT_EQ(*a.Write("c"), 1u);
  EXPECT_EQ(f.log, "");
  ASSERT_EQ(*a.Write("\nde"), 3u);
  EXPECT_EQ(f.log, "abc\n");
  EXPECT_EQ(a.pending(), 2u);
  ASSERT_EQ(*a.Write("\n"), 1u);
  EXPECT_EQ(f.log, "abc\nde\n");
}

TEST(RecordAssemblerTest, RecordsThatStraddleChunksArriveWholeAndInOrder) {
  std::mt19937 rng(5);
  std::string stream;
  for (int i = 0; i < 2000; ++i) stream += std::string(rng() % 50, 'a' + i % 26) + "\n";
  for (int round = 0; round < 20; ++round) {
    FakeLog f;
    RecordAssembler a(f.sink(), '\n', 64);
    size_t pos = 0;
    while (pos < stream.size()) {
      size_t n = std::min<size_t>(1 + rng() % (round < 10 ? 7 : 300), stream.size() - pos);
      ASSERT_EQ(*a.Write(std::string_view(stream).substr(pos, n)), n);
      pos += n;
    }
    ASSERT_EQ(f.log, stream);
    for (const std::string& s : f.sends) {
      ASSERT_FALSE(s.empty());
      ASSERT_EQ(s.back(), '\n');  // every send is whole records
    }
  }
}

TEST(RecordAssemblerTest, EmptyRecordsAreKept) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 10);
  ASSERT_TRUE(a.Write("\n").ok());
  ASSERT_TRUE(a.Write("\n\n").ok());
  EXPECT_EQ(f.log, "\n\n\n");
}

TEST(RecordAssemblerTest, FlushAppendsThePartialRecordWithADelimiter) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 100);
  ASSERT_TRUE(a.Write("x").ok());
  ASSERT_TRUE(a.Flush().ok());
  EXPECT_EQ(f.log, "x\n");
  EXPECT_EQ(a.pending(), 0u);
  ASSERT_TRUE(a.Flush().ok());  // nothing pending: nothing sent
  EXPECT_EQ(f.sends.size(), 1u);
}

TEST(RecordAssemblerTest, NulDelimiter) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\0', 100);
  ASSERT_TRUE(a.Write(std::string_view("a\nb\0c", 5)).ok());
  EXPECT_EQ(f.log, std::string("a\nb\0", 4));
  ASSERT_TRUE(a.Flush().ok());
  EXPECT_EQ(f.log, std::string("a\nb\0c\0", 6));
}

// The largest allowed record (max.message.bytes, delimiter included) goes
// in, whether it arrives whole or a byte at a time.
TEST(RecordAssemblerTest, LargestAllowedRecordIsAccepted) {
  const int64_t max = 64;
  const std::string rec = std::string(max - 1, 'm') + "\n";
  {
    FakeLog f;
    RecordAssembler a(f.sink(), '\n', max);
    ASSERT_EQ(*a.Write(rec), rec.size());
    EXPECT_EQ(f.log, rec);
  }
  {
    FakeLog f;
    RecordAssembler a(f.sink(), '\n', max);
    for (char c : rec) ASSERT_TRUE(a.Write(std::string_view(&c, 1)).ok());
    EXPECT_EQ(f.log, rec);
  }
  {
    FakeLog f;  // flushed at close: the added delimiter counts too
    RecordAssembler a(f.sink(), '\n', max);
    ASSERT_TRUE(a.Write(rec.substr(0, max - 1)).ok());
    ASSERT_TRUE(a.Flush().ok());
    EXPECT_EQ(f.log, rec);
  }
}

TEST(RecordAssemblerTest, OneByteMoreIsRefusedInOneChunk) {
  const int64_t max = 64;
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', max);
  auto n = a.Write(std::string(max, 'x') + "\n");
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().Is(Code::kMessageTooLarge));
  EXPECT_EQ(f.log, "");
  ASSERT_EQ(*a.Write("next\n"), 5u);  // writing works again
  EXPECT_EQ(f.log, "next\n");
}

// Written in pieces: the record is dropped as soon as it passes the limit,
// its later pieces are taken and dropped, and the piece that holds its end
// is refused: only then does the handle know where the next record starts
// (DECISIONS.md).
TEST(RecordAssemblerTest, PiecesOfARecordOverTheLimitAreDroppedAndThePieceWithItsEndRefused) {
  const int64_t max = 16;
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', max);
  ASSERT_TRUE(a.Write(std::string(10, 'x')).ok());  // still fits
  ASSERT_TRUE(a.Write(std::string(10, 'x')).ok());  // now 20 > 16: dropped
  EXPECT_EQ(a.pending(), 0u);
  EXPECT_TRUE(a.refusing());
  for (const char* piece : {"yyy1", "yyy2", "yyy3"}) ASSERT_TRUE(a.Write(piece).ok());
  auto end = a.Write("z\n");  // the refused record's end
  ASSERT_FALSE(end.ok());
  EXPECT_TRUE(end.status().Is(Code::kMessageTooLarge));
  ASSERT_TRUE(a.Flush().ok());
  EXPECT_EQ(f.log, "");  // none of it, at close or later
  ASSERT_EQ(*a.Write("ok\n"), 3u);
  EXPECT_EQ(f.log, "ok\n");
}

TEST(RecordAssemblerTest, FlushOfAPartialLongerThanTheLimitIsRefused) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 8);
  ASSERT_TRUE(a.Write("12345678").ok());  // 8 bytes; with the delimiter 9
  Status s = a.Flush();
  EXPECT_TRUE(s.Is(Code::kMessageTooLarge)) << s.ToString();
  EXPECT_EQ(f.log, "");
}

TEST(RecordAssemblerTest, RecordsBeforeATooLongOneAreAppendedWithAShortCount) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 8);
  std::string chunk = "good\n" + std::string(20, 'B') + "\nafter\n";
  auto n = a.Write(chunk);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5u);
  EXPECT_EQ(f.log, "good\n");
  auto rest = a.Write(std::string_view(chunk).substr(*n));
  EXPECT_FALSE(rest.ok());
  EXPECT_TRUE(rest.status().Is(Code::kMessageTooLarge));
  EXPECT_EQ(f.log, "good\n");
  ASSERT_TRUE(a.Write("later\n").ok());
  EXPECT_EQ(f.log, "good\nlater\n");
}

// The property the design promises, over every way of cutting a stream into
// three write() calls: what reaches the log is whole records of the stream,
// in order, never a piece of the refused record, and every record that came
// in a write that succeeded is there.
TEST(RecordAssemblerTest, NoFragmentOfARefusedRecordIsEverAppended) {
  const int64_t max = 8;
  const std::string stream = "ok1\n" + std::string(12, 'B') + "\nok2\nok3\n";
  const std::set<std::string> allowed = {"ok1\n", "ok2\n", "ok3\n"};
  const size_t ok2_start = stream.find("ok2"), ok3_start = stream.find("ok3");
  for (size_t i = 1; i < stream.size(); ++i) {
    for (size_t j = i + 1; j < stream.size(); ++j) {
      FakeLog f;
      RecordAssembler a(f.sink(), '\n', max);
      std::string_view s(stream);
      WriteLikeAnApp(a, s.substr(0, i));
      WriteLikeAnApp(a, s.substr(i, j - i));
      WriteLikeAnApp(a, s.substr(j));
      (void)a.Flush();
      std::vector<std::string> got = SplitRecords(f.log);
      int last = 0;
      for (const std::string& r : got) {
        ASSERT_TRUE(allowed.count(r))
            << "split " << i << "," << j << ": appended '" << r
            << "' which is not a record of the stream; log '" << f.log << "'";
        ASSERT_GT(r[2] - '0', last) << "order, split " << i << "," << j;
        last = r[2] - '0';
      }
      // A last write() that starts at a record boundary after the refused
      // record holds nothing of it, so its records all go in.
      if (j == ok2_start || j == ok3_start) {
        EXPECT_NE(f.log.find("ok3\n"), std::string::npos) << "split " << i << "," << j;
      }
    }
  }
}

// The refused write's last record ("new") lost its head with it: its rest
// is dropped without a second errno (the caller had one for its head), and
// the records after it go in.
TEST(RecordAssemblerTest, RecordWhoseHeadWasInARefusedWriteIsDroppedWhole) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 8);
  EXPECT_TRUE(a.Write("BBBBBBBBBBBB").ok());  // too long already: dropped
  EXPECT_FALSE(a.Write("BB\nne").ok());       // its end, and the start of "new\n"
  auto n = a.Write("w\nnext\n");              // the rest of "new\n", then "next"
  EXPECT_EQ(*n, 7u);
  EXPECT_EQ(f.log, "next\n");
  f.log.clear();
  EXPECT_EQ(f.log, "");
  ASSERT_TRUE(a.Write("ok\n").ok());
  EXPECT_EQ(f.log, "ok\n");
}

TEST(RecordAssemblerTest, DiskFullRefusesTheRecordAndItsLaterPieces) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 100);
  ASSERT_TRUE(a.Write("first\nsec").ok());
  EXPECT_EQ(f.log, "first\n");
  f.fail_with = Status::NoSpace("disk full");
  auto n = a.Write("ond\nthi");
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().Is(Code::kNoSpace));
  f.fail_with = Status::OK();   // space returns
  auto rest = a.Write("rd\n");  // the rest of the refused "third": dropped
  EXPECT_EQ(*rest, 3u);
  ASSERT_TRUE(a.Write("fourth\n").ok());
  ASSERT_TRUE(a.Flush().ok());
  EXPECT_EQ(f.log, "first\nfourth\n");  // "second" was dropped whole, partial bytes included
}

TEST(RecordAssemblerTest, PartialSuccessOfTheSinkGivesAShortCount) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 100);
  f.fail_with = Status::NoSpace("disk full");
  f.fail_after_bytes = 3;  // "a1\n" fits, the rest does not
  auto n = a.Write("a1\nb2\nc3\n");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(f.log, "a1\n");
}

// What the kernel does with one write(2) on a direct-I/O FUSE file: it sends
// `piece`-byte requests in order and stops at the first error or short
// reply; the caller gets the errno only if nothing went in.
Result<size_t> KernelWrite(RecordAssembler& a, std::string_view data, size_t piece) {
  size_t done = 0;
  while (done < data.size()) {
    std::string_view req = data.substr(done, piece);
    Result<size_t> n = a.Write(req);
    if (!n.ok()) {
      if (done == 0) return n;
      break;
    }
    done += *n;
    if (*n < req.size()) break;
  }
  return done;
}

// Buffered writers answer a short count by writing the rest again. After an
// error Python's BufferedWriter keeps what failed and sends it again, ahead
// of the next data; glibc's stdio drops it.
struct BufferedWriter {
  RecordAssembler& a;
  size_t piece;
  bool keeps_failed_bytes;
  std::string kept;

  Status Write(std::string_view data) {
    kept.append(data);
    while (!kept.empty()) {
      Result<size_t> n = KernelWrite(a, kept, piece);
      if (!n.ok()) {
        if (!keeps_failed_bytes) kept.clear();
        return n.status();
      }
      kept.erase(0, *n);
    }
    return Status::OK();
  }
};

// Bytes that never repeat within a record, so a retry cannot be confused
// with what follows it.
std::string Record(size_t size) {
  std::string r(size, '\n');
  for (size_t i = 0; i + 1 < size; ++i) r[i] = static_cast<char>('!' + (i * 7) % 90);
  return r;
}

// Issue 9: a record over the limit that the kernel split, sent by buffered
// writers that retry the rest after a short count. Before, the retried rest
// became a record of its own.
TEST(RecordAssemblerTest, SplitRecordOverTheLimitIsRefusedWholeThroughRetriesAndTheNextGoesIn) {
  const int64_t max = 64;
  const size_t piece = 16;
  for (bool keeps : {true, false}) {
    for (size_t size : {size_t{max + 1}, size_t{2 * max}, size_t{5 * max}}) {
      SCOPED_TRACE((keeps ? "python-like, " : "stdio-like, ") + std::to_string(size) + " bytes");
      FakeLog f;
      RecordAssembler a(f.sink(), '\n', max, /*min_cut_piece=*/piece);
      BufferedWriter w{a, piece, keeps, {}};
      ASSERT_TRUE(w.Write("before\n").ok());
      Status s = w.Write(Record(size));
      EXPECT_TRUE(s.Is(Code::kMessageTooLarge)) << s.ToString();
      EXPECT_EQ(f.log, "before\n");
      ASSERT_TRUE(w.Write("next\n").ok());
      ASSERT_TRUE(a.Flush().ok());
      EXPECT_EQ(f.log, "before\nnext\n");
    }
  }
}

// The same with a full disk, space returning between the short count and
// the retry: the rest of the record is still refused, with ENOSPC.
TEST(RecordAssemblerTest, DiskFullTailRetriedAfterSpaceReturnsIsRefusedAndTheNextGoesIn) {
  const size_t piece = 16;
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 1000, piece);
  const std::string rec = Record(40);
  f.fail_with = Status::NoSpace("disk full");
  Result<size_t> n = KernelWrite(a, rec, piece);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 32u);          // two pieces waited in the handle; the third failed
  f.fail_with = Status::OK();  // space returns
  Result<size_t> retry = KernelWrite(a, std::string_view(rec).substr(*n), piece);
  ASSERT_FALSE(retry.ok());
  EXPECT_TRUE(retry.status().Is(Code::kNoSpace)) << retry.status().ToString();
  EXPECT_EQ(f.log, "");
  // Python sends the tail again with its next write: dropped, the rest in.
  const std::string again = rec.substr(*n) + "next\n";
  EXPECT_EQ(*KernelWrite(a, again, piece), again.size());
  EXPECT_EQ(f.log, "next\n");
}

// A refused piece the caller certainly got the errno for (no earlier piece
// of its write() went in) is not retried as after a short count: the tail
// it held is dropped at once when offered again, with what follows taken.
TEST(RecordAssemblerTest, TailOfferedAgainAfterTheErrnoIsDroppedAndWhatFollowsGoesIn) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 8);
  ASSERT_TRUE(a.Write("12345").ok());
  auto n = a.Write("6789\n");  // 10 bytes with the delimiter: refused
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(*a.Write("6789\nok\n"), 8u);
  EXPECT_EQ(f.log, "ok\n");
}

// A whole record too long for the limit, offered again after the errno
// (Python keeps it), is dropped so that the writer is not stuck forever.
TEST(RecordAssemblerTest, TooLongRecordOfferedAgainIsDroppedAndWhatFollowsGoesIn) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 8);
  EXPECT_FALSE(a.Write("0123456789\n").ok());
  EXPECT_EQ(*a.Write("0123456789\nnext\n"), 16u);
  EXPECT_EQ(f.log, "next\n");
}

// A whole record refused for a full disk, offered again once space is back,
// goes in: it is whole, nothing of it was dropped.
TEST(RecordAssemblerTest, WholeRecordRefusedForAFullDiskGoesInWhenOfferedAgain) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 100);
  f.fail_with = Status::NoSpace("disk full");
  auto n = a.Write("abc\nde");
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().Is(Code::kNoSpace));
  EXPECT_FALSE(a.Write("abc\nde").ok());  // still full: refused again
  f.fail_with = Status::OK();
  EXPECT_EQ(*a.Write("abc\nde"), 6u);
  ASSERT_TRUE(a.Flush().ok());
  EXPECT_EQ(f.log, "abc\nde\n");
}

// A caller left with only a short count, that closes instead of retrying,
// gets the errno from close().
TEST(RecordAssemblerTest, CloseAfterAShortCountReportsTheRefusal) {
  const size_t piece = 16;
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 20, piece);
  Result<size_t> n = KernelWrite(a, Record(40), piece);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 32u);  // the second piece passed the limit and was dropped
  Status s = a.Flush();
  EXPECT_TRUE(s.Is(Code::kMessageTooLarge)) << s.ToString();
  EXPECT_EQ(f.log, "");
  EXPECT_FALSE(a.refusing());
}

// Cut at every piece size, retried like stdio or Python: never a fragment,
// and the next record always goes in.
TEST(RecordAssemblerTest, NoFragmentWhateverTheKernelsPieceSize) {
  const int64_t max = 32;
  for (size_t piece = 1; piece <= 80; ++piece) {
    for (bool keeps : {true, false}) {
      for (size_t size : {size_t{33}, size_t{64}, size_t{160}}) {
        FakeLog f;
        RecordAssembler a(f.sink(), '\n', max, piece);
        BufferedWriter w{a, piece, keeps, {}};
        EXPECT_FALSE(w.Write(Record(size)).ok()) << piece << " " << size;
        EXPECT_TRUE(w.Write("a\n").ok()) << piece << " " << size;
        EXPECT_TRUE(w.Write("b\n").ok()) << piece << " " << size;
        (void)a.Flush();
        ASSERT_EQ(f.log, "a\nb\n") << "piece " << piece << ", size " << size << ", keeps " << keeps;
      }
    }
  }
}

// A shared open file written from several threads: each write's whole
// records stay whole and in that writer's order.
TEST(RecordAssemblerTest, SharedHandleFromSeveralThreadsKeepsEveryLineWhole) {
  FakeLog f;
  RecordAssembler a(f.sink(), '\n', 1000);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&a, w] {
      for (int i = 0; i < 2000; ++i) {
        std::string line = "w" + std::to_string(w) + " " + std::to_string(i) + "\n";
        ASSERT_EQ(*a.Write(line), line.size());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<int> next(4, 0);
  std::vector<std::string> lines = SplitRecords(f.log);
  ASSERT_EQ(lines.size(), 8000u);
  for (const std::string& line : lines) {
    int w = -1, i = -1;
    ASSERT_EQ(std::sscanf(line.c_str(), "w%d %d\n", &w, &i), 2) << line;
    ASSERT_EQ(i, next[w]++);
  }
}

// The same rules through a real partition.
class RecordAssemblerPartitionTest : public test::StoreTest {
 protected:
  void SetUp() override {
    partition_ = Make(test::Config({{"max.message.bytes", "1000"},
                                    {"segment.bytes", "4096"},
                                    {"index.interval.bytes", "100"}}));
    ASSERT_NE(partition_, nullptr);
  }
  std::shared_ptr<Partition> partition_;
};

TEST_F(RecordAssemblerPartitionTest, LargestRecordAndOneByteMore) {
  RecordAssembler a(partition_);
  const std::string largest = std::string(999, 'L') + "\n";
  ASSERT_EQ(*a.Write(largest), largest.size());
  EXPECT_EQ(partition_->log_end_offset(), 1);
  std::string too_big(1501, '\n');
  for (size_t i = 0; i < 1500; ++i) too_big[i] = static_cast<char>('a' + i % 26);
  // Split as the kernel would, in 256-byte pieces.
  // Refused by the piece that holds its end, the last one.
  for (size_t pos = 0; pos < too_big.size(); pos += 256) {
    auto n = a.Write(std::string_view(too_big).substr(pos, 256));
    EXPECT_EQ(n.ok(), pos + 256 < too_big.size()) << pos;
    if (!n.ok()) {
      EXPECT_TRUE(n.status().Is(Code::kMessageTooLarge));
    }
  }
  ASSERT_TRUE(a.Flush().ok());
  EXPECT_EQ(partition_->log_end_offset(), 1);
  ASSERT_EQ(*a.Write("after\n"), 6u);
  EXPECT_EQ(test::ReadAll(partition_), largest + "after\n");
}

// record.delimiter may change until the first record (DESIGN §1.6). A
// handle opened before the change must not put bytes into the log that the
// partition does not count as records.
TEST_F(RecordAssemblerPartitionTest, DelimiterChangedWhileAHandleIsOpenKeepsTheLogConsistent) {
  RecordAssembler a(partition_);  // opened while the topic is newline-delimited
  ASSERT_TRUE(store_->SetTopicConfig("t", "record.delimiter", "nul").ok());
  (void)a.Write("a\nb\n");
  (void)a.Flush();
  auto seg = partition_->ActiveSegment();
  const std::string log = test::ReadFile(seg->log_path());
  LogScan scan = ScanLog(log, '\0');
  EXPECT_EQ(scan.valid_bytes, static_cast<int64_t>(log.size()))
      << "the log holds bytes that are not nul-delimited records";
  EXPECT_EQ(scan.records, partition_->log_end_offset());
}

// A full disk hits the piece that completes a record split across writes:
// that record is refused whole (its first piece included), its later pieces
// too, and appends work again once space returns (DESIGN §1.3).
TEST_F(RecordAssemblerPartitionTest, DiskFullRefusesASplitRecordWhole) {
  RecordAssembler a(partition_);
  ASSERT_TRUE(a.Write("before\npart").ok());
  test::ScriptedFaultInjector faults;
  test::ScopedFaultInjector install(&faults);
  faults.FailWrite(".log", 3, ENOSPC);  // a short write, then ENOSPC
  auto n = a.Write("ial\nnext-rec");
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().Is(Code::kNoSpace)) << n.status().ToString();
  auto rest = a.Write("ord\n");  // the rest of the record the refused write started
  EXPECT_EQ(*rest, 4u);          // dropped: the caller got ENOSPC for its head
  ASSERT_EQ(*a.Write("after\n"), 6u);
  ASSERT_TRUE(a.Flush().ok());
  EXPECT_EQ(test::ReadAll(partition_), "before\nafter\n");
  EXPECT_EQ(partition_->log_end_offset(), 2);
  EXPECT_EQ(faults.fired(), 1);
}

TEST_F(RecordAssemblerPartitionTest, ChunksOf64KiBAcrossRollsKeepEveryByte) {
  RecordAssembler a(partition_);
  std::string stream = test::MakeRecords(0, 20000, "line-", 7);
  for (size_t pos = 0; pos < stream.size(); pos += 65536) {
    std::string_view chunk = std::string_view(stream).substr(pos, 65536);
    ASSERT_EQ(*a.Write(chunk), chunk.size());
  }
  ASSERT_TRUE(a.Flush().ok());
  EXPECT_EQ(partition_->log_end_offset(), 20000);
  EXPECT_GT(partition_->segment_count(), 10);
  EXPECT_EQ(test::ReadAll(partition_), stream);
}

}  // namespace
}  // namespace topicfs::store

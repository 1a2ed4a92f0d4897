// The partition reader: starts at an offset, at a time and at the log
// start; reads across segments with large and with tiny reads, never ending
// early; returns runs of whole records with their first offset; and finishes
// byte for byte when a trim, retention or a topic deletion removes the
// segments it is reading or has yet to read, however they came to exist;
// a follower instead finishes the segment it is in and goes on at the new
// log start (DESIGN §7).
#include "store/partition_reader.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/store.h"
#include "tests/support/store_fixture.h"
#include "tests/support/test_util.h"

namespace topicfs::store {
namespace {

using test::AppendOk;
using test::Config;
using test::MakeRecords;

constexpr int64_t kT0 = 1'700'000'000'000;
// 13-byte records ("rec-00000000\n"), 7 to a 100-byte segment.
constexpr int kPerSegment = 7;
constexpr int64_t kRecordBytes = 13;

class PartitionReaderTest : public test::StoreTest {
 protected:
  // `count` records from `first`, one append each, one millisecond apart.
  static void Append(Partition& p, int64_t first, int64_t count) {
    for (int64_t i = first; i < first + count; ++i) AppendOk(p, MakeRecords(i, 1), kT0 + i);
  }
  static std::unique_ptr<PartitionReader> From(std::shared_ptr<Partition> p, int64_t offset) {
    auto reader = PartitionReader::FromOffset(std::move(p), Offset(offset));
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    return reader.ok() ? std::move(*reader) : nullptr;
  }
  // Reads from `at` to the log end in reads of `chunk` bytes.
  static std::string ReadRest(PartitionReader& r, int64_t at, size_t chunk) {
    std::string out;
    std::vector<char> buf(chunk);
    for (;;) {
      auto n = r.ReadAt(ReadPosition(at + static_cast<int64_t>(out.size())), buf.data(), chunk);
      if (!n.ok()) {
        ADD_FAILURE() << n.status().ToString();
        return out;
      }
      if (*n == 0) return out;
      out.append(buf.data(), *n);
    }
  }
  // Every segment but the active one, as retention at its most eager.
  static int DeleteAllSealed(Partition& p) {
    auto n = p.DeleteOldest([](const Segment&) { return true; });
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : 0;
  }
  static size_t Pinned(Partition& p) {
    return p.SegmentChain().back()->descriptor_cache().pinned_count();
  }
};

TEST_F(PartitionReaderTest, FromEveryOffsetReadsToTheEndAcrossSegments) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 50);
  ASSERT_GE(p->segment_count(), 7);
  const std::string all = MakeRecords(0, 50);
  for (int64_t offset = 0; offset <= 50; ++offset) {
    auto r = From(p, offset);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->start_offset(), Offset(offset));
    EXPECT_EQ(r->end(), ReadPosition((50 - offset) * kRecordBytes));
    EXPECT_EQ(ReadRest(*r, 0, 1 << 20), all.substr(offset * kRecordBytes)) << offset;
  }
  EXPECT_TRUE(PartitionReader::FromOffset(p, Offset(51)).status().Is(Code::kOutOfRange));
  EXPECT_TRUE(PartitionReader::FromOffset(p, Offset(-1)).status().Is(Code::kOutOfRange));
}

TEST_F(PartitionReaderTest, TinyReadsNeverEndBeforeTheLogEnd) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 50);
  const std::string all = MakeRecords(0, 50);
  for (size_t chunk : {1, 7, 13, 64}) {
    auto r = From(p, 3);
    EXPECT_EQ(ReadRest(*r, 0, chunk), all.substr(3 * kRecordBytes)) << "reads of " << chunk;
  }
  // Extents stop at segment ends, and are empty only at the log end.
  auto r = From(p, 0);
  std::string got;
  for (;;) {
    auto e = r->ExtentAt(ReadPosition(static_cast<int64_t>(got.size())), 7);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    if (e->len == 0) break;
    std::string piece(e->len, '\0');
    ASSERT_EQ(::pread(e->file.fd(), piece.data(), e->len, e->file_pos),
              static_cast<ssize_t>(e->len));
    got += piece;
  }
  EXPECT_EQ(got, all);
}

TEST_F(PartitionReaderTest, ReadsSeeAppendsAndRollsAfterTheOpen) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 3);
  auto r = From(p, 1);
  EXPECT_EQ(ReadRest(*r, 0, 5), MakeRecords(1, 2));
  Append(*p, 3, 30);  // several rolls
  EXPECT_EQ(r->end(), ReadPosition(32 * kRecordBytes));
  EXPECT_EQ(ReadRest(*r, 2 * kRecordBytes, 5), MakeRecords(3, 30));
  // Going back over bytes still in the log is fine.
  EXPECT_EQ(ReadRest(*r, 0, 4096), MakeRecords(1, 32));
}

TEST_F(PartitionReaderTest, FromTimeStartsAtTheFirstRecordAppendedThenOrJustBefore) {
  auto p = Make(Config({{"segment.bytes", "100"}, {"index.interval.bytes", "0"}}));
  Append(*p, 0, 40);  // record i appended at kT0 + i
  for (int64_t i : {0, 1, 6, 7, 8, 20, 39}) {
    auto r = PartitionReader::FromTime(p, kT0 + i);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const int64_t start = (*r)->start_offset().value();
    // Every record indexed (an interval of 0 bytes), and the first of each
    // segment known by its own time: exactly the record.
    EXPECT_EQ(start, i);
    EXPECT_EQ(ReadRest(**r, 0, 100), MakeRecords(start, 40 - start));
  }
  auto after = PartitionReader::FromTime(p, kT0 + 1000);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)->start_offset(), Offset(40));
  EXPECT_EQ((*after)->end(), ReadPosition(0));
  auto before = PartitionReader::FromTime(p, -1);  // before 1970: the log start
  ASSERT_TRUE(before.ok());
  EXPECT_EQ((*before)->start_offset(), Offset(0));
}

TEST_F(PartitionReaderTest, FromLogStartFollowsRetention) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 30);
  ASSERT_GT(DeleteAllSealed(*p), 0);
  auto r = PartitionReader::FromLogStart(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->start_offset(), Offset(p->log_start_offset()));
  EXPECT_EQ(ReadRest(**r, 0, 64), MakeRecords(p->log_start_offset(), 30 - p->log_start_offset()));
}

TEST_F(PartitionReaderTest, RecordRunsCarryTheirFirstOffsetAndPosition) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 30);
  auto r = From(p, 2);
  std::string buf, all;
  int64_t expected_offset = 2;
  for (;;) {
    auto run = r->ReadRecords(30, &buf);  // two records fit, not three
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    if (run->bytes == 0) {
      EXPECT_EQ(run->first_offset, Offset(30));
      break;
    }
    EXPECT_EQ(run->first_offset, Offset(expected_offset));
    EXPECT_EQ(run->position, ReadPosition(static_cast<int64_t>(all.size())));
    EXPECT_EQ(buf.size(), run->bytes);
    EXPECT_EQ(buf, MakeRecords(expected_offset, run->records));
    EXPECT_GE(run->records, 1);
    EXPECT_LE(run->records, 2);
    expected_offset += run->records;
    all += buf;
  }
  EXPECT_EQ(all, MakeRecords(2, 28));
  // A record longer than what is asked for comes whole.
  AppendOk(*p, std::string(300, 'x') + "\n", kT0 + 100);
  auto run = r->ReadRecords(10, &buf);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->first_offset, Offset(30));
  EXPECT_EQ(run->records, 1);
  EXPECT_EQ(buf, std::string(300, 'x') + "\n");
}

TEST_F(PartitionReaderTest, TrimOfTheSegmentBeingReadLetsTheReaderFinish) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 50);
  const std::string all = MakeRecords(0, 50);
  for (size_t chunk : {7, 1 << 20}) {
    auto r = From(p, p->log_start_offset());
    const int64_t start = r->start_offset().value();
    char head[8];
    ASSERT_EQ(*r->ReadAt(ReadPosition(0), head, sizeof head), sizeof head);
    const std::string removed = p->Segments().front()->log_path();
    ASSERT_TRUE(p->TrimSegment(start).ok());  // `rm` of the oldest .log
    EXPECT_FALSE(test::FileExists(removed));
    EXPECT_EQ(std::string(head, 8) + ReadRest(*r, 8, chunk), all.substr(start * kRecordBytes))
        << "reads of " << chunk;
  }
}

TEST_F(PartitionReaderTest, RetentionUnderTheReaderKeepsEverySegmentAfterIt) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 50);
  for (size_t chunk : {7, 1 << 20}) {
    const int64_t first = p->log_start_offset() + 5;
    const int64_t end = p->log_end_offset();
    auto r = From(p, first);
    char head[8];
    ASSERT_EQ(*r->ReadAt(ReadPosition(0), head, sizeof head), sizeof head);
    // Segments made after the open, then everything sealed deleted before
    // the reader reaches any of it.
    Append(*p, end, 3 * kPerSegment);
    ASSERT_GT(DeleteAllSealed(*p), 3);
    EXPECT_EQ(std::string(head, 8) + ReadRest(*r, 8, chunk),
              MakeRecords(first, end + 3 * kPerSegment - first))
        << "reads of " << chunk;
    Append(*p, end + 3 * kPerSegment, 4 * kPerSegment);  // for the next round
  }
}

TEST_F(PartitionReaderTest, RetiredSegmentsAreLetGoOnceTheReaderIsPastThemOrGone) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 50);
  auto r = From(p, 0);
  const size_t pinned_before = Pinned(*p);
  ASSERT_GT(DeleteAllSealed(*p), 5);
  EXPECT_GT(Pinned(*p), pinned_before + 5) << "every removed segment it still needs is kept open";
  // Past the first three: those go; going back to them is OutOfRange.
  const int64_t past = 3 * kPerSegment * kRecordBytes + 1;
  char c;
  ASSERT_EQ(*r->ReadAt(ReadPosition(past), &c, 1), 1u);
  EXPECT_EQ(c, MakeRecords(0, 50)[past]);
  auto back = r->ReadAt(ReadPosition(0), &c, 1);
  EXPECT_TRUE(back.status().Is(Code::kOutOfRange)) << back.status().ToString();
  r.reset();
  EXPECT_EQ(Pinned(*p), pinned_before);
}

TEST_F(PartitionReaderTest, TwoReadersKeepWhatEachNeeds) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 50);
  auto early = From(p, 0);
  auto late = From(p, 40);
  ASSERT_GT(DeleteAllSealed(*p), 5);
  late.reset();  // lets go of nothing the early reader needs
  EXPECT_EQ(ReadRest(*early, 0, 7), MakeRecords(0, 50));
}

TEST_F(PartitionReaderTest, ADeletedTopicIsReadToTheEndAndNotAByteOfItsSuccessor) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 50);
  auto r = From(p, 10);
  ASSERT_TRUE(store_->DeleteTopic("t", /*require_empty=*/false).ok());
  ASSERT_TRUE(store_->CreateTopic("t", 1, Config({{"segment.bytes", "100"}})).ok());
  auto successor = store_->FindPartition("t", 0);
  Append(*successor, 0, 50);  // the same file names, other bytes
  AppendOk(*successor, "new\n", kT0);
  EXPECT_EQ(ReadRest(*r, 0, 7), MakeRecords(10, 40));
}

TEST_F(PartitionReaderTest, AnOvertakenFollowerFinishesItsSegmentThenGoesOnAtTheLogStart) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 50);
  for (size_t chunk : {7, 1 << 20}) {
    const int64_t first = p->log_start_offset() + 2;  // inside the oldest segment
    auto r = From(p, first);
    r->GoOnAtLogStartWhenOvertaken();
    char head[8];
    ASSERT_EQ(*r->ReadAt(ReadPosition(0), head, sizeof head), sizeof head);
    const int64_t in_segment_end = p->Segments().front()->next_offset();
    const int64_t overtaken_before = p->traffic().totals().overtaken_followers;
    ASSERT_GT(DeleteAllSealed(*p), 3);
    const int64_t log_start = p->log_start_offset();
    EXPECT_EQ(std::string(head, 8) + ReadRest(*r, 8, chunk),
              MakeRecords(first, in_segment_end - first) +
                  MakeRecords(log_start, p->log_end_offset() - log_start))
        << "reads of " << chunk;
    EXPECT_EQ(p->traffic().totals().overtaken_followers, overtaken_before + 1);
    // Its stream left the deleted bytes out: it ends where the log ends.
    const int64_t read = (in_segment_end - first + p->log_end_offset() - log_start) * kRecordBytes;
    EXPECT_EQ(r->end().value(), read);
    // Appends come on at that end, as for any follower.
    Append(*p, p->log_end_offset(), 3 * kPerSegment);
    EXPECT_EQ(ReadRest(*r, read, chunk), MakeRecords(p->log_end_offset() - 3 * kPerSegment,
                                                     3 * kPerSegment));
    Append(*p, p->log_end_offset(), 4 * kPerSegment);  // for the next round
  }
}

TEST_F(PartitionReaderTest, AFollowerRetentionDidNotReachReadsOnUntouched) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 50);
  auto r = From(p, 30);
  r->GoOnAtLogStartWhenOvertaken();
  p->DeleteOldest([](const Segment& s) { return s.base_offset() < 21; });
  EXPECT_EQ(ReadRest(*r, 0, 7), MakeRecords(30, 20));
  EXPECT_EQ(p->traffic().totals().overtaken_followers, 0);
}

TEST_F(PartitionReaderTest, AFollowerOfADeletedTopicReadsWhatItClaimedToTheEnd) {
  auto p = Make(Config({{"segment.bytes", "100"}}));
  Append(*p, 0, 50);
  auto r = From(p, 10);
  r->GoOnAtLogStartWhenOvertaken();
  ASSERT_TRUE(store_->DeleteTopic("t", /*require_empty=*/false).ok());
  EXPECT_EQ(ReadRest(*r, 0, 7), MakeRecords(10, 40));
}

}  // namespace
}  // namespace topicfs::store

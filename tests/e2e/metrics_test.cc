// The metrics front-end (-o metrics=HOST:PORT) scraped with curl as
// Prometheus would: the text passes `promtool check metrics`, and each
// figure moves as the operation it counts moves it (an append, a read, a
// group's read, a refused request, a roll, a Kafka produce, a copy to the
// remote tier).
#include <algorithm>
#include <string>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class MetricsTest : public MountTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(Unmount());  // each test mounts with the options it needs
  }
  // Mounts with metrics on a free port and more options; learns the port
  // from the log, and the Kafka listener's when `kafka`.
  void MountWithMetrics(const std::string& more = "") {
    Mount({"-o", "metrics=127.0.0.1:0" + more});
    url_ = "http://127.0.0.1:" + PortAfter("metrics: serving http://127.0.0.1:") + "/metrics";
  }
  std::string PortAfter(const std::string& marker) {
    const std::string log = DaemonLog();
    const size_t at = log.find(marker);
    EXPECT_NE(at, std::string::npos) << log;
    if (at == std::string::npos) return "0";
    const size_t from = at + marker.size();
    return log.substr(from, log.find_first_not_of("0123456789", from) - from);
  }
  std::string Scrape() { return Out("curl -sf " + url_, 30); }
  // The value of the sample written exactly `sample` (name and labels);
  // -1 when the scrape has none.
  double Value(const std::string& sample) {
    const std::string text = Scrape();
    const std::string line_start = sample + " ";
    size_t at = 0;
    while ((at = text.find(line_start, at)) != std::string::npos) {
      if (at == 0 || text[at - 1] == '\n') {
        return std::stod(text.substr(at + line_start.size()));
      }
      at += line_start.size();
    }
    return -1;
  }
  static std::string At(const std::string& name, const std::string& topic = "t") {
    return name + "{topic=\"" + topic + "\",partition=\"0\"}";
  }
  std::string url_;
};

TEST_F(MetricsTest, TheScrapePassesPromtool) {
  MountWithMetrics();
  MakeTopic("t");
  Out("seq 1 10 >> $M/t/0/current; cat $M/t/0/from/0 > /dev/null; ls $M/missing 2>&1 || true");
  Out("curl -sf " + url_ + " > " + Dir("scrape.txt"), 30);
  const ShellResult check = Sh("promtool check metrics < " + Dir("scrape.txt"));
  EXPECT_EQ(check.status, 0) << check.out;
  const std::string text = ReadFile(Dir("scrape.txt"));
  for (const char* family :
       {"# TYPE topicfs_partition_log_end_offset gauge",
        "# TYPE topicfs_partition_appended_records_total counter",
        "# TYPE topicfs_fuse_request_duration_seconds histogram",
        "# TYPE topicfs_fuse_requests_total counter", "# TYPE process_open_fds gauge",
        "# TYPE process_resident_memory_bytes gauge"}) {
    EXPECT_NE(text.find(family), std::string::npos) << family << "\n" << text;
  }
}

TEST_F(MetricsTest, AppendsAndReadsMoveThePartitionFigures) {
  MountWithMetrics();
  MakeTopic("t");
  EXPECT_EQ(Value(At("topicfs_partition_log_end_offset")), 0);
  Out("printf 'a\\nbb\\nccc\\n' >> $M/t/0/current");
  EXPECT_EQ(Value(At("topicfs_partition_log_end_offset")), 3);
  EXPECT_EQ(Value(At("topicfs_partition_appended_records_total")), 3);
  EXPECT_EQ(Value(At("topicfs_partition_appended_bytes_total")), 9);
  EXPECT_EQ(Value(At("topicfs_partition_size_bytes")), 9);
  EXPECT_EQ(Value(At("topicfs_partition_read_bytes_total")), 0);
  EXPECT_EQ(ReadFile(M("t/0/from/1")), "bb\nccc\n");
  EXPECT_EQ(Value(At("topicfs_partition_read_bytes_total")), 7);
  EXPECT_EQ(Value("topicfs_topics"), 1);
}

TEST_F(MetricsTest, AGroupsLagFallsAsItReads) {
  MountWithMetrics();
  MakeTopic("t");
  Out("seq 1 5 >> $M/t/0/current");
  EXPECT_EQ(ReadFile(M("t/0/groups/g")), "1\n2\n3\n4\n5\n");
  const std::string g = "{group=\"g\",topic=\"t\",partition=\"0\"}";
  EXPECT_EQ(Value("topicfs_group_committed_offset" + g), 5);
  EXPECT_EQ(Value("topicfs_group_lag_records" + g), 0);
  EXPECT_EQ(Value(At("topicfs_partition_read_records_total")), 5);
  Out("seq 6 9 >> $M/t/0/current");
  EXPECT_EQ(Value("topicfs_group_lag_records" + g), 4);
}

TEST_F(MetricsTest, RequestsAndRefusalsAreCountedByOperationAndErrno) {
  MountWithMetrics();
  MakeTopic("t");
  const std::string writes = "topicfs_fuse_requests_total{op=\"write\"}";
  const double before = std::max(0.0, Value(writes));
  Out("for i in 1 2 3; do echo $i >> $M/t/0/current; done");
  EXPECT_EQ(Value(writes), before + 3);
  EXPECT_GE(Value("topicfs_fuse_request_duration_seconds_count{op=\"write\"}"), before + 3);
  // Renames are refused with EPERM (DESIGN §1.7).
  const std::string refused = "topicfs_fuse_errors_total{op=\"rename\",error=\"EPERM\"}";
  EXPECT_EQ(Value(refused), -1);
  Sh("mv $M/t/0/current $M/t/0/other");
  Sh("mv $M/t/0/current $M/t/0/other");
  EXPECT_EQ(Value(refused), 2);
}

TEST_F(MetricsTest, SegmentsCountRollsAndRetention) {
  MountWithMetrics(",retention.check.interval.ms=200");
  MakeTopic("t", {{"segment.bytes", "1024"}});
  Out("seq 1 1000 >> $M/t/0/current");
  const double segments = Value(At("topicfs_partition_segments"));
  EXPECT_GT(segments, 3);
  ASSERT_EQ(SetXattrErrno(M("t"), "user.topicfs.retention.bytes", "2048"), 0);
  EXPECT_TRUE(WaitFor([&] { return Value(At("topicfs_partition_log_start_offset")) > 0; }))
      << Scrape();
  EXPECT_LT(Value(At("topicfs_partition_segments")), segments);
  EXPECT_EQ(Value(At("topicfs_partition_log_end_offset")), 1000);
}

TEST_F(MetricsTest, KafkaRequestsAreCountedByApi) {
  MountWithMetrics(",kafka=127.0.0.1:0");
  const std::string broker = "127.0.0.1:" + PortAfter("kafka: listening on 127.0.0.1:");
  MakeTopic("t");
  Out("printf 'k1\\nk2\\n' | kcat -b " + broker + " -P -t t -p 0", 30);
  EXPECT_GE(Value("topicfs_kafka_requests_total{api=\"produce\"}"), 1);
  EXPECT_GE(Value("topicfs_kafka_requests_total{api=\"metadata\"}"), 1);
  EXPECT_EQ(Value(At("topicfs_partition_appended_records_total")), 2);
  EXPECT_EQ(Out("kcat -b " + broker + " -C -t t -p 0 -o beginning -e", 30), "k1\nk2\n");
  EXPECT_GE(Value("topicfs_kafka_requests_total{api=\"fetch\"}"), 1);
  EXPECT_EQ(Value(At("topicfs_partition_read_records_total")), 2);
}

TEST_F(MetricsTest, CopiesToTheRemoteTierAreCounted) {
  Out("mkdir -p " + Dir("bucket"));
  MountWithMetrics(",tier=file://" + Dir("bucket") + ",retention.check.interval.ms=200");
  MakeTopic("t", {{"segment.bytes", "65536"}, {"remote.storage.enable", "true"}});
  EXPECT_EQ(Value("topicfs_tier_copied_segments_total"), 0);
  Out("seq 1 50000 >> $M/t/0/current");
  EXPECT_TRUE(WaitFor([&] { return Value("topicfs_tier_copied_segments_total") >= 3; }, 30))
      << Scrape();
  EXPECT_GT(Value("topicfs_tier_copied_bytes_total"), 3 * 60000);
  EXPECT_GT(Value(At("topicfs_partition_remote_size_bytes")), 3 * 60000);
  EXPECT_EQ(Value("topicfs_tier_failures_total"), 0);
  // Local retention drops the copied segments: reading them goes to the tier.
  ASSERT_EQ(SetXattrErrno(M("t"), "user.topicfs.local.retention.bytes", "65536"), 0);
  EXPECT_TRUE(WaitFor([&] { return Value(At("topicfs_partition_local_size_bytes")) < 3 * 65536; }))
      << Scrape();
  EXPECT_EQ(Value("topicfs_tier_remote_reads_total"), 0);
  EXPECT_EQ(Out("cat $M/t/0/from/0 | wc -l"), "50000\n");
  const double reads = Value("topicfs_tier_remote_reads_total");
  EXPECT_GT(reads, 0);
  EXPECT_GT(Value("topicfs_tier_remote_read_bytes_total"), 2 * 65536);
  EXPECT_GT(Value("topicfs_tier_cache_bytes"), 0);
  // Read again: from the cache, no new request.
  EXPECT_EQ(Out("cat $M/t/0/from/0 | wc -l"), "50000\n");
  EXPECT_EQ(Value("topicfs_tier_remote_reads_total"), reads);
  EXPECT_GT(Value("topicfs_tier_cache_hits_total"), 0);
}

TEST_F(MetricsTest, AnAddressInUseFailsTheMountWithOneLine) {
  MountWithMetrics();
  const std::string port = PortAfter("metrics: serving http://127.0.0.1:");
  Out("mkdir " + Dir("data2") + " " + Dir("mnt2"));
  const ShellResult second =
      Sh("$T mount " + Dir("data2") + " " + Dir("mnt2") + " -o metrics=127.0.0.1:" + port);
  EXPECT_NE(second.status, 0);
  EXPECT_NE(second.err.find("metrics"), std::string::npos) << second.err;
  EXPECT_NE(Sh("mountpoint -q " + Dir("mnt2")).status, 0) << "the second store was mounted";
  // The first goes on serving.
  EXPECT_GE(Value("topicfs_topics"), 0);
}

}  // namespace
}  // namespace topicfs::e2e

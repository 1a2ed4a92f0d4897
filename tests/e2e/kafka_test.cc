// The Kafka listener (DESIGN §8) driven by a real client, kcat (librdkafka):
// what it produces is what `cat` shows, what `>>` appends is what it
// consumes, at the same offsets; every codec; a batch refused whole; a
// consumer waiting at the log end woken by `>>`; a malformed frame closes
// only its own connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>

#include "tests/support/background_process.h"
#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {
namespace {

class KafkaTest : public MountTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(Unmount());
    Mount({"-o", "kafka=127.0.0.1:0"});
    // The daemon logs the port it bound.
    const std::string log = DaemonLog();
    const std::string listening = "kafka: listening on 127.0.0.1:";
    const size_t at = log.find(listening);
    ASSERT_NE(at, std::string::npos) << log;
    const size_t from = at + listening.size();
    broker_ = "127.0.0.1:" + log.substr(from, log.find_first_not_of("0123456789", from) - from);
  }
  // kcat with the broker; its stdout.
  std::string Kcat(const std::string& args, const std::string& input = "") {
    const std::string cmd = "kcat -b " + broker_ + " " + args;
    return input.empty() ? Out(cmd, 30) : Out("printf '" + input + "' | " + cmd, 30);
  }
  std::string broker_;
};

TEST_F(KafkaTest, WhatKcatProducesIsWhatCatShows) {
  MakeTopic("t");
  Out("printf 'a\\nb\\n' >> $M/t/0/current");
  Kcat("-P -t t -p 0", "c\\nd\\n");
  EXPECT_EQ(ReadFile(M("t/0/from/0")), "a\nb\nc\nd\n");
  EXPECT_EQ(ReadFile(M("t/0/from/2")), "c\nd\n");
}

TEST_F(KafkaTest, WhatShellAppendsIsWhatKcatConsumesAtTheSameOffsets) {
  MakeTopic("t");
  Out("mkdir $M/t/1");
  Out("printf 'one\\ntwo\\nthree\\n' >> $M/t/1/current");
  EXPECT_EQ(Kcat("-C -t t -p 1 -o beginning -e -f '%o %s\\n'"), "0 one\n1 two\n2 three\n");
  EXPECT_EQ(Kcat("-C -t t -p 1 -o 2 -e -f '%o %s\\n'"), "2 three\n");
  EXPECT_EQ(Kcat("-C -t t -p 0 -o beginning -e"), "");
  const std::string metadata = Kcat("-L -t t");
  EXPECT_NE(metadata.find("topic \"t\" with 2 partitions"), std::string::npos) << metadata;
}

TEST_F(KafkaTest, AnIdempotentProducerAppendsEachRecordOnceInOrder) {
  MakeTopic("t");
  Out("seq 1 20000 | kcat -b " + broker_ + " -P -t t -p 0 -X enable.idempotence=true", 60);
  EXPECT_EQ(ReadFile(M("t/0/from/0")), Out("seq 1 20000"));
}

TEST_F(KafkaTest, EveryCodecIsAccepted) {
  MakeTopic("t");
  for (const std::string codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    Kcat("-P -t t -p 0 -z " + codec, codec + "-1\\n" + codec + "-2\\n");
  }
  EXPECT_EQ(ReadFile(M("t/0/from/0")),
            "none-1\nnone-2\ngzip-1\ngzip-2\nsnappy-1\nsnappy-2\nlz4-1\nlz4-2\nzstd-1\nzstd-2\n");
}

TEST_F(KafkaTest, ABatchWithTheDelimiterInAValueIsRefusedWhole) {
  MakeTopic("t");
  Out("printf 'kept\\n' >> $M/t/0/current");
  // One message whose value holds a newline (kcat -D sets the message
  // delimiter, so the newline stays inside the value).
  ShellResult r = Sh("printf 'x\\ny|' | kcat -b " + broker_ + " -P -t t -p 0 -D '|'", 30);
  EXPECT_NE(r.err.find("failed to validate record"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(M("t/0/from/0")), "kept\n");
}

TEST_F(KafkaTest, AConsumerAtTheLogEndIsWokenByAnAppend) {
  MakeTopic("t");
  BackgroundProcess consumer;
  ASSERT_TRUE(consumer.Start({"kcat", "-b", broker_, "-C", "-t", "t", "-p", "0", "-o", "beginning",
                              "-c", "1", "-X", "fetch.wait.max.ms=60000"},
                             Dir(), Dir("consumer.out"), Dir("consumer.err")));
  ::sleep(1);  // its Fetch now waits for up to a minute
  Out("echo woken >> $M/t/0/current");
  std::optional<int> status = consumer.Wait(20);
  ASSERT_TRUE(status.has_value()) << "the waiting Fetch was not woken";
  EXPECT_EQ(ReadFile(Dir("consumer.out")), "woken\n");
}

TEST_F(KafkaTest, AMalformedFrameClosesOnlyItsConnection) {
  MakeTopic("t");
  const int port = std::stoi(broker_.substr(broker_.find(':') + 1));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  // A frame that says it is 2 GiB long.
  const unsigned char huge[] = {0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0};
  ASSERT_EQ(::write(fd, huge, sizeof huge), static_cast<ssize_t>(sizeof huge));
  char byte;
  EXPECT_LE(::read(fd, &byte, 1), 0) << "the connection stayed open";  // EOF or reset
  ::close(fd);
  // A Metadata request with its body cut short.
  fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const unsigned char cut[] = {0, 0, 0, 12, 0, 3, 0, 1, 0, 0, 0, 7, 0xff, 0xff, 0, 0};
  ASSERT_EQ(::write(fd, cut, sizeof cut), static_cast<ssize_t>(sizeof cut));
  EXPECT_LE(::read(fd, &byte, 1), 0) << "the connection stayed open";  // EOF or reset
  ::close(fd);
  // Everything else goes on.
  Out("echo still >> $M/t/0/current");
  EXPECT_EQ(Kcat("-C -t t -p 0 -o beginning -e"), "still\n");
  EXPECT_NE(DaemonLog().find("connection closed"), std::string::npos);
}

// Topic administration from a Kafka admin client (confluent-kafka's, over
// librdkafka; Debian's python3 has it, whatever python3 is first on PATH).
TEST_F(KafkaTest, AnAdminClientManagesTopicsTheMountShows) {
  MakeTopic("t");
  const std::string script = R"(
import sys
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource
a = AdminClient({'bootstrap.servers': sys.argv[1]})
def outcome(futures):
    for key, f in sorted(futures.items(), key=lambda kv: str(kv[0])):
        name = getattr(key, 'name', key)  # a topic name, or a ConfigResource
        try:
            f.result()
            print(name, 'ok')
        except Exception as e:
            print(name, e.args[0].name())
outcome(a.create_topics([NewTopic('orders', 3, 1, config={'retention.ms': '3600000'}),
                         NewTopic('replicated', 1, 3), NewTopic('t', 1, 1),
                         NewTopic('bad/name', 1, 1)]))
for _, f in a.describe_configs([ConfigResource('topic', 'orders')]).items():
    c = f.result()
    print(c['retention.ms'].value, c['retention.ms'].is_default, c['segment.bytes'].is_default)
outcome(a.alter_configs([ConfigResource('topic', 'orders', set_config={'segment.bytes': '1048576'})]))
outcome(a.alter_configs([ConfigResource('topic', 'orders', set_config={'segment.bytes': 'lots'})]))
outcome(a.create_partitions([NewPartitions('orders', 5), NewPartitions('t', 1)]))
)";
  WriteFile(Dir("admin.py"), script);
  EXPECT_EQ(Out("/usr/bin/python3 admin.py " + broker_, 60),
            "bad/name TOPIC_EXCEPTION\n"
            "orders ok\n"
            "replicated INVALID_REPLICATION_FACTOR\n"
            "t TOPIC_ALREADY_EXISTS\n"
            "3600000 False True\n"
            "orders ok\n"
            "orders INVALID_CONFIG\n"
            "orders ok\n"
            "t INVALID_PARTITIONS\n");
  // The mount shows what the admin client did, and AlterConfigs replaced
  // the whole set (retention.ms back to its default), as Kafka's does.
  EXPECT_EQ(List(M("orders")), (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(Xattr(M("orders"), "user.topicfs.segment.bytes"), "1048576");
  EXPECT_EQ(Xattr(M("orders"), "user.topicfs.retention.ms"), "604800000");
  const std::string remove = R"(
import sys
from confluent_kafka.admin import AdminClient
a = AdminClient({'bootstrap.servers': sys.argv[1]})
for name, f in sorted(a.delete_topics(['orders', 'nosuch']).items()):
    try:
        f.result()
        print(name, 'ok')
    except Exception as e:
        print(name, e.args[0].name())
)";
  WriteFile(Dir("remove.py"), remove);
  EXPECT_EQ(Out("/usr/bin/python3 remove.py " + broker_, 60),
            "nosuch UNKNOWN_TOPIC_OR_PART\norders ok\n");
  EXPECT_EQ(List(M()), (std::vector<std::string>{"t"}));
}

// kafkajs (pure JavaScript, its own protocol code) with its defaults:
// produce, a group consumer that commits, offsets by time.
TEST_F(KafkaTest, KafkajsProducesConsumesInAGroupAndFindsOffsetsByTime) {
  const std::string client = std::string(TOPICFS_KAFKAJS_DIR) + "/client.js";
  ASSERT_EQ(::access((std::string(TOPICFS_KAFKAJS_DIR) + "/node_modules/kafkajs").c_str(), F_OK), 0)
      << "kafkajs is not installed: scripts/test.sh installs it (npm ci in tests/e2e/kafkajs)";
  const std::string node = "node " + client + " " + broker_ + " ";
  // Every record indexed, so a time between two records finds the second
  // (a lookup by time may start up to one index interval early, as since/).
  MakeTopic("t", {{"index.interval.bytes", "1"}});
  Out("echo from-shell >> $M/t/0/current");
  ::usleep(20000);
  const std::string before = Out("date +%s%3N");
  ::usleep(20000);
  Out(node + "produce t one two three", 60);
  EXPECT_EQ(ReadFile(M("t/0/from/0")), "from-shell\none\ntwo\nthree\n");
  EXPECT_EQ(Out(node + "consume t g 4", 90), "from-shell\none\ntwo\nthree\n");
  EXPECT_EQ(Xattr(M("t/0/groups/g"), "user.topicfs.committed_offset"), "4");
  std::string ms = before.substr(0, before.size() - 1);
  EXPECT_EQ(Out(node + "offsets t " + ms, 60), "0 1\n");
}

TEST_F(KafkaTest, AppendingThroughCurrentWorksAfterAProduceRolledSegments) {
  MakeTopic("t", {{"segment.bytes", "100"}});
  Out("echo first >> $M/t/0/current");  // the kernel has seen where current pointed
  // Several rolls; batches of 5 records, as one batch must fit in a segment.
  Out("seq 1 60 | kcat -b " + broker_ + " -P -t t -p 0 -X batch.num.messages=5", 30);
  Out("echo last >> $M/t/0/current");
  EXPECT_EQ(ReadFile(M("t/0/from/61")), "last\n");
}

// A million records from a Kafka producer, a bulk `cat >>`, a writer whose
// writes cut lines anywhere and a loop of `echo >>` opens, all on one
// partition that rolls, while two follow/ readers read: every record of
// every writer lands once, whole and in its writer's order, and both
// readers see exactly the log.
TEST_F(KafkaTest, AMillionRecordProduceAppendersAndFollowersNeverTearOrReorder) {
  MakeTopic("t", {{"segment.bytes", "1000000"}});
  constexpr int kProduced = 1000000, kCat = 100000, kPieces = 100000, kEchoes = 300;
  constexpr int kTotal = kProduced + kCat + kPieces + kEchoes;
  Out("seq -f 'K%.0f' 1 " + std::to_string(kProduced) + " > k.txt; seq -f 'A%.0f' 1 " +
      std::to_string(kCat) + " > a.txt; seq -f 'B%.0f' 1 " + std::to_string(kPieces) + " > b.txt");
  BackgroundProcess followers[2];
  for (int i = 0; i < 2; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(followers[i].Start(
        {"head", "-n", std::to_string(kTotal), M("t/0/follow/0")}, Dir(), Dir("follower" + n),
        Dir("follower" + n + ".err")));
    ASSERT_TRUE(WaitFor([&] { return followers[i].HoldsFileUnder(M()); }, 10));
  }
  const std::string pieces = R"(
import os, random, sys
data = open(sys.argv[1], 'rb').read()
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_APPEND)
rng, at = random.Random(7), 0
while at < len(data):
    n = rng.choice([1, 3, 7, 100, 4096, 70000])
    at += os.write(fd, data[at:at + n])
os.close(fd)
)";
  WriteFile(Dir("pieces.py"), pieces);
  Out("kcat -b " + broker_ + " -P -t t -p 0 < k.txt & k=$!; "
      "cat a.txt >> $M/t/0/current & a=$!; "
      "/usr/bin/python3 pieces.py b.txt $M/t/0/current & b=$!; "
      "for i in $(seq " + std::to_string(kEchoes) + "); do echo E$i >> $M/t/0/current || exit 1; done; "
      "wait $k && wait $a && wait $b",
      110);
  const std::string log = ReadFile(M("t/0/from/0"));
  std::map<char, long> last{{'K', 0}, {'A', 0}, {'B', 0}, {'E', 0}};
  long lines = 0;
  for (size_t pos = 0; pos < log.size(); ++lines) {
    const size_t end = log.find('\n', pos);
    ASSERT_NE(end, std::string::npos) << "unterminated record at byte " << pos;
    const std::string line = log.substr(pos, end - pos);
    ASSERT_TRUE(line.size() >= 2 && last.count(line[0]) == 1) << "torn record at " << pos << ": " << line;
    const long seq = std::stol(line.substr(1));
    ASSERT_EQ(seq, last[line[0]] + 1) << "record " << lines << " out of order: " << line;
    last[line[0]] = seq;
    pos = end + 1;
  }
  EXPECT_EQ(last, (std::map<char, long>{{'K', kProduced}, {'A', kCat}, {'B', kPieces}, {'E', kEchoes}}));
  EXPECT_EQ(lines, kTotal);
  EXPECT_EQ(Xattr(M("t/0"), "user.topicfs.log_end_offset"), std::to_string(kTotal));
  EXPECT_GE(std::stoi(Xattr(M("t/0"), "user.topicfs.segment_count")), 9);
  for (int i = 0; i < 2; ++i) {
    std::optional<int> status = followers[i].Wait(60);
    ASSERT_TRUE(status.has_value()) << "follower " << i << " did not see every record";
    EXPECT_EQ(*status, 0);
    EXPECT_TRUE(ReadFile(Dir("follower" + std::to_string(i))) == log) << "follower " << i;
  }
}

// The classic group protocol with a real client (confluent-kafka over
// librdkafka): three consumers share four partitions, one is killed, a
// fourth joins, records keep coming; every record is consumed at least
// once, and the offsets they commit are the ones groups/<g> shows.
TEST_F(KafkaTest, AGroupRebalancesWhenAMemberDiesAndAnotherJoins) {
  MakeTopic("t");
  Out("for p in 1 2 3; do mkdir $M/t/$p; done");
  Out("for p in 0 1 2 3; do seq 1 100 | sed \"s/^/p$p-/\" >> $M/t/$p/current; done");
  const std::string script = R"(
import os, sys, time
from confluent_kafka import Consumer
broker, out, stop = sys.argv[1:4]
c = Consumer({'bootstrap.servers': broker, 'group.id': 'g', 'auto.offset.reset': 'earliest',
              'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500,
              'auto.commit.interval.ms': 200})
c.subscribe(['t'])
with open(out, 'w') as f:
    end = time.time() + 100
    while not os.path.exists(stop) and time.time() < end:
        m = c.poll(0.2)
        if m is not None and not m.error():
            f.write(m.value().decode() + '\n')
            f.flush()
c.close()
)";
  WriteFile(Dir("consumer.py"), script);
  BackgroundProcess consumers[4];
  auto start = [&](int i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(consumers[i].Start(
        {"/usr/bin/python3", Dir("consumer.py"), broker_, Dir("out" + n), Dir("stop")}, Dir(),
        Dir("log" + n), Dir("err" + n)));
  };
  // Every distinct record the consumers have written out so far.
  auto consumed = [&] { return Out("cat out* 2>/dev/null | sort -u | wc -l"); };
  for (int i = 0; i < 3; ++i) start(i);
  EXPECT_TRUE(WaitFor([&] { return consumed() == "400\n"; }, 60)) << consumed();
  ASSERT_TRUE(consumers[0].Signal(SIGKILL));
  start(3);
  Out("for p in 0 1 2 3; do seq 101 150 | sed \"s/^/p$p-/\" >> $M/t/$p/current; done");
  EXPECT_TRUE(WaitFor([&] { return consumed() == "600\n"; }, 90)) << consumed();
  EXPECT_EQ(Out("cat out* | sort -u"),
            Out("for p in 0 1 2 3; do seq 1 150 | sed \"s/^/p$p-/\"; done | sort"));
  WriteFile(Dir("stop"), "");
  for (int i = 1; i < 4; ++i) {
    std::optional<int> status = consumers[i].Wait(30);
    ASSERT_TRUE(status.has_value()) << "consumer " << i << " did not stop";
    EXPECT_EQ(*status, 0) << ReadFile(Dir("err" + std::to_string(i)));
  }
  // The group is Empty once its members left, as a Kafka admin lists it.
  EXPECT_EQ(Out("/usr/bin/python3 -c \"from confluent_kafka.admin import AdminClient; "
                "print([(g.id, g.state, len(g.members)) for g in "
                "AdminClient({'bootstrap.servers': '" +
                broker_ + "'}).list_groups(timeout=10)])\""),
            "[('g', 'Empty', 0)]\n");
  // Closing consumers commit what they consumed: all of it.
  for (int p = 0; p < 4; ++p) {
    EXPECT_EQ(Xattr(M("t/" + std::to_string(p) + "/groups/g"), "user.topicfs.committed_offset"),
              "150")
        << "partition " << p;
  }
}

}  // namespace
}  // namespace topicfs::e2e

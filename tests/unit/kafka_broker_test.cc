// The Kafka broker from bytes (kafka/broker.h, message_io.h): messages
// written and read back by the same description, headers, the answers to
// versions it does not have and to malformed requests, and a Produce then
// a Fetch on a real store.
#include <gtest/gtest.h>

#include "kafka/admin_messages.h"
#include "kafka/broker.h"
#include "kafka/crc32c.h"
#include "kafka/messages.h"
#include "kafka/record_batch.h"
#include "kafka/wire.h"
#include "tests/support/store_fixture.h"

namespace topicfs::kafka {
namespace {

// A request frame: header (v1, or v2 when flexible) then `message`.
template <class Message>
std::string Request(int16_t key, int16_t version, bool flexible, const Message& message) {
  std::string frame;
  WireWriter w(&frame);
  w.Int16(key);
  w.Int16(version);
  w.Int32(42);  // correlation id
  w.Int16(4);
  w.Bytes("test");
  if (flexible) w.UnsignedVarint(0);
  MessageWriter body(&frame, version, flexible);
  body.Struct(message);
  return frame;
}

// Reads a response frame for a request in `version`; checks the id.
template <class Message>
Message ParseResponse(const std::string& frame, int16_t version, bool flexible,
                      bool header_tags = true) {
  WireReader r(frame);
  EXPECT_EQ(r.Int32(), 42);
  std::string_view rest = r.rest();
  if (flexible && header_tags) {
    MessageReader tags(rest, version, true);
    tags.EndStruct();
    rest = tags.wire().rest();
  }
  Message m;
  MessageReader body(rest, version, flexible);
  body.Struct(m);
  EXPECT_TRUE(body.ok());
  EXPECT_EQ(body.wire().remaining(), 0u);
  return m;
}

TEST(KafkaMessagesTest, EveryVersionReadsBackWhatItWrote) {
  for (int16_t v = 0; v <= 12; ++v) {
    const bool flexible = v >= 9;
    MetadataResponse out;
    out.brokers.push_back({0, "localhost", 9092, std::nullopt});
    out.cluster_id = "c";
    MetadataResponse::Topic& t = out.topics.emplace_back();
    t.name = "orders";
    t.partitions.push_back({0, 3, 0, 0, {0}, {0}, {}});
    std::string bytes;
    MessageWriter w(&bytes, v, flexible);
    w.Struct(out);
    MetadataResponse in;
    MessageReader r(bytes, v, flexible);
    r.Struct(in);
    ASSERT_TRUE(r.ok()) << "version " << v;
    EXPECT_EQ(r.wire().remaining(), 0u) << "version " << v;
    ASSERT_EQ(in.topics.size(), 1u);
    EXPECT_EQ(in.topics[0].name, "orders");
    EXPECT_EQ(in.topics[0].partitions[0].partition_index, 3);
    EXPECT_EQ(in.brokers[0].host, "localhost");
    EXPECT_EQ(in.cluster_id.has_value(), v >= 2);
  }
}

TEST(KafkaMessagesTest, AnArrayLongerThanItsBytesIsMalformed) {
  std::string bytes;
  WireWriter w(&bytes);
  w.Int32(1 << 30);  // topics: a billion of them, in four bytes
  MetadataRequest m;
  MessageReader r(bytes, 1, false);
  r.Struct(m);
  EXPECT_FALSE(r.ok());
}

class KafkaBrokerTest : public test::StoreTest {
 protected:
  void SetUp() override { ASSERT_NE(Make(store::TopicConfig()), nullptr); }
  Session session_{[](const store::Status&) {}};
};

TEST_F(KafkaBrokerTest, ApiVersionsInAVersionItLacksIsAnsweredInVersionZero) {
  Broker broker(store_.get(), {});
  Reply reply =
      broker.Handle(Request(kApiVersions, 9, true, ApiVersionsRequest{}), session_, false);
  ASSERT_EQ(reply.kind, Reply::Kind::kRespond);
  auto response = ParseResponse<ApiVersionsResponse>(reply.frame, 0, false);
  EXPECT_EQ(response.error_code, kUnsupportedVersion);
  EXPECT_FALSE(response.api_keys.empty());
  // In version 3 the body is flexible but the response header is not.
  reply = broker.Handle(Request(kApiVersions, 3, true, ApiVersionsRequest{}), session_, false);
  response = ParseResponse<ApiVersionsResponse>(reply.frame, 3, true, /*header_tags=*/false);
  EXPECT_EQ(response.error_code, kNone);
}

TEST_F(KafkaBrokerTest, MalformedAndUnknownRequests) {
  Broker broker(store_.get(), {});
  EXPECT_EQ(broker.Handle("abc", session_, false).kind, Reply::Kind::kClose);
  std::string cut = Request(kMetadata, 1, false, MetadataRequest{});
  cut.resize(cut.size() - 2);
  EXPECT_EQ(broker.Handle(cut, session_, false).kind, Reply::Kind::kClose);
  // An API topicfs does not answer: an error, not a closed connection.
  Reply reply =
      broker.Handle(Request(int16_t{57}, 0, false, ApiVersionsRequest{}), session_, false);
  ASSERT_EQ(reply.kind, Reply::Kind::kRespond);
  WireReader r(reply.frame);
  EXPECT_EQ(r.Int32(), 42);
  EXPECT_EQ(r.Int16(), kUnsupportedVersion);
}

TEST_F(KafkaBrokerTest, ProducedRecordsAreFetchedAtTheirOffsets) {
  Broker broker(store_.get(), {});
  std::string batch;
  // A producer's batch: what Fetch returns is also a valid batch to send.
  EncodeBatch(0, "a\nb\n", '\n', 1, &batch);
  ProduceRequest produce;
  produce.acks = 1;
  produce.topic_data.push_back({"t", {{0, batch}}});
  for (int16_t v : {3, 9}) {
    Reply reply = broker.Handle(Request(kProduce, v, v >= 9, produce), session_, false);
    ASSERT_EQ(reply.kind, Reply::Kind::kRespond);
    auto response = ParseResponse<ProduceResponse>(reply.frame, v, v >= 9);
    ASSERT_EQ(response.responses.size(), 1u);
    EXPECT_EQ(response.responses[0].partitions[0].error_code, kNone);
    EXPECT_EQ(response.responses[0].partitions[0].base_offset, v == 3 ? 0 : 2);
  }
  produce.acks = 0;
  EXPECT_EQ(broker.Handle(Request(kProduce, 3, false, produce), session_, false).kind,
            Reply::Kind::kNothing);
  EXPECT_EQ(store_->FindPartition("t", 0)->log_end_offset(), 6);

  FetchRequest fetch;
  fetch.max_wait_ms = 100;
  fetch.topics.push_back({"t", {{0, -1, 1, -1, -1, 1 << 20}}});
  for (int16_t v : {4, 12}) {
    Reply reply = broker.Handle(Request(kFetch, v, v >= 12, fetch), session_, true);
    ASSERT_EQ(reply.kind, Reply::Kind::kRespond);
    auto response = ParseResponse<FetchResponse>(reply.frame, v, v >= 12);
    const FetchResponse::Partition& p = response.responses.at(0).partitions.at(0);
    EXPECT_EQ(p.error_code, kNone);
    EXPECT_EQ(p.high_watermark, 6);
    size_t used = 0;
    store::Result<ProducedBatch> got = DecodeBatch(*p.records, 1 << 20, &used);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::string values;
    ASSERT_TRUE(AppendRecords(*got, '\n', &values).ok());
    EXPECT_EQ(values, "b\na\nb\na\nb\n");
  }
  // At the log end a Fetch asks to wait; told not to, it answers empty.
  fetch.topics[0].partitions[0].fetch_offset = 6;
  EXPECT_EQ(broker.Handle(Request(kFetch, 4, false, fetch), session_, true).kind,
            Reply::Kind::kWait);
  Reply reply = broker.Handle(Request(kFetch, 4, false, fetch), session_, false);
  auto response = ParseResponse<FetchResponse>(reply.frame, 4, false);
  EXPECT_EQ(response.responses.at(0).partitions.at(0).records->size(), 0u);
  // The same partition named twice, at the log end and then past it: the
  // second refuses, the first may still wait.
  fetch.topics[0].partitions.push_back({0, -1, 99, -1, -1, 1 << 20});
  Reply twice = broker.Handle(Request(kFetch, 4, false, fetch), session_, true);
  EXPECT_EQ(twice.kind, Reply::Kind::kWait);
  fetch.topics[0].partitions.pop_back();
  // Past the log end.
  fetch.topics[0].partitions[0].fetch_offset = 7;
  reply = broker.Handle(Request(kFetch, 4, false, fetch), session_, true);
  response = ParseResponse<FetchResponse>(reply.frame, 4, false);
  EXPECT_EQ(response.responses.at(0).partitions.at(0).error_code, kOffsetOutOfRange);
}

TEST_F(KafkaBrokerTest, AFetchWaitsUntilMinBytesAreThereThenAnswersFromItsOffset) {
  int wakes = 0;
  Session session([&](const store::Status&) { ++wakes; });
  Broker broker(store_.get(), {});
  std::shared_ptr<store::Partition> p = store_->FindPartition("t", 0);
  ASSERT_TRUE(p->AppendBatch("a\n", 1000).ok());
  FetchRequest fetch;
  fetch.max_wait_ms = 500;
  fetch.min_bytes = 200;  // more than one small batch holds
  fetch.topics.push_back({"t", {{0, -1, 0, -1, -1, 1 << 20}}});
  const std::string request = Request(kFetch, 4, false, fetch);
  EXPECT_EQ(broker.Handle(request, session, true).kind, Reply::Kind::kWait);
  // An append wakes it; still short of min_bytes, it waits again.
  ASSERT_TRUE(p->AppendBatch("b\n", 1000).ok());
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(broker.Handle(request, session, true).kind, Reply::Kind::kWait);
  // Enough now: every record from the Fetch's own offset.
  ASSERT_TRUE(p->AppendBatch(std::string(300, 'c') + "\n", 1000).ok());
  Reply reply = broker.Handle(request, session, true);
  ASSERT_EQ(reply.kind, Reply::Kind::kRespond);
  auto response = ParseResponse<FetchResponse>(reply.frame, 4, false);
  size_t used = 0;
  store::Result<ProducedBatch> got =
      DecodeBatch(*response.responses.at(0).partitions.at(0).records, 1 << 20, &used);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  std::string values;
  ASSERT_TRUE(AppendRecords(*got, '\n', &values).ok());
  EXPECT_EQ(values, "a\nb\n" + std::string(300, 'c') + "\n");
  // Out of time (the server asks once more without waiting): what there is.
  fetch.min_bytes = 1 << 20;
  reply = broker.Handle(Request(kFetch, 4, false, fetch), session, false);
  ASSERT_EQ(reply.kind, Reply::Kind::kRespond);
}

TEST_F(KafkaBrokerTest, ABatchWithTheDelimiterInAValueIsRefusedWhole) {
  Broker broker(store_.get(), {});
  std::string batch;
  EncodeBatch(0, "ok|bad\nvalue|", '|', 1, &batch);
  ProduceRequest produce;
  produce.acks = -1;
  produce.topic_data.push_back({"t", {{0, batch}}});
  Reply reply = broker.Handle(Request(kProduce, 7, false, produce), session_, false);
  auto response = ParseResponse<ProduceResponse>(reply.frame, 7, false);
  EXPECT_EQ(response.responses[0].partitions[0].error_code, kInvalidRecord);
  EXPECT_EQ(store_->FindPartition("t", 0)->log_end_offset(), 0);
  // A flipped byte fails the CRC-32C.
  batch.clear();
  EncodeBatch(0, "a\n", '\n', 1, &batch);
  batch.back() ^= 1;
  produce.topic_data[0].partitions[0].records = batch;
  reply = broker.Handle(Request(kProduce, 7, false, produce), session_, false);
  response = ParseResponse<ProduceResponse>(reply.frame, 7, false);
  EXPECT_EQ(response.responses[0].partitions[0].error_code, kCorruptMessage);
}

TEST_F(KafkaBrokerTest, ListOffsetsGivesTheLogEnds) {
  Broker broker(store_.get(), {});
  ASSERT_TRUE(store_->FindPartition("t", 0)->AppendBatch("a\nb\n", 1000).ok());
  ListOffsetsRequest list;
  list.topics.push_back({"t", {{0, -1, -2}, {0, -1, -1}}});
  list.topics.push_back({"nope", {{0, -1, -1}}});
  Reply reply = broker.Handle(Request(kListOffsets, 5, false, list), session_, false);
  auto response = ParseResponse<ListOffsetsResponse>(reply.frame, 5, false);
  EXPECT_EQ(response.topics[0].partitions[0].offset, 0);
  EXPECT_EQ(response.topics[0].partitions[1].offset, 2);
  EXPECT_EQ(response.topics[1].partitions[0].error_code, kUnknownTopicOrPartition);
}

TEST_F(KafkaBrokerTest, IncrementalAlterConfigsSetsAndDeletesAllOrNothing) {
  Broker broker(store_.get(), {});
  ASSERT_TRUE(store_->SetTopicConfig("t", "retention.ms", "1000").ok());
  using Alter = AlterConfigsRequest<true>;
  auto alter = [&](std::vector<Alter::Config> configs, bool validate_only) {
    Alter request;
    request.resources.push_back({kResourceTopic, "t", std::move(configs)});
    request.validate_only = validate_only;
    Reply reply =
        broker.Handle(Request(kIncrementalAlterConfigs, 1, true, request), session_, false);
    auto response = ParseResponse<AlterConfigsResponse>(reply.frame, 1, true);
    return response.responses.at(0).error_code;
  };
  // A dry run changes nothing.
  EXPECT_EQ(alter({{"segment.bytes", 0, "1048576"}}, true), kNone);
  EXPECT_FALSE(store_->FindTopic("t")->config().IsSet(store::ConfigKey::kSegmentBytes));
  // SET and DELETE together; the other values stay.
  EXPECT_EQ(alter({{"segment.bytes", 0, "1048576"}, {"retention.ms", 1, std::nullopt}}, false),
            kNone);
  store::TopicConfig config = store_->FindTopic("t")->config();
  EXPECT_EQ(config.segment_bytes(), 1048576);
  EXPECT_FALSE(config.IsSet(store::ConfigKey::kRetentionMs));
  // A bad value or an APPEND refuses the whole resource.
  EXPECT_EQ(alter({{"flush.ms", 0, "5"}, {"segment.bytes", 0, "lots"}}, false), kInvalidConfig);
  EXPECT_EQ(alter({{"flush.ms", 0, "5"}, {"segment.bytes", 2, "1"}}, false), kInvalidConfig);
  EXPECT_FALSE(store_->FindTopic("t")->config().IsSet(store::ConfigKey::kFlushMs));

  DescribeConfigsRequest describe;
  describe.resources.push_back(
      {kResourceTopic, "t", std::vector<std::string_view>{"segment.bytes"}});
  Reply reply = broker.Handle(Request(kDescribeConfigs, 4, true, describe), session_, false);
  auto described = ParseResponse<DescribeConfigsResponse>(reply.frame, 4, true);
  ASSERT_EQ(described.results.at(0).configs.size(), 1u);
  EXPECT_EQ(described.results[0].configs[0].value, "1048576");
}

// `batch` as an idempotent producer's: its id, epoch and first sequence
// number written in, and its CRC-32C made right again.
std::string FromProducer(std::string batch, int64_t id, int16_t epoch, int32_t sequence) {
  auto put = [&](size_t at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) batch[at + i] = static_cast<char>(v >> (8 * (bytes - 1 - i)));
  };
  put(43, static_cast<uint64_t>(id), 8);
  put(51, static_cast<uint16_t>(epoch), 2);
  put(53, static_cast<uint32_t>(sequence), 4);
  put(17, Crc32c(std::string_view(batch).substr(21)), 4);
  return batch;
}

TEST_F(KafkaBrokerTest, ARetriedBatchOfAnIdempotentProducerIsAppendedOnce) {
  Broker broker(store_.get(), {});
  Reply init =
      broker.Handle(Request(kInitProducerId, 1, false, InitProducerIdRequest{}), session_, false);
  const int64_t id = ParseResponse<InitProducerIdResponse>(init.frame, 1, false).producer_id;
  ASSERT_GE(id, 0);
  auto produce = [&](const std::string& batch) {
    ProduceRequest request;
    request.acks = -1;
    request.topic_data.push_back({"t", {{0, batch}}});
    Reply reply = broker.Handle(Request(kProduce, 7, false, request), session_, false);
    return ParseResponse<ProduceResponse>(reply.frame, 7, false).responses[0].partitions[0];
  };
  std::string two, one;
  EncodeBatch(0, "a\nb\n", '\n', 1, &two);  // sequences 0 and 1
  EncodeBatch(0, "c\n", '\n', 1, &one);
  auto first = produce(FromProducer(two, id, 0, 0));
  auto retry = produce(FromProducer(two, id, 0, 0));
  EXPECT_EQ(first.error_code, kNone);
  EXPECT_EQ(retry.error_code, kNone);
  EXPECT_EQ(retry.base_offset, first.base_offset);
  EXPECT_EQ(produce(FromProducer(one, id, 0, 5)).error_code, kOutOfOrderSequenceNumber);
  EXPECT_EQ(produce(FromProducer(one, id, 0, 2)).base_offset, 2);
  EXPECT_EQ(produce(FromProducer(one, id, -1, 3)).error_code, kInvalidProducerEpoch);
  EXPECT_EQ(store_->FindPartition("t", 0)->log_end_offset(), 3);
  // Another producer's sequences are its own.
  EXPECT_EQ(produce(FromProducer(one, id + 1, 0, 0)).base_offset, 3);
}

}  // namespace
}  // namespace topicfs::kafka

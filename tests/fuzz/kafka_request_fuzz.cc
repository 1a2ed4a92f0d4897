// Any bytes as a Kafka request frame to the broker over a real store: it
// answers, asks to wait, or closes the connection; it never crashes, reads
// out of bounds or allocates what the frame claims without having it.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "kafka/broker.h"
#include "store/store.h"

namespace {

topicfs::store::Store* FuzzStore() {
  static std::unique_ptr<topicfs::store::Store> store = [] {
    char dir[] = "/tmp/topicfs-kafka-fuzz-XXXXXX";
    if (::mkdtemp(dir) == nullptr) std::abort();
    topicfs::store::Store::Options options;
    options.data_dir = std::string(dir) + "/data";
    options.create_if_missing = true;
    auto opened = topicfs::store::Store::Open(options);
    if (!opened.ok()) std::abort();
    auto s = std::move(*opened);
    if (!s->CreateTopic("t", 2, topicfs::store::TopicConfig()).ok()) std::abort();
    if (!s->FindPartition("t", 0)->AppendBatch("a\nb\nc\n", 1000).ok()) std::abort();
    return s;
  }();
  return store.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static topicfs::kafka::Broker broker(FuzzStore(), {"localhost", 9092, 1 << 20});
  topicfs::kafka::Session session([](const topicfs::store::Status&) {});
  std::string_view frame(reinterpret_cast<const char*>(data), size);
  topicfs::kafka::Reply reply = broker.Handle(frame, session, /*may_wait=*/true);
  if (reply.kind == topicfs::kafka::Reply::Kind::kWait) broker.Handle(frame, session, false);
  return 0;
}

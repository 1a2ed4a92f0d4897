// The Kafka broker topicfs is (DESIGN §8): one node, id 0, over one store.
// It turns a request frame into a response frame and knows nothing of
// sockets (server.h carries the frames), so every answer is testable from
// bytes. Each API has its own file: produce.cc, fetch.cc, list_offsets.cc,
// admin.cc (topics and their configs), and Metadata and ApiVersions here in
// broker.cc.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "kafka/api.h"
#include "kafka/group_coordinator.h"
#include "kafka/producer_state.h"
#include "store/partition_reader.h"
#include "store/store.h"

namespace topicfs::kafka {

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string_view> client_id;
  bool flexible = false;  // the request's body and response are flexible
};

// What one connection keeps between its requests: the readers its Fetches
// go on with (a consumer fetches each partition from where the last fetch
// ended, so the index lookup is paid once), and how to wake it.
class Session {
 public:
  // `wake` is called (from an appending thread) when a partition a waiting
  // Fetch watches gets a record.
  explicit Session(store::WakeFn wake) : wake_(std::move(wake)) {}
  // The client's address, as DescribeGroups shows it.
  void set_client_host(std::string host) { client_host_ = std::move(host); }

 private:
  friend class Broker;
  struct Reader {
    std::unique_ptr<store::PartitionReader> reader;
    int64_t next_offset = 0;      // of the record after the last one read
    store::ReadPosition next{0};  // where that record starts in its stream
    store::WaitId wait = 0;       // a waiting Fetch's, 0 when none
    void CancelWait() {
      if (wait != 0 && reader != nullptr) reader->CancelWait(wait);
      wait = 0;
    }
  };
  // The reader of `partition` at `offset`: the one the last Fetch left
  // there, or a new one.
  store::Result<Reader*> ReaderAt(const std::shared_ptr<store::Partition>& partition,
                                  int64_t offset);
  store::WakeFn wake_;
  std::string client_host_;
  // The member id a waiting JoinGroup of a new member got, by group: asked
  // again, the same request joins as that member, not as another new one.
  std::map<std::string, std::string, std::less<>> joining_;
  std::map<std::pair<std::string, int32_t>, Reader> readers_;
  std::string scratch_;  // the records of one run, reused
};

struct Reply {
  enum class Kind {
    kRespond,  // send `frame`
    kNothing,  // a Produce with acks=0: Kafka sends no response
    kWait,     // a Fetch with nothing to return yet: ask again with
               // may_wait false after `wait_ms`, or sooner when woken
    kClose,    // a malformed request: close the connection
  };
  Kind kind = Kind::kRespond;
  std::string frame;  // without its length prefix
  int32_t wait_ms = 0;
  std::string why;  // kClose: one line for the log
};

class Broker {
 public:
  struct Options {
    std::string host;  // advertised to clients in Metadata
    int32_t port = 9092;
    int64_t max_message_batch_bytes = 100 << 20;
  };
  Broker(store::Store* store, Options options) : store_(store), options_(std::move(options)) {}

  Reply Handle(std::string_view request, Session& session, bool may_wait);

 private:
  Reply ApiVersions(const RequestHeader& h, std::string_view body);
  Reply Metadata(const RequestHeader& h, std::string_view body);
  Reply Produce(const RequestHeader& h, std::string_view body);
  Reply InitProducerId(const RequestHeader& h, std::string_view body);
  Reply Fetch(const RequestHeader& h, std::string_view body, Session& session, bool may_wait);
  Reply ListOffsets(const RequestHeader& h, std::string_view body);
  // groups.cc
  Reply FindCoordinator(const RequestHeader& h, std::string_view body);
  Reply JoinGroup(const RequestHeader& h, std::string_view body, Session& session);
  Reply SyncGroup(const RequestHeader& h, std::string_view body, Session& session, bool may_wait);
  Reply Heartbeat(const RequestHeader& h, std::string_view body);
  Reply LeaveGroup(const RequestHeader& h, std::string_view body);
  Reply OffsetCommit(const RequestHeader& h, std::string_view body);
  Reply OffsetFetch(const RequestHeader& h, std::string_view body);
  Reply ListGroups(const RequestHeader& h, std::string_view body);
  Reply DescribeGroups(const RequestHeader& h, std::string_view body);
  // admin.cc
  Reply CreateTopics(const RequestHeader& h, std::string_view body);
  Reply DeleteTopics(const RequestHeader& h, std::string_view body);
  Reply CreatePartitions(const RequestHeader& h, std::string_view body);
  Reply DescribeConfigs(const RequestHeader& h, std::string_view body);
  template <bool Incremental>
  Reply AlterConfigs(const RequestHeader& h, std::string_view body);

  store::Store* const store_;
  const Options options_;
  ProducerStates producers_;
  GroupCoordinator groups_;
};

// Parses the request header at the start of `request`; `*body` is the rest.
// False when malformed.
bool ParseHeader(std::string_view request, RequestHeader* header, std::string_view* body);

}  // namespace topicfs::kafka

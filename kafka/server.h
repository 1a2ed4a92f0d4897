// The Kafka listener (DESIGN §8): accepts connections on one address and
// carries each connection's request frames to the Broker and its responses
// back, in order, as Kafka does (one request at a time per connection).
// Standalone Asio with C++20 coroutines; a few threads serve every
// connection, each connection on its own strand. A Fetch that waits parks
// its coroutine on a timer that an append cancels.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "kafka/broker.h"
#include "store/status.h"
#include "store/store.h"

namespace topicfs::store {
class RequestStats;
}

namespace topicfs::kafka {

// Parses "HOST:PORT" ("[v6]:PORT" too). InvalidArgument when malformed.
store::Status ParseHostPort(const std::string& text, std::string* host, uint16_t* port);

class Server {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 9092;  // 0: any free port (tests)
    // What Metadata tells clients to connect to; the bound address when
    // empty.
    std::string advertised_host;
    uint16_t advertised_port = 0;
    int64_t max_request_bytes = 100 << 20;
    int threads = 2;
    std::function<void(const std::string&)> log_info;
    std::function<void(const std::string&)> log_error;
    // Counts and times requests by API (ApiKinds()), from the whole
    // request read to its reply written, a Fetch's wait included; borrowed,
    // may be null.
    store::RequestStats* request_stats = nullptr;
  };

  // Binds and starts serving; the error says why it could not bind.
  static store::Result<std::unique_ptr<Server>> Start(store::Store* store, Options options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Closes the listener and every connection, and joins the threads.
  void Stop();
  uint16_t port() const { return bound_port_; }

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint16_t bound_port_ = 0;
};

}  // namespace topicfs::kafka

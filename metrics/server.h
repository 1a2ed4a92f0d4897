// The metrics front-end: Prometheus's text format on HTTP GET /metrics
// (prometheus-cpp's Exposer, over civetweb), from the collectors added.
// Nothing is computed between scrapes: each scrape asks every collector.
#pragma once

#include <prometheus/collectable.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/status.h"

namespace prometheus {
class Exposer;
}

namespace topicfs::metrics {

class Server {
 public:
  // Listens on `address`, HOST:PORT (PORT 0: any free port, for tests);
  // the error says why it could not.
  static store::Result<std::unique_ptr<Server>> Start(const std::string& address);
  ~Server();  // stops serving before the collectors go
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void Add(std::shared_ptr<prometheus::Collectable> collector);
  uint16_t port() const { return port_; }

 private:
  Server() = default;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectors_;
  std::unique_ptr<prometheus::Exposer> exposer_;  // after collectors_: goes first
  uint16_t port_ = 0;
};

}  // namespace topicfs::metrics

#include "metrics/server.h"

#include <prometheus/exposer.h>

#include <exception>

namespace topicfs::metrics {

store::Result<std::unique_ptr<Server>> Server::Start(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return store::Status::InvalidArgument("metrics: '" + address + "' is not HOST:PORT");
  }
  std::unique_ptr<Server> server(new Server());
  try {
    // One thread: a scrape is rare and quick; civetweb's default is 50.
    server->exposer_ = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    return store::Status::IOError("metrics: cannot listen on " + address + ": " + e.what());
  }
  const std::vector<int> ports = server->exposer_->GetListeningPorts();
  if (!ports.empty()) server->port_ = static_cast<uint16_t>(ports.front());
  return server;
}

Server::~Server() = default;  // here, where prometheus::Exposer is complete

void Server::Add(std::shared_ptr<prometheus::Collectable> collector) {
  exposer_->RegisterCollectable(collector);
  collectors_.push_back(std::move(collector));
}

}  // namespace topicfs::metrics

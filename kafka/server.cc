#include "kafka/server.h"

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "kafka/api.h"
#include "store/clock.h"
#include "store/request_stats.h"

namespace topicfs::kafka {
namespace {

using asio::ip::tcp;

using Strand = asio::strand<asio::io_context::executor_type>;

// How an append, or another member of a group, reaches a connection whose
// request waits: it cancels the connection's timer, on the connection's
// strand, while the connection lives. `woken` covers a wake-up that comes
// before the wait begins. Wake-ups hold the Waker, which may outlive the
// connection (a store wait, a group member's); the timer does not: it
// lives in the connection's coroutine, which ends the Waker first.
struct Waker {
  explicit Waker(Strand s) : strand(std::move(s)) {}
  static void Wake(const std::shared_ptr<Waker>& w) {
    w->woken.store(true);
    // Checked again on the strand: a wake-up whose wait already ended
    // (the flag was taken) must not cut a later wait short.
    asio::post(w->strand, [w] {
      std::lock_guard lock(w->mu);
      if (w->timer != nullptr && w->woken.load()) w->timer->cancel();
    });
  }
  void End() {
    std::lock_guard lock(mu);
    timer = nullptr;
  }

  const Strand strand;
  std::mutex mu;
  asio::steady_timer* timer = nullptr;  // guarded by mu; null once the connection ended
  std::atomic<bool> woken{false};
};

uint32_t BigEndian32(const unsigned char* b) {
  return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
}

}  // namespace

struct Server::Impl {
  Options options;
  std::optional<Broker> broker;  // once bound: Metadata names the port
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::weak_ptr<tcp::socket>> sockets;  // guarded by mu; to close at Stop()

  explicit Impl(Options o) : options(std::move(o)) {}

  void Info(const std::string& m) const {
    if (options.log_info) options.log_info(m);
  }
  void Error(const std::string& m) const {
    if (options.log_error) options.log_error(m);
  }

  asio::awaitable<void> Accept() {
    for (;;) {
      asio::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) {
        Error("kafka: accept: " + ec.message());
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto strand = asio::make_strand(io);
      auto shared = std::make_shared<tcp::socket>(std::move(socket));
      {
        std::lock_guard lock(mu);
        std::erase_if(sockets, [](const std::weak_ptr<tcp::socket>& s) { return s.expired(); });
        sockets.push_back(shared);
      }
      asio::co_spawn(strand, Serve(shared, strand), asio::detached);
    }
  }

  asio::awaitable<void> Serve(std::shared_ptr<tcp::socket> socket,
                              asio::strand<asio::io_context::executor_type> strand) {
    asio::steady_timer timer(strand);
    auto waker = std::make_shared<Waker>(strand);
    waker->timer = &timer;
    struct End {
      Waker* w;
      ~End() { w->End(); }
    } end{waker.get()};  // before `timer` goes
    Session session([waker](const store::Status&) { Waker::Wake(waker); });
    asio::error_code ignored;
    auto remote = socket->remote_endpoint(ignored);
    const std::string peer = remote.address().to_string() + ":" + std::to_string(remote.port());
    session.set_client_host(remote.address().to_string());
    std::string request;
    unsigned char size[4];
    for (;;) {
      asio::error_code ec;
      co_await asio::async_read(*socket, asio::buffer(size),
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;  // the client went away
      const int64_t len = static_cast<int32_t>(BigEndian32(size));
      if (len < 8 || len > options.max_request_bytes) {
        Error("kafka: " + peer + ": request of " + std::to_string(len) +
              " bytes refused (kafka.max.request.bytes " +
              std::to_string(options.max_request_bytes) + "); connection closed");
        co_return;
      }
      request.resize(static_cast<size_t>(len));
      co_await asio::async_read(*socket, asio::buffer(request),
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      waker->woken.store(false);
      const int64_t started_ns = store::SteadyNowNs();
      Reply reply = broker->Handle(request, session, /*may_wait=*/true);
      // Asked again when woken (it may wait on, within the time it first
      // asked for: a Fetch woken by appends too small for its min_bytes
      // waits again), or when its time is up.
      std::optional<std::chrono::steady_clock::time_point> deadline;
      while (reply.kind == Reply::Kind::kWait) {
        if (!deadline) {
          deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(reply.wait_ms);
        }
        bool woken = waker->woken.exchange(false);
        if (!woken) {
          timer.expires_at(*deadline);
          co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          woken = waker->woken.exchange(false);
        }
        const bool in_time = std::chrono::steady_clock::now() < *deadline;
        reply = broker->Handle(request, session, /*may_wait=*/woken && in_time);
      }
      if (options.request_stats != nullptr) {  // the api key leads every request (len >= 8)
        const auto* key = reinterpret_cast<const unsigned char*>(request.data());
        options.request_stats->Record(ApiKind(static_cast<int16_t>((key[0] << 8) | key[1])),
                                      store::SteadyNowNs() - started_ns);
      }
      if (reply.kind == Reply::Kind::kClose) {
        Error("kafka: " + peer + ": " + reply.why + "; connection closed");
        co_return;
      }
      if (reply.kind == Reply::Kind::kNothing) continue;
      const uint32_t n = static_cast<uint32_t>(reply.frame.size());
      const unsigned char prefix[4] = {
          static_cast<unsigned char>(n >> 24), static_cast<unsigned char>(n >> 16),
          static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
      std::array<asio::const_buffer, 2> out = {asio::buffer(prefix), asio::buffer(reply.frame)};
      co_await asio::async_write(*socket, out, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
  }
};

store::Status ParseHostPort(const std::string& text, std::string* host, uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return store::Status::InvalidArgument("'" + text + "' is not HOST:PORT");
  }
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const std::string p = text.substr(colon + 1);
  if (p.find_first_not_of("0123456789") != std::string::npos || p.size() > 5 ||
      std::stoul(p) > 65535) {
    return store::Status::InvalidArgument("bad port in '" + text + "'");
  }
  *host = h;
  *port = static_cast<uint16_t>(std::stoul(p));
  return store::Status::OK();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

store::Result<std::unique_ptr<Server>> Server::Start(store::Store* store, Options options) {
  asio::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (ec) return store::Status::InvalidArgument("kafka: bad address '" + options.host + "'");
  auto impl = std::make_unique<Impl>(options);
  tcp::endpoint endpoint(address, options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return store::Status::IOError("kafka: cannot listen on " + options.host + ":" +
                                  std::to_string(options.port) + ": " + ec.message());
  }
  const uint16_t bound = impl->acceptor.local_endpoint().port();
  // Metadata names the address clients reach this broker at.
  Broker::Options broker;
  broker.host = options.advertised_host.empty() ? options.host : options.advertised_host;
  broker.port = options.advertised_port != 0 ? options.advertised_port : bound;
  broker.max_message_batch_bytes = options.max_request_bytes;
  impl->broker.emplace(store, std::move(broker));
  asio::co_spawn(impl->io, impl->Accept(), asio::detached);
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    impl->threads.emplace_back([io = &impl->io] { io->run(); });
  }
  impl->Info("kafka: listening on " + options.host + ":" + std::to_string(bound));
  std::unique_ptr<Server> server(new Server(std::move(impl)));
  server->bound_port_ = bound;
  return server;
}

void Server::Stop() {
  if (impl_ == nullptr || impl_->threads.empty()) return;
  // Closed on the io threads (a socket is not thread-safe); then the
  // threads stop, and the connections' coroutines, with their sessions and
  // readers, go with the io_context.
  std::promise<void> closed;
  asio::post(impl_->io, [impl = impl_.get(), &closed] {
    asio::error_code ignored;
    impl->acceptor.close(ignored);
    std::lock_guard lock(impl->mu);
    for (auto& weak : impl->sockets) {
      if (auto s = weak.lock()) s->close(ignored);
    }
    closed.set_value();
  });
  closed.get_future().wait();
  impl_->io.stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_.reset();
}

}  // namespace topicfs::kafka

// The daemon's listening side over real sockets (daemon/server.h): what a stranger who never authenticates
// can cost it. Each case is one of the ways a connection can be abused before `welcome`.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74's Asio needs it under C++20

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "common/proto/codec.h"
#include "common/proto/frame.h"
#include "daemon/server.h"

using namespace compss;
using namespace compss::daemon;
namespace fs = std::filesystem;

namespace {

struct World {
  boost::asio::io_context io;
  Runtime rt{RuntimeConfig{}};
  fs::path dir;
  std::unique_ptr<Server> server;

  explicit World(ServerConfig cfg) {
    char tmpl[] = "/tmp/compss-test-server.XXXXXX";
    dir = ::mkdtemp(tmpl);
    cfg.socket_path = (dir / "s" / "compssd.sock").string();
    cfg.secret = "s3cret-s3cret-s3cret";
    cfg.job = "77";
    server = std::make_unique<Server>(io, rt, [] { return 0.0; }, cfg, [] {});
    REQUIRE(server->listen().ok());
  }
  ~World() {
    server->close();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void run_for(int ms) {
    io.restart();
    io.run_for(std::chrono::milliseconds(ms));
  }
};

int tcp_connect(const char* ip, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int unix_connect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

// True when the peer closed: whatever it sent first is read and dropped, then end of stream.
bool closed_by_peer(int fd) {
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

std::vector<proto::Message> read_messages(int fd) {
  proto::FrameReader r;
  std::uint8_t buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
    r.feed(buf, static_cast<std::size_t>(n));
  }
  std::vector<proto::Message> out;
  while (auto m = r.next())
    if (*m) out.push_back(std::move(m->value()));
  return out;
}

void send_frame(int fd, const proto::Message& m) {
  auto f = proto::encode(m);
  REQUIRE(::send(fd, f.data(), f.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(f.size()));
}

}  // namespace

TEST_CASE("a connection that never says hello is closed after the deadline", "[server]") {
  ServerConfig cfg;
  cfg.hello_timeout_s = 0.2;
  World w(cfg);
  int fd = tcp_connect("127.0.0.1", w.server->tcp_port());
  REQUIRE(fd >= 0);
  w.run_for(50);
  CHECK(w.server->pending() == 1);
  CHECK_FALSE(closed_by_peer(fd));
  w.run_for(400);
  CHECK(closed_by_peer(fd));
  CHECK(w.server->pending() == 0);
  CHECK(w.server->strangers_dropped() == 1);
  ::close(fd);
}

TEST_CASE("a large frame before welcome is a framing error, not 16 MiB of buffer", "[server]") {
  World w(ServerConfig{});
  int fd = tcp_connect("127.0.0.1", w.server->tcp_port());
  REQUIRE(fd >= 0);
  // A header announcing 1 MiB: within the limit of an authenticated peer, far above a stranger's.
  const std::uint8_t header[4] = {0x00, 0x10, 0x00, 0x00};
  REQUIRE(::send(fd, header, 4, MSG_NOSIGNAL) == 4);
  w.run_for(100);
  auto got = read_messages(fd);
  REQUIRE(got.size() == 1);
  const auto* e = std::get_if<proto::ErrorMessage>(&got[0]);
  REQUIRE(e);
  CHECK(e->code == proto::ErrorCode::kBadFrame);
  CHECK_THAT(e->message, Catch::Contains("exceeds the limit of 16384"));
  ::close(fd);
}

TEST_CASE("strangers beyond the cap push out the oldest; the owner still gets in", "[server]") {
  ServerConfig cfg;
  cfg.max_pending = 4;
  World w(cfg);
  std::vector<int> fds;
  for (int i = 0; i < 10; ++i) {
    fds.push_back(tcp_connect("127.0.0.1", w.server->tcp_port()));
    REQUIRE(fds.back() >= 0);
    w.run_for(20);  // accepted in this order
  }
  CHECK(w.server->pending() == 4);
  int closed = 0;
  for (std::size_t i = 0; i < fds.size(); ++i) {
    bool c = closed_by_peer(fds[i]);
    closed += c;
    CHECK(c == (i < 6));  // the six oldest went
  }
  CHECK(closed == 6);
  CHECK(w.server->strangers_dropped() == 6);

  int owner = unix_connect((w.dir / "s" / "compssd.sock").string());
  proto::Hello hello;
  hello.prog = "test";
  send_frame(owner, hello);
  w.run_for(100);
  auto got = read_messages(owner);
  REQUIRE(got.size() == 1);
  REQUIRE(std::holds_alternative<proto::Welcome>(got[0]));
  CHECK(std::get<proto::Welcome>(got[0]).job == "77");
  // The owner's connection came in as a stranger too (pushing out the oldest one), and stopped being one
  // with its welcome: the cap counts only connections still to say hello.
  CHECK(w.server->pending() == 3);
  CHECK(w.server->strangers_dropped() == 7);
  for (int fd : fds) ::close(fd);
  ::close(owner);
}

TEST_CASE("TCP listens only on the address it is given", "[server]") {
  ServerConfig cfg;
  cfg.tcp_host = "127.0.0.1";
  World w(cfg);
  int other = tcp_connect("127.0.0.2", w.server->tcp_port());  // also this host, another address
  CHECK(other < 0);
  if (other >= 0) ::close(other);
  int fd = tcp_connect("127.0.0.1", w.server->tcp_port());
  CHECK(fd >= 0);
  if (fd >= 0) ::close(fd);
}

TEST_CASE("a name that is not an address to listen on is refused with a reason", "[server]") {
  boost::asio::io_context io;
  Runtime rt{RuntimeConfig{}};
  char tmpl[] = "/tmp/compss-test-server.XXXXXX";
  fs::path dir = ::mkdtemp(tmpl);
  ServerConfig cfg;
  cfg.socket_path = (dir / "s.sock").string();
  cfg.tcp_host = "n1.example";
  Server s(io, rt, [] { return 0.0; }, cfg, [] {});
  auto st = s.listen();
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.error().message, Catch::Contains("'n1.example': not a numeric address"));
  s.close();
  fs::remove_all(dir);
}

TEST_CASE("out of descriptors, accepting pauses instead of spinning, then resumes", "[server]") {
  World w(ServerConfig{});
  std::vector<int> fds;
  for (int i = 0; i < 3; ++i) fds.push_back(tcp_connect("127.0.0.1", w.server->tcp_port()));  // in the backlog
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  int highest = ::fcntl(0, F_DUPFD_CLOEXEC, 0);  // the lowest free descriptor
  REQUIRE(highest >= 0);
  ::close(highest);
  int probe = highest;
  for (int fd = highest; fd < highest + 64; ++fd)
    if (::fcntl(fd, F_GETFD) != -1) probe = fd + 1;  // above every descriptor open now
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(probe);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  w.run_for(350);
  const auto failures = w.server->accept_failures();
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
  CHECK(failures >= 1);
  CHECK(failures <= 10);  // a 100 ms pause each: a spinning loop fails thousands of times in 350 ms
  w.run_for(300);
  CHECK(w.server->pending() == 3);
  for (int fd : fds) ::close(fd);
}

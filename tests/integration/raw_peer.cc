// raw_peer - a peer that speaks to compssd below the client library, for the security tests: what an
// attacker on the cluster can send. Prints one line per outcome; exit 0 unless its own setup failed.
//
//   raw_peer hello HOST:PORT client|agent AUTH   one hello; prints "welcome", "error <code>: <message>"
//                                                 or "closed"; AUTH "-" sends none, "@FILE" reads it
//   raw_peer flood HOST:PORT N SECONDS            opens N connections that never say hello, holds them
//                                                 SECONDS; prints "opened N closed-by-daemon M"
//   raw_peer bigframe HOST:PORT                   a frame header of 1 MiB before any hello
//   raw_peer fake-daemon PORT FILE                 listens on PORT (all addresses) as if it were compssd
//                                                 (a stranger who took its port): takes one agent's hello,
//                                                 answers welcome with no credential and an assign that
//                                                 runs `touch FILE`; prints "hello munge" or "hello secret
//                                                 <what the agent showed>" and, 5 s
//                                                 later, "registered" if the agent sent register, else
//                                                 "not registered"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/proto/codec.h"
#include "common/proto/frame.h"

using namespace compss;

namespace {

int dial(const std::string& host_port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos) return -1;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host_port.substr(0, colon).c_str(), host_port.substr(colon + 1).c_str(), &hints, &res) != 0)
    return -1;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && ::connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  return fd;
}

// The daemon's answer: the first message, or "closed" when it hung up without one (within 10 s).
std::string answer(int fd) {
  proto::FrameReader r;
  std::uint8_t buf[65536];
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return "closed";
    r.feed(buf, static_cast<std::size_t>(n));
    if (auto m = r.next()) {
      if (!*m) return "undecodable: " + m->error().message;
      if (std::holds_alternative<proto::Welcome>(**m)) return "welcome";
      if (const auto* e = std::get_if<proto::ErrorMessage>(&**m))
        return "error " + std::string(proto::word(e->code)) + ": " + e->message;
      return "other";
    }
  }
  return "silence";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: raw_peer hello|flood|bigframe HOST:PORT ...\n";
    return 2;
  }
  const std::string what = argv[1], addr = argv[2];
  if (what == "hello" && argc == 5) {
    proto::Hello h;
    h.role = std::string(argv[3]) == "agent" ? proto::Role::kAgent : proto::Role::kClient;
    h.prog = "raw_peer";
    h.node = "n1";
    std::string auth = argv[4];
    if (auth.rfind('@', 0) == 0) {
      std::ifstream in(auth.substr(1));
      std::stringstream ss;
      ss << in.rdbuf();
      auth = ss.str();
      while (!auth.empty() && (auth.back() == '\n' || auth.back() == ' ')) auth.pop_back();
    } else if (auth == "-") {
      auth.clear();
    }
    h.auth = auth;
    int fd = dial(addr);
    if (fd < 0) {
      std::cout << "cannot connect\n";
      return 1;
    }
    auto f = proto::encode(h);
    (void)!::send(fd, f.data(), f.size(), MSG_NOSIGNAL);
    std::cout << answer(fd) << "\n";
    ::close(fd);
    return 0;
  }
  if (what == "flood" && argc == 5) {
    const int n = std::stoi(argv[3]);
    const int hold = std::stoi(argv[4]);
    std::vector<int> fds;
    for (int i = 0; i < n; ++i) {
      int fd = dial(addr);
      if (fd >= 0) fds.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::seconds(hold));
    int closed = 0;
    for (int fd : fds) {
      pollfd p{fd, POLLIN, 0};
      char c;
      if (::poll(&p, 1, 0) > 0 && ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0) ++closed;
      ::close(fd);
    }
    std::cout << "opened " << fds.size() << " closed-by-daemon " << closed << "\n";
    return 0;
  }
  if (what == "fake-daemon" && argc == 4) {
    int ls = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(std::stoi(addr)));
    if (::bind(ls, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(ls, 4) != 0) {
      std::cout << "cannot listen: " << std::strerror(errno) << "\n";
      return 1;
    }
    std::cout << "listening\n" << std::flush;
    int fd = ::accept(ls, nullptr, nullptr);
    proto::FrameReader r;
    std::uint8_t buf[65536];
    bool welcomed = false, registered = false;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::chrono::steady_clock::time_point answered{};
    while (std::chrono::steady_clock::now() < until) {
      if (welcomed && std::chrono::steady_clock::now() - answered > std::chrono::seconds(5)) break;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      r.feed(buf, static_cast<std::size_t>(n));
      while (auto m = r.next()) {
        if (!*m) break;
        if (auto* h = std::get_if<proto::Hello>(&**m)) {
          std::cout << "hello " << (h->auth.starts_with("MUNGE:") ? "munge" : "secret " + h->auth) << "\n";
          proto::Welcome w;
          w.prog = "raw_peer";
          proto::Assign a;
          a.task = 0;
          a.attempt = 1;
          a.argv = {"touch", argv[3]};
          a.cwd = "/";
          a.cores = {0};
          for (const auto& f : {proto::encode(w), proto::encode(a)}) (void)!::send(fd, f.data(), f.size(), MSG_NOSIGNAL);
          welcomed = true;
          answered = std::chrono::steady_clock::now();
        } else if (std::holds_alternative<proto::Register>(**m)) {
          registered = true;
        }
      }
    }
    std::cout << (registered ? "registered" : "not registered") << "\n";
    ::close(fd);
    ::close(ls);
    return 0;
  }
  if (what == "bigframe") {
    int fd = dial(addr);
    if (fd < 0) {
      std::cout << "cannot connect\n";
      return 1;
    }
    const std::uint8_t header[4] = {0x00, 0x10, 0x00, 0x00};
    (void)!::send(fd, header, 4, MSG_NOSIGNAL);
    std::cout << answer(fd) << "\n";
    ::close(fd);
    return 0;
  }
  std::cerr << "raw_peer: bad arguments\n";
  return 2;
}

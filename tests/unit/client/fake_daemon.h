// fake_daemon.h - a compss daemon stand-in for the client's tests: a Unix socket server on a thread of the
// test process that speaks the wire protocol (common/proto) and answers as the test tells it.
//
// Lifecycle: construct with a Script (called on the server thread for every message received, the hello
// included; it returns what to send back), point the client at path(), destroy to stop. Connections are
// served one at a time, in the order they arrive. canned() answers every client request the way a
// healthy daemon would, with task ids counted from 0, so a Script only spells out what differs; with no
// Script the daemon answers everything with canned().
//
// Thread-safety: received() and connections() may be called from the test thread while the server runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/proto/messages.h"

namespace compss::test {

struct Answer {
  std::vector<proto::Message> messages;  // sent in order, each as one frame
  std::vector<std::uint8_t> raw;         // bytes sent after them, as they are (garbage, broken frames)
  bool close = false;                    // close the connection afterwards
};

Answer reply(proto::Message m);            // one message
Answer reply_and_close(proto::Message m);  // one message, then hang up
Answer hang_up();                          // close without a word
Answer raw_bytes(std::vector<std::uint8_t> bytes, bool close = false);

// A daemon's MUNGE answer to a client's hello credential (protocol.md 2.2): its nonce back, or
// `nonce_override` instead; "" when the credential does not decode. munge_works(): munged answers here.
// The payload of the last client credential munge_answer decoded (a credential decodes once: MUNGE refuses
// a replay, so a test reads what the fake daemon saw rather than decoding it again).
std::string munge_answer(const std::string& client_credential, const std::string& nonce_override = "");
std::string last_hello_payload();
bool munge_works();

class FakeDaemon;
using Script = std::function<Answer(FakeDaemon&, const proto::Message&)>;

class FakeDaemon {
 public:
  enum class Transport { kUnix, kTcp };  // kTcp listens on 127.0.0.1, on a port the system picks

  explicit FakeDaemon(Script script = nullptr, Transport transport = Transport::kUnix);
  ~FakeDaemon();
  FakeDaemon(const FakeDaemon&) = delete;
  FakeDaemon& operator=(const FakeDaemon&) = delete;

  // The address to connect to: the socket path, or 127.0.0.1:PORT.
  const std::string& path() const { return path_; }
  std::vector<proto::Message> received() const;  // every message decoded so far, across connections
  int connections() const { return connections_; }

  // What a healthy daemon answers: a welcome to a hello, submitted/wait_result/... to requests.
  Answer canned(const proto::Message& m);

 private:
  void serve();
  void serve_connection(int fd);

  Script script_;
  std::string dir_, path_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::uint64_t next_id_ = 0;
  mutable std::mutex mu_;
  std::vector<proto::Message> received_;
  std::thread thread_;
};

}  // namespace compss::test

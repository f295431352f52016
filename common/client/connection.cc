// connection.cc - Connection (compss/client.hpp): the handshake, then one request and its answer per
// call, matched by request id (protocol.md 2.4).
#include <unistd.h>

#include <array>
#include <chrono>
#include <deque>
#include <compss/client.hpp>
#include <thread>
#include <type_traits>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include "common/client/auth.h"
#include "common/client/paths.h"
#include "common/client/socket.h"
#include "common/client/to_wire.h"
#include "common/proto/codec.h"
#include "common/proto/frame.h"
#include "common/proto/handshake.h"
#include "common/util/random.h"
#include "config.h"

namespace compss::client {

namespace {

constexpr int kHandshakeTimeoutMs = 30000;
// A request repeated on a new connection (repeatable()) that breaks again within a second is repeated at
// most this often in a row: a daemon that closes every connection is not asked forever.
constexpr int kMaxRepeats = 3;
constexpr const char* kProgram = "libcompss-client " PACKAGE_VERSION;

Error usage(std::string message) {
  return Error{ErrorKind::kUsage, std::move(message), {}};
}

// Exactly one selector; `allow_all` is false for cancel (the protocol has no "cancel everything").
Status check_selection(const Selection& s, bool allow_all, std::string_view call) {
  int given = (s.ids.empty() ? 0 : 1) + (s.group.empty() ? 0 : 1) + (s.all ? 1 : 0);
  if (!allow_all && s.all)
    return usage(std::string(call) + ": cancelling every task is not supported; give ids or a group");
  if (given != 1)
    return usage(std::string(call) +
                 (allow_all ? ": give exactly one of ids, a group or all" : ": give exactly one of ids or a group"));
  for (const auto& r : s.ids)
    if (r.first > r.last) return usage(std::string(call) + ": a range's first id is above its last");
  return {};
}

// Requests whose repetition changes nothing, repeated on a new connection when the old one broke: the
// questions, and a submit with a key (the daemon answers a key it has seen with the ids it gave then).
template <class Request>
bool repeatable(const Request& r) {
  if constexpr (std::is_same_v<Request, proto::Submit>) return !r.key.empty();
  return std::is_same_v<Request, proto::Wait> || std::is_same_v<Request, proto::StatusQuery> ||
         std::is_same_v<Request, proto::Query> || std::is_same_v<Request, proto::Explain>;
}

}  // namespace

struct Connection::Impl {
  std::string address;  // as given to connect(): "" means the environment's
  Socket socket;
  proto::FrameReader reader;
  ServerInfo server;
  std::mutex mu;
  std::uint64_t next_rid = 1;
  std::string broken;  // why the connection cannot be used any more; empty while it can

  // Pipelined submits (submit_nowait): sent, their answers not read yet, oldest first (the daemon answers a
  // connection's requests in order); and the answers read, until ids_of() hands them over.
  struct Pending {
    std::uint64_t ticket;
    proto::Submit request;
    std::vector<std::uint64_t> counts;
  };
  std::deque<Pending> pending;
  std::map<std::uint64_t, Result<std::vector<IdRange>>> answered;
  std::uint64_t next_ticket = 1;
  Status read_pending_answer();
  Status drain();
  Status resend_pending(const Error& why, int& repeats);
  void fail_pending(const Error& e);

  Status send(const proto::Message& m);
  Result<proto::Message> read_message(int timeout_ms);
  Error break_with(Error e);
  template <class Reply, class Request>
  Result<Reply> call(Request request);
  template <class Reply, class Request>
  Result<Reply> call_once(Request& request);
  bool reconnect();
};

Error Connection::Impl::break_with(Error e) {
  broken = e.message;
  socket.close();
  return e;
}

Status Connection::Impl::send(const proto::Message& m) {
  auto frame = proto::encode_checked(m);
  if (!frame) return usage(frame.error().message + "; send fewer tasks at a time");
  auto sent = socket.send_all(*frame);
  if (!sent) return break_with(sent.error());
  return {};
}

Result<proto::Message> Connection::Impl::read_message(int timeout_ms) {
  std::array<std::uint8_t, 65536> buf;
  for (;;) {
    if (auto m = reader.next()) {
      if (*m) return std::move(**m);
      return break_with(Error{ErrorKind::kProtocol,
                              "the compss runtime sent something this client cannot read: " + m->error().message,
                              {}});
    }
    auto n = socket.receive(buf, timeout_ms);
    if (!n) return break_with(n.error());
    if (*n == 0)
      return break_with(Error{ErrorKind::kLost, "the compss runtime closed the connection (has the job ended?)", {}});
    reader.feed(buf.data(), *n);
  }
}

// The connection broke with pipelined submits unanswered: on a new connection, every one of them is sent
// again with its key (a daemon that took one answers the ids it gave then), as call() repeats a submit.
Status Connection::Impl::resend_pending(const Error& why, int& repeats) {
  if (why.kind != ErrorKind::kLost || repeats++ >= kMaxRepeats) return why;
  for (const Pending& p : pending)
    if (p.request.key.empty()) return why;  // taken or not, the daemon could not tell: not sent twice
  if (!reconnect()) return why;
  for (Pending& p : pending) {
    p.request.rid = next_rid++;
    if (auto s = send(p.request); !s) return resend_pending(s.error(), repeats);
  }
  return {};
}

// Every pipelined submit not answered gets `e` as its answer.
void Connection::Impl::fail_pending(const Error& e) {
  for (Pending& p : pending) answered.insert_or_assign(p.ticket, Result<std::vector<IdRange>>(e));
  pending.clear();
}

// Reads the answer to the oldest pipelined submit.
Status Connection::Impl::read_pending_answer() {
  for (int repeats = 0;;) {
    if (!broken.empty()) {
      Error e{ErrorKind::kLost, broken, {}};
      fail_pending(e);
      return e;
    }
    Pending& p = pending.front();
    auto answer = read_message(-1);
    if (!answer) {
      if (auto s = resend_pending(answer.error(), repeats); !s) {
        fail_pending(s.error());
        return s.error();
      }
      continue;
    }
    if (auto* reply = std::get_if<proto::Submitted>(&*answer); reply && reply->rid == p.request.rid) {
      auto ids = split_ids(reply->ids, p.counts);
      if (!ids) {
        Error e = break_with(ids.error());
        fail_pending(e);
        return e;
      }
      answered.insert_or_assign(p.ticket, std::move(ids));
    } else if (auto* e = std::get_if<proto::ErrorMessage>(&*answer); e && (e->rid == p.request.rid || e->rid == 0)) {
      answered.insert_or_assign(p.ticket, Result<std::vector<IdRange>>(
                                              Error{ErrorKind::kRefused, e->message, std::string(proto::word(e->code))}));
    } else {
      Error bad = break_with(Error{ErrorKind::kProtocol,
                                   "the compss runtime answered a pipelined 'submit' with '" +
                                       std::string(proto::type_name(*answer)) + "' (request id " +
                                       std::to_string(p.request.rid) + ")",
                                   {}});
      fail_pending(bad);
      return bad;
    }
    pending.pop_front();
    return {};
  }
}

// Reads the answers of every pipelined submit, so that the next request's answer is the next message.
Status Connection::Impl::drain() {
  while (!pending.empty())
    if (auto s = read_pending_answer(); !s) return s;
  return {};
}

template <class Reply, class Request>
Result<Reply> Connection::Impl::call(Request request) {
  std::lock_guard lock(mu);
  // A pipelined submit that cannot be answered is its ticket's error, not this request's.
  if (!pending.empty()) (void)drain();
  const bool was_open = broken.empty();  // a connection broken by an earlier call stays broken
  auto r = call_once<Reply>(request);
  if (!was_open) return r;
  // Repeats that break at once are counted; one that lasted a while (a long wait across several
  // restarts) starts the count over.
  for (int repeats = 0; !r && r.error().kind == ErrorKind::kLost && repeatable(request) && repeats < kMaxRepeats;) {
    if (!reconnect()) break;
    const auto sent = std::chrono::steady_clock::now();
    r = call_once<Reply>(request);
    repeats = std::chrono::steady_clock::now() - sent > std::chrono::seconds(1) ? 0 : repeats + 1;
  }
  return r;
}

// A new connection to the same address, tried for up to kReconnectSeconds (a compssd restarting: its
// address refuses connections, or is gone for a moment, or answers and dies). False, the connection
// staying broken, when none came or the daemon refused this client.
bool Connection::Impl::reconnect() {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(kReconnectSeconds);
  auto c = Connection::connect(address);
  while (!c && c.error().kind != ErrorKind::kRefused && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    c = Connection::connect(address);
  }
  if (!c) return false;
  socket = std::move(c->impl_->socket);
  reader = std::move(c->impl_->reader);
  server = std::move(c->impl_->server);
  broken.clear();
  return true;
}

template <class Reply, class Request>
Result<Reply> Connection::Impl::call_once(Request& request) {
  if (!broken.empty()) return Error{ErrorKind::kLost, broken, {}};
  request.rid = next_rid++;
  if (auto s = send(request); !s) return s.error();
  auto answer = read_message(-1);
  if (!answer) return answer.error();
  if (auto* reply = std::get_if<Reply>(&*answer); reply && reply->rid == request.rid) return std::move(*reply);
  if (auto* e = std::get_if<proto::ErrorMessage>(&*answer); e && (e->rid == request.rid || e->rid == 0))
    return Error{ErrorKind::kRefused, e->message, std::string(proto::word(e->code))};
  return break_with(Error{ErrorKind::kProtocol,
                          "the compss runtime answered '" + std::string(proto::type_name(Request{})) + "' with '" +
                              std::string(proto::type_name(*answer)) + "' (request id " + std::to_string(request.rid) +
                              ")",
                          {}});
}

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

const ServerInfo& Connection::server() const {
  return impl_->server;
}

Result<Connection> Connection::connect(std::string_view address) {
  auto addr = resolve_address(address, [](const char* name) -> const char* { return std::getenv(name); });
  if (!addr) return addr.error();
  // A compssd restarting (a few seconds) refuses connections at its published address, or takes one and
  // dies before it answers: both are tried again, on a new connection, for up to kReconnectSeconds.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(kReconnectSeconds);
  auto again = [&] {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return true;
  };
  for (;;) {
    auto sock = connect_socket(*addr);
    if (!sock) {
      const auto& m = sock.error().message;
      if ((m.find("connection refused") != std::string::npos || m.find("Connection refused") != std::string::npos) &&
          again())
        continue;
      return sock.error();
    }
    auto impl = std::make_unique<Impl>();
    impl->address = std::string(address);
    impl->socket = std::move(*sock);
    if (addr->kind == Address::Kind::kUnix) {
      // Anyone can leave a socket where ours should be: talk only to a daemon of our own uid.
      long uid = impl->socket.peer_uid();
      if (uid != static_cast<long>(::getuid()))
        return Error{ErrorKind::kRefused,
                     "the compss runtime socket " + addr->text() + " is served by " +
                         (uid < 0 ? std::string("an unknown user") : "uid " + std::to_string(uid)) +
                         ", not by you (uid " + std::to_string(::getuid()) + "): not talking to it",
                     "auth"};
    }
    proto::Hello hello;
    hello.prog = kProgram;
    Result<std::string> cred = std::string();
    std::string nonce;  // new for each connection: the daemon refuses a nonce it has seen
    if (addr->kind == Address::Kind::kTcp) {
      auto n = random_hex(16);
      if (!n) return Error{ErrorKind::kUnreachable, "cannot make a nonce: " + n.error().message, {}};
      nonce = *n;
      // The job is the one this shell runs in, when the address came from it; an address given by hand
      // may be any job's.
      const char* job = address.empty() ? std::getenv("COMPSS_JOB") : nullptr;
      cred = munge_credential(proto::hello_payload({impl->socket.peer_address(), job ? job : "", nonce}));
      if (cred) hello.auth = *cred;
    }
    auto during = [&](const Error& e) {
      return Error{ErrorKind::kUnreachable,
                   "cannot reach the compss runtime at " + addr->text() + ": " + e.message + " (during the handshake)",
                   {}};
    };
    auto reply = [&]() -> Result<proto::Message> {
      if (auto s = impl->send(hello); !s) return s.error();
      return impl->read_message(kHandshakeTimeoutMs);
    }();
    if (!reply) {
      // Reset or closed before a welcome: a daemon that died with this connection in its queue.
      if (reply.error().kind == ErrorKind::kLost && again()) continue;
      return reply.error().kind == ErrorKind::kProtocol ? reply.error() : during(reply.error());
    }
    if (auto s = proto::check_welcome(*reply); !s) {
      const auto* refusal = std::get_if<proto::ErrorMessage>(&*reply);
      if (!refusal) return Error{ErrorKind::kProtocol, s.error().message, {}};
      std::string message = s.error().message;
      if (refusal->code == proto::ErrorCode::kAuth && !cred) message += " (" + cred.error().message + ")";
      return Error{ErrorKind::kRefused, message, std::string(proto::word(refusal->code))};
    }
    if (!nonce.empty())
      if (auto s = check_daemon_credential(std::get<proto::Welcome>(*reply).auth, nonce); !s) return s.error();
    const auto& welcome = std::get<proto::Welcome>(*reply);
    impl->server = ServerInfo{welcome.v, welcome.prog, welcome.job};
    return Connection(std::move(impl));
  }
}

namespace {

// A submit request for `tasks` (checked, paths made absolute, a key for repeating it) and the ids each
// spec will get.
Status make_submit(const std::vector<TaskSpec>& tasks, const char* call, proto::Submit& request,
                   std::vector<std::uint64_t>& counts) {
  if (tasks.empty()) return usage(std::string(call) + ": no tasks given");
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).string();
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto& t = tasks[i];
    const std::string which = std::string(call) + ": task " + std::to_string(i);
    if (t.argv.empty()) return usage(which + " has no command (argv is empty)");
    bool relative = !t.cwd.starts_with('/');
    if (relative && ec) return usage(which + " has a relative cwd and the current directory is unknown: " + ec.message());
    if (t.array && (t.array->step == 0 || t.array->first > t.array->last))
      return usage(which + " has a bad array (first above last, or step 0)");
    request.tasks.push_back(to_wire(with_absolute_paths(t, cwd)));
    counts.push_back(task_count(t));
  }
  if (auto key = random_hex(16)) request.key = *key;  // without one a submit is not repeated
  return {};
}

}  // namespace

Result<std::vector<IdRange>> Connection::submit(const std::vector<TaskSpec>& tasks) {
  proto::Submit request;
  std::vector<std::uint64_t> counts;
  if (auto s = make_submit(tasks, "submit", request, counts); !s) return s.error();
  auto answer = impl_->call<proto::Submitted>(std::move(request));
  if (!answer) return answer.error();
  auto ids = split_ids(answer->ids, counts);
  if (!ids) return impl_->break_with(ids.error());
  return ids;
}

Result<std::uint64_t> Connection::submit_nowait(const std::vector<TaskSpec>& tasks) {
  proto::Submit request;
  std::vector<std::uint64_t> counts;
  if (auto s = make_submit(tasks, "submit_nowait", request, counts); !s) return s.error();
  std::lock_guard lock(impl_->mu);
  Impl& c = *impl_;
  if (!c.broken.empty()) return Error{ErrorKind::kLost, c.broken, {}};
  while (c.pending.size() >= kPipelineDepth)
    if (auto s = c.read_pending_answer(); !s) return s.error();
  const std::uint64_t ticket = c.next_ticket++;
  request.rid = c.next_rid++;
  c.pending.push_back(Impl::Pending{ticket, std::move(request), std::move(counts)});
  if (auto s = c.send(c.pending.back().request); !s) {
    int repeats = 0;
    if (auto r = c.resend_pending(s.error(), repeats); !r) {
      c.fail_pending(r.error());
      c.answered.erase(ticket);  // this call's error says it; no ticket was handed out
      return r.error();
    }
  }
  return ticket;
}

Result<std::vector<IdRange>> Connection::ids_of(std::uint64_t ticket) {
  std::lock_guard lock(impl_->mu);
  Impl& c = *impl_;
  while (!c.pending.empty() && c.pending.front().ticket <= ticket)
    if (auto s = c.read_pending_answer(); !s) break;  // its ticket has the error now
  auto it = c.answered.find(ticket);
  if (it == c.answered.end())
    return usage("ids_of: no submit_nowait with ticket " + std::to_string(ticket) +
                 " waits to be collected (each ticket's ids are handed over once)");
  Result<std::vector<IdRange>> ids = std::move(it->second);
  c.answered.erase(it);
  return ids;
}

Result<WaitResult> Connection::wait(const Selection& what, std::uint32_t timeout_s) {
  if (auto s = check_selection(what, true, "wait"); !s) return s.error();
  proto::Wait request;
  request.ids = to_wire(what.ids);
  if (!what.group.empty()) request.group = what.group;
  request.all = what.all;
  request.timeout_s = timeout_s;
  auto answer = impl_->call<proto::WaitResult>(std::move(request));
  if (!answer) return answer.error();
  return from_wire(*answer);
}

Result<RunStatus> Connection::status() {
  auto answer = impl_->call<proto::StatusResult>(proto::StatusQuery{});
  if (!answer) return answer.error();
  return from_wire(*answer);
}

Result<std::vector<TaskInfo>> Connection::query(const std::vector<TaskId>& ids) {
  if (ids.empty()) return usage("query: no task ids given");
  proto::Query request;
  request.ids = to_wire(Selection::of(ids).ids);
  auto answer = impl_->call<proto::QueryResult>(std::move(request));
  if (!answer) return answer.error();
  std::vector<TaskInfo> out;
  for (const auto& t : answer->tasks) out.push_back(from_wire(t));
  return out;
}

Result<std::uint64_t> Connection::cancel(const Selection& what) {
  if (auto s = check_selection(what, false, "cancel"); !s) return s.error();
  proto::Cancel request;
  request.ids = to_wire(what.ids);
  if (!what.group.empty()) request.group = what.group;
  auto answer = impl_->call<proto::Cancelled>(std::move(request));
  if (!answer) return answer.error();
  return answer->count;
}

Result<Explanation> Connection::explain(TaskId id) {
  auto answer = impl_->call<proto::Explanation>(proto::Explain{0, id});
  if (!answer) return answer.error();
  return from_wire(*answer);
}

Status Connection::resize(std::int32_t delta) {
  auto answer = impl_->call<proto::Ok>(proto::Resize{0, delta});
  if (!answer) return answer.error();
  return {};
}

Status Connection::shutdown(bool drain) {
  auto answer = impl_->call<proto::Ok>(proto::Shutdown{0, drain});
  if (!answer) return answer.error();
  return {};
}

}  // namespace compss::client

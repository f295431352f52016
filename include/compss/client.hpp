// compss/client.hpp - the C++ client of the compss runtime (libcompss-client).
//
// A Connection talks to the job's daemon (compssd) over its Unix socket or over TCP, using the wire
// protocol of doc/spec/protocol.md: it says hello, checks the welcome, then sends one request per call
// and blocks until the answer comes (submit_nowait excepted: pipelined submission).
//
// Lifecycle: Connection::connect() -> submit/wait/status/query/cancel/explain/shutdown, any number of
// times -> destruction closes the socket. A Connection is movable, not copyable.
//
// Failure: every call returns a Result; nothing throws. A refusal by the daemon (ErrorKind::kRefused,
// e.g. an --after naming an unknown task) leaves the connection usable. A compssd restarted inside its job
// (killed; its supervisor starts it again within a second or two) is waited for: connect() retries a
// refused connection for up to kReconnectSeconds, and wait/status/query/explain and submit (sent with a
// random key, so that the daemon takes it once) connect again and repeat themselves when the connection
// breaks (three times in a row at most when it breaks again at once). Otherwise, after kLost or
// kProtocol the connection is closed and every later call fails with kLost: connect again.
//
// Thread-safety: calls on one Connection are serialised by an internal mutex, so sharing one is safe,
// but a long wait() then holds up the other threads' calls. For concurrency give each thread its own
// Connection (they are cheap: one socket each).
#pragma once

#include <compss/result.hpp>
#include <compss/types.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace compss::client {

// How long a client waits for a restarting compssd (see above).
inline constexpr unsigned kReconnectSeconds = 10;

// Whether a task takes variable `name` from its submitter's environment (ExportEnv, types.hpp): false for
// the runtime's and the node's own variables (COMPSS_*, SLURM_*, OMP_NUM_THREADS, ...), which it gets from
// where it runs.
bool exported_variable(std::string_view name);

// Pipelined submits (Connection::submit_nowait) in flight on one connection, at most.
inline constexpr std::size_t kPipelineDepth = 64;

// The environment variables connect() reads when it is given no address.
inline constexpr const char* kSocketVariable = "COMPSS_SOCKET";
inline constexpr const char* kAddressVariable = "COMPSS_ADDRESS";

class Connection {
 public:
  // Connects and does the handshake. `address` is a Unix socket path ("/tmp/x/compss.sock", or
  // "unix:PATH"), or "host:port" for TCP ("tcp:host:port" also works). An empty address means: the
  // runtime of this shell, from COMPSS_SOCKET, else COMPSS_ADDRESS.
  //
  //   auto c = compss::client::Connection::connect();
  //   if (!c) { std::cerr << c.error().message << "\n"; return 3; }
  static Result<Connection> connect(std::string_view address = {});

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // The daemon's welcome (protocol version, program, SLURM job).
  //   std::cout << c->server().job << "\n";
  const ServerInfo& server() const;

  // Adds tasks to the graph, all or nothing. Returns one range per spec, in order (an array spec gets
  // one id per index, consecutive; a plain spec a range of one). Each spec needs argv. An empty cwd is
  // the caller's working directory; a relative cwd and relative in/out/inout paths are made absolute
  // here, since the daemon and its agents run elsewhere. The daemon refuses (kRefused, code "invalid")
  // an unknown `after` id or a request no node could ever hold.
  //
  //   TaskSpec t; t.argv = {"hostname"}; t.cwd = "/tmp";
  //   auto ids = c->submit({t});
  //   if (ids) std::cout << (*ids)[0].first << "\n";
  Result<std::vector<IdRange>> submit(const std::vector<TaskSpec>& tasks);

  // Pipelined submission: sends the submit and returns at once with its ticket (1, 2, ... on this
  // connection), without waiting for the answer, so that a driver submitting task after task pays one
  // round trip for many. The daemon takes a connection's requests in order, so a later submit's files
  // depend on an earlier one's as with submit(). At most kPipelineDepth submits wait for their answers; one
  // more first reads the oldest answer. ids_of(ticket) gives that submit's ids (reading answers until its
  // own has come) or its error (a refusal: kRefused), once. Any other call first reads every outstanding
  // answer. A connection that breaks is made again and every unanswered submit sent again with its key,
  // as submit() does; when that fails, each unanswered ticket's ids_of() says why.
  //
  //   std::vector<std::uint64_t> tickets;
  //   for (auto& t : members) tickets.push_back(*c->submit_nowait({t}));
  //   for (auto k : tickets) if (auto ids = c->ids_of(k)) std::cout << (*ids)[0].first << "\n";
  Result<std::uint64_t> submit_nowait(const std::vector<TaskSpec>& tasks);
  Result<std::vector<IdRange>> ids_of(std::uint64_t ticket);

  // Blocks until every selected task is final, or `timeout_s` passes (0: no limit). The result says
  // which failed or were cancelled and why; a wait whose tasks failed is still an ok Result.
  //
  //   auto w = c->wait(Selection::of({12, 13}));
  //   if (w && !w->succeeded()) for (auto& f : w->failed) std::cerr << f.id << ": " << f.reason << "\n";
  Result<WaitResult> wait(const Selection& what, std::uint32_t timeout_s = 0);

  // A snapshot of the run: tasks per state, nodes, recent events, outcome.
  //   auto s = c->status();  if (s) std::cout << s->counts.running << " running\n";
  Result<RunStatus> status();

  // Details of each task, in the order asked; an unknown id is refused (code "not-found").
  //   auto q = c->query({7});  if (q) std::cout << (*q)[0].state << "\n";
  Result<std::vector<TaskInfo>> query(const std::vector<TaskId>& ids);

  // Cancels the selected tasks and their transitive successors; returns how many became cancelled.
  // Selection::everything() is not accepted here (kUsage).
  //   auto n = c->cancel(Selection::of_group("members"));
  Result<std::uint64_t> cancel(const Selection& what);

  // Why a task is where it is (typically: why it does not run yet).
  //   auto e = c->explain(12);  if (e) std::cout << e->text << "\n";
  Result<Explanation> explain(TaskId id);

  // Asks the daemon to stop: drain=true lets running tasks finish and takes no new work; false kills them.
  //   auto st = c->shutdown();
  Status shutdown(bool drain = true);

  // Manual elasticity: +N asks for N more nodes now (bounded by max-nodes), -N drains N nodes, which are
  // given back once idle. Refused (an error saying why) when elasticity is off or nothing can be done.
  //   auto st = c->resize(+2);
  Status resize(std::int32_t delta);

 private:
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace compss::client

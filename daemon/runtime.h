// runtime.h - the heart of compssd: protocol messages in, scheduler events, decisions carried out.
//
// The Runtime owns the Scheduler, the NodeTable (node_table.h: every node life, grow request and event of
// the run) and everything else the scheduler does not keep: what each task runs (argv, working directory,
// environment; an array's spec once), which agent serves which node, what each attempt reported and who
// waits for what. It never touches a socket: peers are Endpoints (a proto::Stream in compssd, a fake in
// tests), and time is passed in. Elasticity, when the run has it, is attached as an Elasticity
// (elasticity.h): the scheduler's grow/withdraw/drain/release decisions go there, and before each decision
// pass the scheduler is told the nodes coming and the join latency from the table.
//
//   Runtime rt(cfg);
//   rt.on_agent(agent, proto::Register{...}, now);     // a node joins
//   rt.on_client(client, proto::Submit{...}, now);     // answered with Submitted (or an error)
//   rt.pump(now);                                      // decide, send assigns/kills, answer waiters
//
// The journal (journal.h, doc/spec/journal.md), when attached, gets every accepted submission and every
// state change the scheduler makes; pump() commits them (at most one transaction per 0.1 s, so one
// commit covers the batches of messages in between). With a ResumeCache
// set, a submitted task that an earlier run's journal had done, with its files as that run left them,
// becomes done (cached) without running.
//
// Lifecycle: construct; attach_journal() / set_resume() before the first message; feed messages and call
// pump() after each batch and periodically (timeouts); then begin_drain() (no new work; finish what there
// is) or stop_now() (kill everything); finished() says when compssd may stop the agents and exit;
// close_journal() and summary() at the end.
// Failure behaviour: a client request that cannot be done is answered with `error` and changes nothing; a
// message an agent may not send is answered with `error` {unexpected}. Nothing throws.
// Thread-safety: none; compssd calls it from its io_context's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/proto/env.h"
#include "common/proto/messages.h"
#include "daemon/elasticity.h"
#include "daemon/journal.h"
#include "daemon/node_table.h"
#include "scheduler/scheduler.h"

namespace compss::daemon {

// A peer the runtime sends messages to.
class Endpoint {
 public:
  virtual ~Endpoint() = default;
  virtual void send(const proto::Message& m) = 0;
  virtual const std::string& name() const = 0;
  // Drops the connection (what is queued is not sent). Its end is reported as for any closed peer.
  virtual void close(const std::string& why) = 0;
  // Sends what is queued, then closes; the end is reported when the connection is gone.
  virtual void close_after_flush(const std::string& why) { close(why); }
};

struct RuntimeConfig {
  scheduler::SchedulerConfig sched;
  std::string job_id;             // shown in welcome and the summary
  std::uint32_t heartbeat_s = 10; // agents heartbeat this often; lost after 3 silent intervals
  std::size_t max_events = 200;   // events kept for `compss status`
  std::uint32_t kill_grace_s = 5; // SIGTERM -> SIGKILL for kills of the scheduler
  // How to resume this run, for the summary of a run that ends with tasks left (resume_command() of
  // job_end.h: "sbatch --compss=resume=/w/.compss/42 /w/run.sh"); "": the summary names the job directory.
  std::string resume_command;
};

struct RunCounts {
  std::uint64_t done = 0, failed = 0, cancelled = 0, total = 0;
  std::uint64_t cached = 0;  // of done: taken from a resumed run's journal without running
};

class Runtime {
 public:
  explicit Runtime(RuntimeConfig cfg);

  void on_client(const std::shared_ptr<Endpoint>& from, proto::Message&& m, double now);
  void client_gone(const Endpoint* from);

  // An agent's messages after its hello was accepted (the first must be `register`).
  void on_agent(const std::shared_ptr<Endpoint>& from, proto::Message&& m, double now);
  void agent_gone(const Endpoint* from, const std::string& why, double now);
  void check_heartbeats(double now);

  // Decides and carries the decisions out; answers waiters whose tasks are all final.
  void pump(double now);

  void begin_drain(const std::string& why);  // no new submits; finished() once every task is final
  // Cancels what has not started and kills what runs; the summary then says how many tasks were cut and
  // how many never started, and how to resume.
  void stop_now(const std::string& why);
  bool draining() const { return draining_; }
  // Draining and no task left to finish: every task is final, or nothing runs and every task left is
  // held by the job's end (or waits for one that is): none of them could start before the job ends.
  bool finished() const;
  void send_stop_to_agents(std::uint32_t grace_s);
  std::size_t agents_connected() const { return agents_.size(); }
  // Elasticity: from now on the scheduler's elasticity decisions, agents leaving and `resize +N` go to `e`
  // (null: elasticity off; decisions are only events). compssd attaches it once the job's agents registered.
  void attach_elasticity(Elasticity* e) { elastic_ = e; }
  // The scheduler released `node`: its agent is told to stop; its leaving is not a loss. False when no
  // agent serves it.
  bool release_agent(NodeId node, std::uint32_t grace_s = 5);

  proto::Outcome outcome() const;
  RunCounts counts() const;
  std::string summary(double now) const;     // the run summary, several lines
  void add_event(double now, std::string text);  // a note for `compss status` and the log
  NodeTable& nodes() { return table_; }
  const NodeTable& nodes() const { return table_; }
  const scheduler::Scheduler& scheduler() const { return sched_; }
  std::uint64_t assigns_sent() const { return assigns_sent_; }

  // --- the job's end (runtime_job_end.cc) -------------------------------------------------------------
  // When the job ends (its time limit), in the run's seconds; nullopt: not known or no limit. The
  // scheduler holds the tasks that declare a length that would not end before it (Scheduler::set_job_end);
  // an event says when the end is first known and when it moves, and another when tasks are held.
  void set_job_end(std::optional<double> end, double now);

  // --- a restart inside the same job (runtime_restart.cc; doc/spec/journal.md, section 6) -------------
  // Rebuilds the run from its own journal, read back by a compssd restarted in the same job: every spec
  // submitted again (the same task ids), the tasks the journal shows done done again, failed or cancelled
  // ones cancelled (their successors with them), the rest ready: to run, or to be adopted when their agent
  // registers again with them (agent_register). An error when the journal does not give the same ids.
  Status restore(const Replay& r, double now);
  // While held, pump() places nothing: a restarted compssd first waits for its agents to come back.
  void hold_placement(bool hold, double now = 0) {
    hold_ = hold;
    held_until_ = now;
  }
  std::uint64_t restored() const { return restored_; }
  std::uint64_t adopted() const { return adopted_; }

  // --- the journal and resume (runtime_journal.cc) ---------------------------------------------------
  // Records the run into `j` from now on. A write error stops it: reported once as an event, a log line
  // and a summary line; the run goes on without it.
  void attach_journal(std::unique_ptr<Journal> j);
  // The summary's journal line when none is attached ("off (--no-journal)", why it could not be made).
  void set_journal_note(std::string note) { journal_note_ = std::move(note); }
  // Called once when the journal stops (a full disk, a failed write): from then on the journal lacks what
  // the run takes, and a restart from it would lose that (compssd tells its supervisor).
  void on_journal_stopped(std::function<void()> f) { journal_stopped_hook_ = std::move(f); }
  // Submitted tasks are matched against `cache` (doc/spec/journal.md, "The cache rule").
  void set_resume(std::unique_ptr<ResumeCache> cache) { resume_ = std::move(cache); }
  // Records the changes not recorded yet; commits them when the open transaction is old enough
  // (JournalOptions::commit_interval_s). pump() calls it.
  void flush_journal(double now);
  void close_journal(double now);  // records and commits what is left, then closes the database
  bool journal_writing() const { return journal_ && journal_->writing(); }

 private:
  struct Launch {            // what a task runs; one per submitted spec (an array's tasks share one)
    std::vector<std::string> argv;
    std::string cwd;
    std::vector<std::string> env;
    std::vector<std::string> env_unset;  // the job's variables its submitter no longer had (--export=ALL)
    bool array = false;
    bool mpi = false;  // one MPI program over its ranks: the first node's agent runs it as a SLURM step
  };
  struct Attempt {           // what the last attempt of a task reported
    std::uint32_t node = UINT32_MAX;  // NodeId value
    std::int32_t exit_code = -1;
    std::uint16_t signal = 0;
    std::uint16_t attempts = 0;
    std::uint32_t binding = 0;  // index in bindings_ of where the last attempt was placed; 0: none yet
  };
  struct Agent {
    std::shared_ptr<Endpoint> endpoint;
    std::string node;
    NodeId id;
    double last_heard = 0;
    bool registered = false;
  };
  struct Waiter {
    std::weak_ptr<Endpoint> to;
    std::uint64_t rid = 0;
    enum class Kind { kIds, kGroup, kAll } kind = Kind::kIds;
    std::vector<TaskId> ids;
    GroupId group;
    double deadline = 0;     // 0: none
  };

  // runtime_client.cc
  void submit(Endpoint& to, proto::Submit&& m, double now);
  // Adds a checked submit's tasks (journaled); their ids, or the scheduler's error (earlier specs stay).
  Result<std::vector<std::uint64_t>> add_tasks(proto::Submit&& m, double now);
  Status check_submit(const proto::Submit& m) const;
  Result<scheduler::TaskSpec> to_sched_spec(const proto::TaskSpec& t) const;
  void wait(const std::shared_ptr<Endpoint>& to, proto::Wait&& m, double now);
  void status(Endpoint& to, const proto::StatusQuery& m) const;
  void query(Endpoint& to, const proto::Query& m) const;
  void cancel(Endpoint& to, const proto::Cancel& m, double now);
  void explain(Endpoint& to, const proto::Explain& m) const;
  void shutdown(Endpoint& to, const proto::Shutdown& m, double now);
  void resize(Endpoint& to, const proto::Resize& m, double now);
  Status drain_by_hand(std::uint32_t count, double now);
  Result<std::vector<TaskId>> resolve_ids(const proto::IdList& ids) const;
  bool answer_if_ready(Waiter& w, double now);
  proto::TaskIssue issue(TaskId t) const;
  proto::TaskInfo info(TaskId t) const;

  // runtime_agent.cc
  void agent_register(const std::shared_ptr<Endpoint>& from, proto::Register&& m, double now);
  void agent_finished(Agent& a, const proto::Finished& m, double now);
  void adopt_or_kill(Agent& a, const proto::RunningTask& r, double now);  // runtime_restart.cc
  // The deferred take-overs whose predecessors are done now; those still pending kDeferGraceS after the
  // hold was lifted are killed (their predecessors run again).
  void adopt_deferred(double now);
  static constexpr double kDeferGraceS = 5;
  void start(const scheduler::StartTask& s, double now);
  void kill(const scheduler::KillTask& k);
  Agent* agent_of(const Endpoint* e);
  Agent* agent_on(NodeId node);
  void node_lost(Agent& a, const std::string& why, double now);
  void decision_event(const scheduler::Decision& d, double now);  // and drains applied to the node's life
  // An agent could not store a task's output (a full disk): said once as an event, counted for the summary.
  void output_lost(TaskId t, const std::string& node, const std::string& why, double now);
  void set_draining(NodeId node, bool draining, const std::string& why, double now);

  // runtime_job_end.cc
  // Tasks not finished when the run stopped (or ended with held tasks only).
  struct Left {
    std::uint64_t cut = 0;            // started at least once, not finished
    std::uint64_t never_started = 0;  // never started in this run
    std::uint64_t held = 0;           // of never_started: held by the job's end
  };
  Left count_left() const;
  void note_held(double now);
  std::string left_summary() const;

  // runtime_journal.cc
  void submitted(std::uint32_t launch, const proto::TaskSpec& t, const std::vector<std::uint64_t>& after,
                 TaskId first, std::uint32_t count, double now, const std::vector<std::uint8_t>* msg);
  std::uint64_t fingerprint(TaskId t, std::uint64_t launch_prefix) const;
  bool take_cached(TaskId t, std::uint64_t fp, const std::vector<std::uint64_t>& after);
  void journal_changes(double now, const proto::Finished* finished = nullptr);
  void journal_files(TaskId t);
  void journal_stopped(double now, const std::string& why);

  std::string node_name(NodeId n) const;
  std::string task_label(TaskId t) const;  // "12 (sim)"

  RuntimeConfig cfg_;
  scheduler::Scheduler sched_;
  std::vector<TaskId> steps_running_;  // MPI tasks started and not finished: a lost node of theirs kills them
  std::vector<Launch> launches_;
  std::vector<std::uint32_t> launch_of_;   // per task: index in launches_
  std::vector<Attempt> attempts_;          // per task
  std::unordered_map<std::uint32_t, std::string> reasons_;  // per task that failed: why, for a person
  // Each distinct binding text ("n1 (cores 3)") once, for compss explain of tasks that ran: a run of
  // a million tasks on a few nodes holds a few hundred strings and 4 bytes per task.
  std::vector<std::string> bindings_{std::string()};
  std::unordered_map<std::string, std::uint32_t> binding_ids_;
  std::unordered_map<const Endpoint*, Agent> agents_;
  NodeTable table_;
  proto::EnvMap job_env_;  // compssd's environment when it started: what --export is relative to
  Elasticity* elastic_ = nullptr;
  std::vector<Waiter> waiters_;
  std::vector<scheduler::Decision> decisions_;
  bool draining_ = false;
  bool agents_stopped_ = false;  // stop sent: agents leaving is the end of the run, not a loss
  std::string drain_why_;
  std::uint64_t assigns_sent_ = 0;
  double last_now_ = 0;               // the `now` of the last pump
  std::uint64_t output_lost_ = 0;     // tasks whose output an agent could not store
  std::string first_output_lost_;     // the first of them, with why
  std::optional<double> job_end_;     // as set_job_end() gave it
  std::uint64_t held_noted_ = 0;      // held tasks the last event counted
  std::optional<Left> stopped_left_;  // counted by stop_now()
  double stopped_at_ = 0;
  std::string stop_why_;

  std::unique_ptr<Journal> journal_;
  std::function<void()> journal_stopped_hook_;
  std::string journal_note_;                        // for the summary
  std::vector<scheduler::StateChange> changes_;     // made by the scheduler, not in the journal yet
  std::unique_ptr<ResumeCache> resume_;
  bool hold_ = false;            // hold_placement()
  struct Deferred {              // a task an agent came back with while its predecessors' reports are due
    std::weak_ptr<Endpoint> agent;
    proto::RunningTask task;
  };
  std::vector<Deferred> deferred_;  // settled by adopt_deferred(), at the latest kDeferGraceS after the hold
  double held_until_ = 0;
  std::unordered_map<std::string, std::vector<std::uint64_t>> submit_keys_;  // submit.key -> its ids
  std::uint64_t restored_ = 0;   // tasks restore() found done in the journal
  std::uint64_t adopted_ = 0;    // running tasks taken over from agents after a restart
  std::unordered_map<std::uint32_t, std::uint32_t> cached_from_;  // cached task -> its task in the journal
  std::unordered_set<std::string> rerun_writes_, rerun_reads_;  // resume: files of tasks that run again
};

}  // namespace compss::daemon

// spank_compss.cc - the SPANK plugin: `--compss[=key=value,...]` for sbatch, srun and salloc.
//
// A thin shim: it checks the option at submission and, in the job, starts compssd before the user's program
// and stops it after. No scheduling logic lives here. Everything the plugin does happens only when the job
// asked for --compss; otherwise every callback returns at once (g_requested is false).
//
// Where each callback runs (SLURM 22.05, observed on the test cluster) and what it does here:
//
//   sbatch / salloc  (ALLOCATOR, in the client, as the user)
//     slurm_spank_init ............ parse plugstack arguments, register --compss
//     option callback ............. remember the value
//     slurm_spank_init_post_opt ... salloc: refuse (see below). sbatch: check the value (parser, site limit,
//                                   controller settings for elastic=merge); an error stops the submission
//                                   before the job is queued
//   srun  (LOCAL, in the client, as the user)
//     slurm_spank_init, option callback, slurm_spank_init_post_opt: the same check as sbatch; skipped when
//     srun runs inside a runtime already (COMPSS_JOB_DIR set: the option is inherited from the batch env)
//   slurmstepd of the batch step or of an srun step, on each node  (REMOTE, root)
//     slurm_spank_init ............ register --compss (the remote option callback then gets the value)
//     slurm_spank_init_post_opt ... note whether the step runs inside a runtime already (COMPSS_JOB_DIR or
//                                   COMPSS_RUNTIME_STEP in the step's environment: compssd's own agent step,
//                                   `srun compss ...` lines of a --compss script): then nothing more is done
//     slurm_spank_task_init ....... in the task process, after SLURM switched to the user and set up stdio
//                                   (stdout = the job's output file), before exec. Batch step, or task 0 of
//                                   an srun step: start compssd (not daemonized, signals reset), wait for
//                                   "ready", export COMPSS_SOCKET/COMPSS_ADDRESS/COMPSS_JOB_DIR with
//                                   spank_setenv (this process's copy of the job environment is what exec
//                                   receives)
//     slurm_spank_task_exit ....... in slurmstepd when that task (the script, the driver) ended: SIGUSR1 to
//                                   compssd (finish the remaining tasks, write the summary, exit), wait up to
//                                   finish_timeout (asking slurmctld once a second whether the job was
//                                   cancelled meanwhile: then SIGTERM), then SIGTERM/SIGKILL whatever of the
//                                   runtime is left; batch jobs: cancel the grow helper jobs compssd left
//                                   (compss-grow-<job>, when compssd was killed before its shutdown)
//     slurm_spank_exit ............ the same clean-up once more, without waiting (nothing of ours survives)
//
// The other tasks of such a step wait (up to ready_timeout) for compssd's <job-dir>/env and get COMPSS_ADDRESS
// and COMPSS_JOB_DIR from it, so a driver of several tasks reaches the runtime from every node.
// Why srun steps use task 0 and not srun's slurm_spank_local_user_init: in the LOCAL context spank_setenv is
// refused (ESPANK_NOT_REMOTE), so the driver could not be given COMPSS_*; compssd would run on the submit
// host, outside the step, and only srun's exit could stop it. In task 0 it is the same path as a batch job.
// Why salloc refuses: ALLOCATOR context has no callback after the allocation is granted and before the
// shell starts, and the shell is not a SLURM task (no REMOTE context), so there is no clean place to start
// or stop a runtime; `srun --compss -n1 ./driver.sh` inside the allocation does it per step.
//
// Failure behaviour: a bad value stops sbatch/srun with the parser's message; a compssd that does not start
// fails the job's task with the reason in the job's output. No C++ exception crosses an entry point (each is
// wrapped in guarded()).
// Thread-safety: SPANK calls are sequential within a process; the globals below are per process.
#include <errno.h>
#include <stdint.h>  // spank.h is not self-contained
#include <slurm/slurm.h>
#include <unistd.h>
extern "C" {  // spank.h declares the entry points without C linkage of its own
#include <slurm/spank.h>
}

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/util/runtime_options.h"
#include "common/util/spawn.h"
#include "spank-plugin/daemon_launch.h"
#include "spank-plugin/plugstack_args.h"
#include "spank-plugin/runtime_procs.h"
#include "spank-plugin/submit_check.h"

extern "C" {
// SPANK_PLUGIN(compss, 1) written out: in C++ a namespace-scope const has internal linkage.
extern const char plugin_name[] = "compss";
extern const char plugin_type[] = "spank";
extern const unsigned int plugin_version = SLURM_VERSION_NUMBER;
extern const unsigned int spank_plugin_version = 1;
}

namespace {

using namespace compss;
using namespace compss::spank;

constexpr const char* kOptionEnv = "SLURM_SPANK__SLURM_SPANK_OPTION_compss_compss";

PlugstackArgs g_site;
bool g_requested = false;     // --compss was given (or inherited)
std::string g_value;          // its value; "" for plain --compss
bool g_inside_runtime = false;  // REMOTE: this step belongs to a runtime already
bool g_owns_runtime = false;    // REMOTE: this slurmstepd ran task_exit for the runtime's task

template <class F>
int guarded(const char* where, F&& body);

int on_option(int, const char* optarg, int) {
  return guarded("option", [&] {
    g_requested = true;
    g_value = optarg ? optarg : "";
    return 0;
  });
}

// The one table of options.
struct spank_option g_options[] = {
    {const_cast<char*>("compss"), const_cast<char*>("[key=value,...]"),
     const_cast<char*>("Run the job's script (or this srun step) under the COMPSs elastic task-graph runtime: "
                       "max-nodes=N,min-nodes=N,elastic=auto|merge|helper|off,idle=T,"
                       "policy=fifo|priority|critical-path,config=FILE (man spank-compss)"),
     2, 0, on_option},
    SPANK_OPTIONS_TABLE_END};

template <class F>
int guarded(const char* where, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    slurm_error("spank_compss: %s: %s", where, e.what());
  } catch (...) {
    slurm_error("spank_compss: %s: unexpected error", where);
  }
  return -1;
}

bool is_salloc() { return std::strcmp(program_invocation_short_name, "salloc") == 0; }

ControllerFacts controller_facts() {
  ControllerFacts f;
  slurm_conf_t* conf = nullptr;
  if (slurm_load_ctl_conf(static_cast<time_t>(0), &conf) != SLURM_SUCCESS || !conf) return f;
  f.known = true;
  auto str = [](const char* s) { return std::string(s ? s : ""); };
  f.conf = {str(conf->cluster_name), str(conf->sched_params), str(conf->accounting_storage_type),
            str(conf->task_plugin)};
  slurm_free_ctl_conf(conf);
  return f;
}

int check_at_submission() {
  if (std::getenv("COMPSS_JOB_DIR") || std::getenv("COMPSS_RUNTIME_STEP")) return 0;  // inherited, checked then
  if (spank_context() == S_CTX_ALLOCATOR && is_salloc()) {
    slurm_error("--compss is not supported by salloc (the interactive shell is not a SLURM task, so there is no "
                "clean place to start and stop the runtime); inside the allocation run "
                "`srun --compss -n1 ./driver.sh` instead");
    return -1;
  }
  auto parsed = parse_runtime_options(g_value);
  ControllerFacts facts;
  if (parsed && parsed->elastic == ElasticMode::kMerge) facts = controller_facts();
  auto checked = check_submission(g_value, g_site, facts);
  if (!checked) {
    slurm_error("%s", checked.error().message.c_str());
    return -1;
  }
  return 0;
}

bool remote_env_has(spank_t sp, const char* name) {
  char buf[8];
  const spank_err_t rc = spank_getenv(sp, name, buf, sizeof buf);
  return rc == ESPANK_SUCCESS || rc == ESPANK_NOSPACE;
}

struct StepIds {
  uint32_t job = 0, step = 0, task = 0;
  uid_t uid = 0;
  bool batch() const { return step == SLURM_BATCH_SCRIPT; }
  std::string tag() const { return std::to_string(job) + (batch() ? "" : "." + std::to_string(step)); }
  std::string marker() const {
    return std::string("COMPSS_RUNTIME_STEP=") + std::to_string(job) + "." + (batch() ? "batch" : std::to_string(step));
  }
};

StepIds step_ids(spank_t sp, bool with_task) {
  StepIds s;
  spank_get_item(sp, S_JOB_ID, &s.job);
  spank_get_item(sp, S_JOB_STEPID, &s.step);
  spank_get_item(sp, S_JOB_UID, &s.uid);
  if (with_task) spank_get_item(sp, S_TASK_GLOBAL_ID, &s.task);
  return s;
}

std::string job_dir_for(const StepIds& s) {
  if (!g_site.jobdir_root.empty()) return g_site.jobdir_root + "/" + s.tag();
  char cwd[4096];
  const std::string base = ::getcwd(cwd, sizeof cwd) ? cwd : ".";
  return base + "/.compss/" + s.tag();
}

std::string job_path_var(spank_t sp) {
  char buf[8192];
  return spank_getenv(sp, "PATH", buf, sizeof buf) == ESPANK_SUCCESS ? buf : "";
}

std::vector<std::string> job_env(spank_t sp) {
  std::vector<std::string> env;
  char** e = nullptr;
  if (spank_get_item(sp, S_JOB_ENV, &e) == ESPANK_SUCCESS && e)
    for (; *e; ++e) env.emplace_back(*e);
  return env;
}

// The task's standard error is the job's: a reason written there is what the user reads.
int refuse_task(const std::string& why) {
  std::fprintf(stderr, "%s\n", why.c_str());
  std::fflush(stderr);
  slurm_error("%s", why.c_str());
  return -1;
}

// The other tasks of an `srun --compss -n N` step reach task 0's runtime over TCP: they get COMPSS_ADDRESS and
// COMPSS_JOB_DIR (not the socket, which lives on task 0's node) once compssd has written its env file.
int join_runtime(spank_t sp, const StepIds& s) {
  auto vars = wait_env_file(job_dir_for(s) + "/env", g_site.ready_timeout_s * 1000);
  if (!vars) return refuse_task(vars.error().message);
  for (const auto& kv : *vars) {
    const auto eq = kv.find('=');
    const std::string key = kv.substr(0, eq);
    if (key != "COMPSS_SOCKET") spank_setenv(sp, key.c_str(), kv.substr(eq + 1).c_str(), 1);
  }
  return 0;
}

int start_runtime(spank_t sp) {
  const StepIds s = step_ids(sp, true);
  if (!s.batch() && s.task != 0) return join_runtime(sp, s);
  auto opts = check_submission(g_value, g_site, ControllerFacts{});
  if (!opts) return refuse_task(opts.error().message);
  DaemonLaunch l;
  l.compssd = resolve_compssd(g_site.compssd, job_path_var(sp));
  l.options = to_string(*opts);
  l.job_dir = job_dir_for(s);
  l.socket = "/tmp/compss-" + std::to_string(::getuid()) + "/" + s.tag() + "/compssd.sock";
  l.ready_timeout_s = g_site.ready_timeout_s;
  l.restarts = g_site.restarts;
  // SLURM_EXPORT_ENV goes: with `sbatch --export=NONE` compssd's own srun (the agents) would otherwise start
  // the agents in a fresh login environment, without the PATH and the secret compssd hands them.
  l.env = env_with(job_env(sp), {s.marker(), "COMPSS_JOB_DIR=" + l.job_dir}, {kOptionEnv, "SLURM_EXPORT_ENV"});
  auto pid = start_compssd(l);
  if (!pid) {
    kill_runtime(::getuid(), s.marker());
    return refuse_task(pid.error().message);
  }
  auto vars = read_env_file(l.job_dir + "/env");
  if (!vars) return refuse_task(vars.error().message);
  for (const auto& kv : *vars) {
    const auto eq = kv.find('=');
    spank_setenv(sp, kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
  }
  return 0;
}

// Asked while compssd finishes the remaining tasks: has the job ended meanwhile (scancel, time limit)?
// A controller that does not answer is not a reason to give up.
bool job_ended(uint32_t job) {
  job_info_msg_t* msg = nullptr;
  if (slurm_load_job(&msg, job, SHOW_ALL) != SLURM_SUCCESS || !msg) return false;
  bool ended = false;
  if (msg->record_count > 0) {
    const uint32_t base = msg->job_array[0].job_state & JOB_STATE_BASE;
    ended = base != JOB_RUNNING && base != JOB_PENDING && base != JOB_SUSPENDED;
  }
  slurm_free_job_info_msg(msg);
  return ended;
}

// The grow helper jobs compssd made for `job` (named compss-grow-<job>, owned by `uid`) that are still
// pending or running once compssd is gone: a compssd that was killed, or did not finish its shutdown,
// cancels none, and a helper of a job without a time limit has none either. Returns how many it cancelled.
int cancel_leftover_helpers(uint32_t job, uid_t uid) {
  job_info_msg_t* msg = nullptr;
  if (slurm_load_job_user(&msg, uid, SHOW_ALL) != SLURM_SUCCESS || !msg) return 0;
  const std::string name = "compss-grow-" + std::to_string(job);
  int n = 0;
  for (uint32_t i = 0; i < msg->record_count; ++i) {
    const slurm_job_info_t& j = msg->job_array[i];
    const uint32_t base = j.job_state & JOB_STATE_BASE;
    if (!j.name || name != j.name || (base != JOB_PENDING && base != JOB_RUNNING && base != JOB_SUSPENDED)) continue;
    if (slurm_kill_job(j.job_id, SIGKILL, 0) == SLURM_SUCCESS) ++n;
  }
  slurm_free_job_info_msg(msg);
  return n;
}

int stop_runtime_of(spank_t sp) {
  const StepIds s = step_ids(sp, true);
  if (!s.batch() && s.task != 0) return 0;
  g_owns_runtime = true;
  const StopReport r = stop_runtime(s.uid, s.marker(), resolve_compssd(g_site.compssd, job_path_var(sp)),
                                    g_site.finish_timeout_s, 2000, [&] { return job_ended(s.job); });
  // Batch jobs only: the steps of one allocation share its job id, so one step's helpers are not told
  // from another's.
  if (s.batch())
    if (const int n = cancel_leftover_helpers(s.job, s.uid); n > 0)
      slurm_error("spank_compss: job %u: %d grow helper job(s) were left by the runtime; cancelled", s.job, n);
  if (r.daemons == 0 && r.terminated == 0) return 0;
  if (r.cancelled)
    slurm_info("spank_compss: job %u ended while compssd finished its tasks; compssd stopped after %.1f s",
               s.job, r.waited_s);
  else if (r.finished)
    slurm_info("spank_compss: job %u: compssd finished %.1f s after the %s ended; %d leftover process(es) stopped",
               s.job, r.waited_s, s.batch() ? "batch script" : "step's task 0", r.terminated);
  else
    slurm_error("spank_compss: job %u: compssd did not finish within finish_timeout=%u s; %d process(es) killed",
                s.job, g_site.finish_timeout_s, r.terminated);
  return 0;
}

std::vector<std::string> args_of(int ac, char** av) {
  std::vector<std::string> out;
  for (int i = 0; i < ac; ++i) out.emplace_back(av[i]);
  return out;
}

}  // namespace

extern "C" {

int slurm_spank_init(spank_t sp, int ac, char** av) {
  return guarded("init", [&] {
    const spank_context_t ctx = spank_context();
    auto site = parse_plugstack_args(args_of(ac, av), COMPSS_DEFAULT_COMPSSD);
    g_site = site.config;
    // Users of sbatch/srun see site mistakes only with -v; the daemons' logs always get them.
    for (const auto& e : site.errors) {
      if (ctx == S_CTX_ALLOCATOR || ctx == S_CTX_LOCAL)
        slurm_verbose("%s", e.c_str());
      else
        slurm_error("%s", e.c_str());
    }
    if (ctx != S_CTX_ALLOCATOR && ctx != S_CTX_LOCAL && ctx != S_CTX_REMOTE) return 0;
    for (auto* o = g_options; o->name; ++o)
      if (spank_option_register(sp, o) != ESPANK_SUCCESS) {
        slurm_error("spank_compss: cannot register --%s", o->name);
        return -1;
      }
    return 0;
  });
}

int slurm_spank_init_post_opt(spank_t sp, int, char**) {
  if (!g_requested) return 0;
  return guarded("init_post_opt", [&] {
    const spank_context_t ctx = spank_context();
    if (ctx == S_CTX_ALLOCATOR || ctx == S_CTX_LOCAL) return check_at_submission();
    if (ctx == S_CTX_REMOTE)
      g_inside_runtime = remote_env_has(sp, "COMPSS_JOB_DIR") || remote_env_has(sp, "COMPSS_RUNTIME_STEP");
    return 0;
  });
}

// REMOTE: the option as the task sees it. With `sbatch --export=NONE` neither the option callback nor
// spank_option_getopt sees the option in slurmstepd (observed, SLURM 22.05), although the job environment
// carries it as SLURM_SPANK__SLURM_SPANK_OPTION_compss_compss by task_init: read it there. Costs one
// environment lookup per task of a job without --compss.
bool requested_here(spank_t sp) {
  if (g_requested) return true;
  char value[4096];
  if (spank_getenv(sp, kOptionEnv, value, sizeof value) != ESPANK_SUCCESS) return false;
  g_requested = true;
  // A plain --compss travels as the text "(null)" there.
  g_value = std::strcmp(value, "(null)") == 0 ? "" : value;
  g_inside_runtime = remote_env_has(sp, "COMPSS_JOB_DIR") || remote_env_has(sp, "COMPSS_RUNTIME_STEP");
  return true;
}

int slurm_spank_task_init(spank_t sp, int, char**) {
  if (!requested_here(sp) || g_inside_runtime) return 0;
  return guarded("task_init", [&] { return start_runtime(sp); });
}

int slurm_spank_task_exit(spank_t sp, int, char**) {
  if (!requested_here(sp) || g_inside_runtime) return 0;
  return guarded("task_exit", [&] { return stop_runtime_of(sp); });
}

int slurm_spank_exit(spank_t sp, int, char**) {
  if (!g_requested || g_inside_runtime || !g_owns_runtime || spank_context() != S_CTX_REMOTE) return 0;
  return guarded("exit", [&] {
    const StepIds s = step_ids(sp, false);
    if (int n = kill_runtime(s.uid, s.marker()); n > 0)
      slurm_error("spank_compss: job %u: %d process(es) of the runtime were still there at the step's end; killed",
                  s.job, n);
    return 0;
  });
}

}  // extern "C"

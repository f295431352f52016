/* compss/client.h - the C client of the compss runtime (libcompss-client).
 *
 * Lifecycle: compss_connect() -> compss_submit / compss_wait / compss_status / compss_query /
 * compss_cancel / compss_explain / compss_shutdown, any number of times -> compss_disconnect().
 * Results that carry lists (wait, status, query, explain) are allocated by the library and released with
 * their own compss_*_free() function.
 *
 * Failure: every function returns a compss_rc (COMPSS_OK is 0). On failure it writes a message for a
 * person into the caller's buffer `err` of `err_len` bytes (always NUL-terminated, truncated to fit;
 * `err` may be NULL) and leaves its outputs untouched. COMPSS_REFUSED (the daemon said no) leaves the
 * connection usable; after COMPSS_LOST or COMPSS_PROTOCOL every later call fails with COMPSS_LOST.
 * Nothing is thrown through this API.
 *
 * Thread-safety: calls on one compss_client are serialised by a mutex inside it, so it may be shared,
 * but a long compss_wait() then holds up the other threads' calls; give each thread its own client for
 * concurrency. compss_disconnect() must not race with other calls on the same client.
 *
 * Everything below follows doc/spec/protocol.md of the project; the field defaults are the protocol's.
 */
#ifndef COMPSS_CLIENT_H
#define COMPSS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum compss_rc {
  COMPSS_OK = 0,
  COMPSS_TASKS_FAILED = 1, /* compss_wait: some awaited task failed, was cancelled, or the wait timed out */
  COMPSS_USAGE = 2,        /* a bad argument: nothing was sent */
  COMPSS_UNREACHABLE = 3,  /* no runtime: address unset or malformed, connect or handshake failed */
  COMPSS_REFUSED = 4,      /* the daemon refused the request; the message is the daemon's */
  COMPSS_LOST = 5,         /* the connection broke */
  COMPSS_PROTOCOL = 6,     /* the daemon sent something this library does not understand */
  COMPSS_NO_MEMORY = 7     /* an allocation failed */
} compss_rc;

typedef struct compss_client compss_client; /* one connection to the daemon */
typedef uint64_t compss_task_id;

typedef struct compss_id_range {
  compss_task_id first, last; /* inclusive; first == last for a single task */
} compss_id_range;

typedef enum compss_on_failure {
  COMPSS_ON_FAILURE_RETRY = 0,
  COMPSS_ON_FAILURE_CANCEL_SUCCESSORS = 1,
  COMPSS_ON_FAILURE_FAIL = 2,
  COMPSS_ON_FAILURE_IGNORE = 3
} compss_on_failure;

typedef struct compss_amount {
  const char* name;
  uint64_t amount;
} compss_amount;

/* A task to submit. Fill it with compss_task_spec_init() first, then set what you need; the library
 * only reads it during compss_submit() and keeps no pointer into it. */
typedef struct compss_task_spec {
  const char* name;        /* NULL or "": named after argv[0] */
  const char* const* argv; /* argc strings; required */
  size_t argc;
  const char* cwd;        /* NULL: the caller's working directory */
  const char* const* env; /* KEY=VALUE */
  size_t n_env;
  const char* const* in; /* files read; relative paths are made absolute against cwd */
  size_t n_in;
  const char* const* out; /* files written */
  size_t n_out;
  const char* const* inout; /* files read and written */
  size_t n_inout;
  const compss_task_id* after; /* explicit dependencies */
  size_t n_after;
  uint32_t cpus;   /* cores per rank (default 1) */
  uint64_t memory; /* bytes per rank (0: no request) */
  uint32_t gpus;
  uint32_t nodes;          /* default 1; 0: as many as placement needs */
  uint32_t ranks;          /* default 1 */
  uint32_t ranks_per_node; /* 0: as placement finds room */
  int mpi;                 /* non-zero: an MPI program */
  const compss_amount* custom;
  size_t n_custom;
  uint32_t time_limit_s;
  compss_on_failure on_failure;
  int64_t retries; /* < 0: the daemon's default */
  uint32_t timeout_s;
  int32_t priority;
  const char* group; /* NULL or "": no group */
  int has_array;     /* non-zero: one task per index of array_first..array_last by array_step */
  uint64_t array_first, array_last, array_step;
} compss_task_spec;

/* Which tasks a wait or cancel is about: exactly one of a non-empty ids list, a group, or all. */
typedef struct compss_selector {
  const compss_task_id* ids;
  size_t n_ids;
  const char* group;
  int all; /* not accepted by compss_cancel */
} compss_selector;

typedef struct compss_task_issue {
  compss_task_id id;
  char* name;
  char* reason;
} compss_task_issue;

typedef struct compss_wait_result {
  uint64_t done;
  compss_task_issue* failed;
  size_t n_failed;
  compss_task_issue* cancelled;
  size_t n_cancelled;
  int timed_out;
  uint64_t pending;
} compss_wait_result;

typedef struct compss_node_info {
  char* name;
  char* state; /* joining, up, quarantined, draining, stopping, releasing, released, lost, ended */
  uint32_t cores, busy;
} compss_node_info;

typedef struct compss_run_status {
  uint64_t pending, ready, scheduled, running, done, failed, cancelled;
  compss_node_info* nodes;
  size_t n_nodes;
  char** events; /* the recent events as sentences, oldest first */
  size_t n_events;
  char* outcome; /* running, succeeded, failed */
} compss_run_status;

typedef struct compss_task_info {
  compss_task_id id;
  char* name;
  char* state;
  char* node;
  int has_exit_code;
  int32_t exit_code;
  uint32_t signal;
  uint32_t attempts;
  char* reason;
} compss_task_info;

typedef struct compss_explanation {
  compss_task_id id;
  char* text;
  char** items;
  size_t n_items;
} compss_explanation;

/* Connects to `address` (a Unix socket path, "unix:PATH", "host:port" or "tcp:host:port"; NULL or "":
 * COMPSS_SOCKET, else COMPSS_ADDRESS) and does the handshake.
 *
 *   char err[256];
 *   compss_client *c;
 *   if (compss_connect(NULL, &c, err, sizeof err) != COMPSS_OK) { fprintf(stderr, "%s\n", err); exit(3); }
 */
int compss_connect(const char* address, compss_client** out, char* err, size_t err_len);

/* Closes the connection and frees the client; NULL is ignored.
 *   compss_disconnect(c);
 */
void compss_disconnect(compss_client* client);

/* Fills `spec` with the protocol's defaults (one core, one rank, one node, retry, daemon's retries).
 *   compss_task_spec t; compss_task_spec_init(&t);
 */
void compss_task_spec_init(compss_task_spec* spec);

/* Submits `n` tasks, all or nothing; `ids` (room for n) receives one range per spec.
 *
 *   const char *argv[] = {"./simulate", "3"};
 *   compss_task_spec t; compss_task_spec_init(&t);
 *   t.argv = argv; t.argc = 2; t.cpus = 4;
 *   compss_id_range id;
 *   if (compss_submit(c, &t, 1, &id, err, sizeof err) == COMPSS_OK) printf("%llu\n", (unsigned long long)id.first);
 */
int compss_submit(compss_client* client, const compss_task_spec* specs, size_t n, compss_id_range* ids, char* err,
                  size_t err_len);

/* Pipelined submission: sends `n` tasks as one submit and returns at once, without waiting for the answer;
 * *ticket (1, 2, ... on this connection) names it. The daemon takes a connection's submits in order, so
 * file dependencies between them hold. compss_submit_ids() gives a ticket's ids once, `n` ranges (as many
 * as its specs), waiting for its answer if it has not come; a refused submit is COMPSS_REFUSED there. At
 * most 64 submits wait for answers; one more first reads the oldest answer. Any other call first reads
 * every outstanding answer.
 *
 *   uint64_t tickets[100];
 *   for (int i = 0; i < 100; i++) compss_submit_nowait(c, &member[i], 1, &tickets[i], err, sizeof err);
 *   for (int i = 0; i < 100; i++) compss_submit_ids(c, tickets[i], &ids[i], 1, err, sizeof err);
 */
int compss_submit_nowait(compss_client* client, const compss_task_spec* specs, size_t n, uint64_t* ticket, char* err,
                         size_t err_len);
int compss_submit_ids(compss_client* client, uint64_t ticket, compss_id_range* ids, size_t n, char* err,
                      size_t err_len);

/* Waits until the selected tasks are final (timeout_s 0: no limit). Returns COMPSS_OK when all of them
 * succeeded, COMPSS_TASKS_FAILED when some failed, were cancelled or the wait timed out; in both cases
 * *out is set (free it with compss_wait_result_free). `out` may be NULL when only the verdict matters.
 *
 *   compss_selector all = {0}; all.all = 1;
 *   compss_wait_result *w;
 *   int rc = compss_wait(c, &all, 0, &w, err, sizeof err);
 *   if (rc == COMPSS_TASKS_FAILED) for (size_t i = 0; i < w->n_failed; i++) puts(w->failed[i].reason);
 *   compss_wait_result_free(w);
 */
int compss_wait(compss_client* client, const compss_selector* what, uint32_t timeout_s, compss_wait_result** out,
                char* err, size_t err_len);
void compss_wait_result_free(compss_wait_result* result);

/* A snapshot of the run.
 *   compss_run_status *s;
 *   if (compss_status(c, &s, err, sizeof err) == COMPSS_OK) { printf("%llu running\n", (unsigned long long)s->running);
 * compss_run_status_free(s); }
 */
int compss_status(compss_client* client, compss_run_status** out, char* err, size_t err_len);
void compss_run_status_free(compss_run_status* status);

/* Details of `n` tasks, in the order asked (*out holds n entries); an unknown id is COMPSS_REFUSED.
 *   compss_task_id id = 7; compss_task_info *q;
 *   if (compss_query(c, &id, 1, &q, err, sizeof err) == COMPSS_OK) { puts(q[0].state); compss_task_info_free(q, 1); }
 */
int compss_query(compss_client* client, const compss_task_id* ids, size_t n, compss_task_info** out, char* err,
                 size_t err_len);
void compss_task_info_free(compss_task_info* tasks, size_t n);

/* Cancels the selected tasks and their successors; *count (may be NULL) receives how many became
 * cancelled.
 *   compss_selector g = {0}; g.group = "members";
 *   uint64_t n; compss_cancel(c, &g, &n, err, sizeof err);
 */
int compss_cancel(compss_client* client, const compss_selector* what, uint64_t* count, char* err, size_t err_len);

/* Why a task is where it is.
 *   compss_explanation *e;
 *   if (compss_explain(c, 12, &e, err, sizeof err) == COMPSS_OK) { puts(e->text); compss_explanation_free(e); }
 */
int compss_explain(compss_client* client, compss_task_id id, compss_explanation** out, char* err, size_t err_len);
void compss_explanation_free(compss_explanation* explanation);

/* Asks the daemon to stop; drain non-zero lets running tasks finish.
 *   compss_shutdown(c, 1, err, sizeof err);
 */
int compss_shutdown(compss_client* client, int drain, char* err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif /* COMPSS_CLIENT_H */

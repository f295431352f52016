// c_api.cc - the C API (compss/client.h) over Connection. Every entry point catches everything: no C++
// exception may cross the C ABI.
#include <compss/client.h>

#include <compss/client.hpp>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string_view>

#include "common/client/c_api_convert.h"

using compss::client::Connection;
using compss::client::Error;
using compss::client::ErrorKind;

struct compss_client {
  Connection conn;
};

namespace {

void write_error(char* err, std::size_t err_len, std::string_view message) {
  if (!err || err_len == 0) return;
  std::size_t n = std::min(message.size(), err_len - 1);
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

int rc_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUsage:
      return COMPSS_USAGE;
    case ErrorKind::kUnreachable:
      return COMPSS_UNREACHABLE;
    case ErrorKind::kLost:
      return COMPSS_LOST;
    case ErrorKind::kProtocol:
      return COMPSS_PROTOCOL;
    case ErrorKind::kRefused:
      return COMPSS_REFUSED;
  }
  return COMPSS_PROTOCOL;
}

int report(const Error& e, char* err, std::size_t err_len) {
  write_error(err, err_len, e.message);
  return rc_for(e.kind);
}

int no_memory(char* err, std::size_t err_len) {
  write_error(err, err_len, "out of memory");
  return COMPSS_NO_MEMORY;
}

// Runs `body`, turning any exception into a status code and a message.
template <class Body>
int guarded(char* err, std::size_t err_len, Body body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return no_memory(err, err_len);
  } catch (const std::exception& e) {
    write_error(err, err_len, std::string("internal error in libcompss-client: ") + e.what());
    return COMPSS_PROTOCOL;
  } catch (...) {
    write_error(err, err_len, "internal error in libcompss-client");
    return COMPSS_PROTOCOL;
  }
}

int check_client(const compss_client* c, char* err, std::size_t err_len) {
  if (c) return COMPSS_OK;
  write_error(err, err_len, "the client is NULL: call compss_connect first");
  return COMPSS_USAGE;
}

// Copies a result into its C form; *out stays untouched unless everything succeeded.
template <class CType, class Value>
int deliver(const Value& v, CType** out, char* err, std::size_t err_len) {
  if (!out) return COMPSS_OK;
  CType* c = compss::client::to_c(v);
  if (!c) return no_memory(err, err_len);
  *out = c;
  return COMPSS_OK;
}

// The C specs as the C++ client takes them; the first bad one's error is reported into `err`.
int tasks_from_c(const compss_task_spec* specs, std::size_t n, std::vector<compss::client::TaskSpec>& tasks, char* err,
                 std::size_t err_len) {
  for (std::size_t i = 0; i < n; ++i) {
    auto t = compss::client::from_c(specs[i], i);
    if (!t) return report(t.error(), err, err_len);
    tasks.push_back(std::move(*t));
  }
  return COMPSS_OK;
}

}  // namespace

extern "C" {

int compss_connect(const char* address, compss_client** out, char* err, size_t err_len) {
  return guarded(err, err_len, [&] {
    if (!out) {
      write_error(err, err_len, "compss_connect: out is NULL");
      return static_cast<int>(COMPSS_USAGE);
    }
    auto conn = Connection::connect(address ? address : "");
    if (!conn) return report(conn.error(), err, err_len);
    *out = new compss_client{std::move(*conn)};
    return static_cast<int>(COMPSS_OK);
  });
}

void compss_disconnect(compss_client* client) {
  delete client;
}

void compss_task_spec_init(compss_task_spec* spec) {
  if (!spec) return;
  std::memset(spec, 0, sizeof *spec);
  spec->cpus = 1;
  spec->nodes = 1;
  spec->ranks = 1;
  spec->on_failure = COMPSS_ON_FAILURE_RETRY;
  spec->retries = -1;
  spec->array_step = 1;
}

int compss_submit(compss_client* client, const compss_task_spec* specs, size_t n, compss_id_range* ids, char* err,
                  size_t err_len) {
  if (int rc = check_client(client, err, err_len)) return rc;
  return guarded(err, err_len, [&] {
    if (n > 0 && (!specs || !ids)) {
      write_error(err, err_len, "compss_submit: specs or ids is NULL");
      return static_cast<int>(COMPSS_USAGE);
    }
    std::vector<compss::client::TaskSpec> tasks;
    if (int rc = tasks_from_c(specs, n, tasks, err, err_len)) return rc;
    auto got = client->conn.submit(tasks);
    if (!got) return report(got.error(), err, err_len);
    for (std::size_t i = 0; i < n; ++i) ids[i] = compss_id_range{(*got)[i].first, (*got)[i].last};
    return static_cast<int>(COMPSS_OK);
  });
}

int compss_submit_nowait(compss_client* client, const compss_task_spec* specs, size_t n, uint64_t* ticket, char* err,
                         size_t err_len) {
  if (int rc = check_client(client, err, err_len)) return rc;
  return guarded(err, err_len, [&] {
    if (!specs || !ticket) {
      write_error(err, err_len, "compss_submit_nowait: specs or ticket is NULL");
      return static_cast<int>(COMPSS_USAGE);
    }
    std::vector<compss::client::TaskSpec> tasks;
    if (int rc = tasks_from_c(specs, n, tasks, err, err_len)) return rc;
    auto got = client->conn.submit_nowait(tasks);
    if (!got) return report(got.error(), err, err_len);
    *ticket = *got;
    return static_cast<int>(COMPSS_OK);
  });
}

int compss_submit_ids(compss_client* client, uint64_t ticket, compss_id_range* ids, size_t n, char* err,
                      size_t err_len) {
  if (int rc = check_client(client, err, err_len)) return rc;
  return guarded(err, err_len, [&] {
    if (n > 0 && !ids) {
      write_error(err, err_len, "compss_submit_ids: ids is NULL");
      return static_cast<int>(COMPSS_USAGE);
    }
    auto got = client->conn.ids_of(ticket);
    if (!got) return report(got.error(), err, err_len);
    if (got->size() != n) {
      write_error(err, err_len,
                  ("compss_submit_ids: ticket " + std::to_string(ticket) + " submitted " + std::to_string(got->size()) +
                   " spec(s), not " + std::to_string(n) + "; its ids are lost")
                      .c_str());
      return static_cast<int>(COMPSS_USAGE);
    }
    for (std::size_t i = 0; i < n; ++i) ids[i] = compss_id_range{(*got)[i].first, (*got)[i].last};
    return static_cast<int>(COMPSS_OK);
  });
}

int compss_wait(compss_client* client, const compss_selector* what, uint32_t timeout_s, compss_wait_result** out,
                char* err, size_t err_len) {
  if (int rc = check_client(client, err, err_len)) return rc;
  return guarded(err, err_len, [&] {
    if (!what) {
      write_error(err, err_len, "compss_wait: the selector is NULL");
      return static_cast<int>(COMPSS_USAGE);
    }
    auto sel = compss::client::from_c(*what);
    if (!sel) return report(sel.error(), err, err_len);
    auto w = client->conn.wait(*sel, timeout_s);
    if (!w) return report(w.error(), err, err_len);
    if (int rc = deliver(*w, out, err, err_len)) return rc;
    if (w->succeeded()) return static_cast<int>(COMPSS_OK);
    write_error(err, err_len, w->timed_out ? "the wait timed out" : "some awaited tasks failed or were cancelled");
    return static_cast<int>(COMPSS_TASKS_FAILED);
  });
}

int compss_status(compss_client* client, compss_run_status** out, char* err, size_t err_len) {
  if (int rc = check_client(client, err, err_len)) return rc;
  return guarded(err, err_len, [&] {
    auto s = client->conn.status();
    if (!s) return report(s.error(), err, err_len);
    return deliver(*s, out, err, err_len);
  });
}

int compss_query(compss_client* client, const compss_task_id* ids, size_t n, compss_task_info** out, char* err,
                 size_t err_len) {
  if (int rc = check_client(client, err, err_len)) return rc;
  return guarded(err, err_len, [&] {
    if (n > 0 && !ids) {
      write_error(err, err_len, "compss_query: ids is NULL");
      return static_cast<int>(COMPSS_USAGE);
    }
    auto q = client->conn.query(std::vector<compss_task_id>(ids, ids + n));
    if (!q) return report(q.error(), err, err_len);
    return deliver(*q, out, err, err_len);
  });
}

int compss_cancel(compss_client* client, const compss_selector* what, uint64_t* count, char* err, size_t err_len) {
  if (int rc = check_client(client, err, err_len)) return rc;
  return guarded(err, err_len, [&] {
    if (!what) {
      write_error(err, err_len, "compss_cancel: the selector is NULL");
      return static_cast<int>(COMPSS_USAGE);
    }
    auto sel = compss::client::from_c(*what);
    if (!sel) return report(sel.error(), err, err_len);
    auto n = client->conn.cancel(*sel);
    if (!n) return report(n.error(), err, err_len);
    if (count) *count = *n;
    return static_cast<int>(COMPSS_OK);
  });
}

int compss_explain(compss_client* client, compss_task_id id, compss_explanation** out, char* err, size_t err_len) {
  if (int rc = check_client(client, err, err_len)) return rc;
  return guarded(err, err_len, [&] {
    auto e = client->conn.explain(id);
    if (!e) return report(e.error(), err, err_len);
    return deliver(*e, out, err, err_len);
  });
}

int compss_shutdown(compss_client* client, int drain, char* err, size_t err_len) {
  if (int rc = check_client(client, err, err_len)) return rc;
  return guarded(err, err_len, [&] {
    auto s = client->conn.shutdown(drain != 0);
    if (!s) return report(s.error(), err, err_len);
    return static_cast<int>(COMPSS_OK);
  });
}

static void free_issues(compss_task_issue* a, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    std::free(a[i].name);
    std::free(a[i].reason);
  }
  std::free(a);
}

static void free_strings(char** a, size_t n) {
  for (size_t i = 0; i < n; ++i) std::free(a[i]);
  std::free(a);
}

void compss_wait_result_free(compss_wait_result* r) {
  if (!r) return;
  free_issues(r->failed, r->n_failed);
  free_issues(r->cancelled, r->n_cancelled);
  std::free(r);
}

void compss_run_status_free(compss_run_status* s) {
  if (!s) return;
  for (size_t i = 0; i < s->n_nodes; ++i) {
    std::free(s->nodes[i].name);
    std::free(s->nodes[i].state);
  }
  std::free(s->nodes);
  free_strings(s->events, s->n_events);
  std::free(s->outcome);
  std::free(s);
}

void compss_task_info_free(compss_task_info* tasks, size_t n) {
  if (!tasks) return;
  for (size_t i = 0; i < n; ++i) {
    std::free(tasks[i].name);
    std::free(tasks[i].state);
    std::free(tasks[i].node);
    std::free(tasks[i].reason);
  }
  std::free(tasks);
}

void compss_explanation_free(compss_explanation* e) {
  if (!e) return;
  std::free(e->text);
  free_strings(e->items, e->n_items);
  std::free(e);
}

}  // extern "C"

/* Compiled as C (not C++): <compss/client.h> must be a valid C header. The function is called from
 * test_c_api.cc against the fake daemon. */
#include <compss/client.h>
#include <string.h>

int c_header_submit_one(const char* address, const char* command, compss_task_id* id, char* err, size_t err_len) {
  compss_client* c = NULL;
  int rc = compss_connect(address, &c, err, err_len);
  if (rc != COMPSS_OK) return rc;
  const char* argv[1];
  argv[0] = command;
  compss_task_spec t;
  compss_task_spec_init(&t);
  t.argv = argv;
  t.argc = 1;
  t.cpus = 2;
  compss_id_range range;
  memset(&range, 0, sizeof range);
  rc = compss_submit(c, &t, 1, &range, err, err_len);
  if (rc == COMPSS_OK) *id = range.first;
  compss_disconnect(c);
  return rc;
}

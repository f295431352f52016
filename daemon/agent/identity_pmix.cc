// identity_pmix.cc - the agent's identity from the PMIx server of its srun step.
#include <pmix.h>

#include <cstring>

#include "daemon/agent/identity.h"

namespace compss::agent {

namespace {

Result<std::uint32_t> as_number(const pmix_value_t* v, const char* key) {
  switch (v->type) {
    case PMIX_UINT32:
      return v->data.uint32;
    case PMIX_UINT16:
      return v->data.uint16;
    case PMIX_UINT64:
      return static_cast<std::uint32_t>(v->data.uint64);
    case PMIX_INT:
      return static_cast<std::uint32_t>(v->data.integer);
    case PMIX_SIZE:
      return static_cast<std::uint32_t>(v->data.size);
    default:
      return fail("PMIx key ", key, " has an unexpected type ", std::to_string(v->type));
  }
}

Result<std::uint32_t> get_number(const pmix_proc_t& proc, const char* key) {
  pmix_value_t* v = nullptr;
  pmix_status_t rc = PMIx_Get(&proc, key, nullptr, 0, &v);
  if (rc != PMIX_SUCCESS || !v) return fail("PMIx_Get(", key, ") failed: ", PMIx_Error_string(rc));
  auto n = as_number(v, key);
  PMIX_VALUE_RELEASE(v);
  return n;
}

std::optional<std::string> get_string(const pmix_proc_t& proc, const char* key) {
  pmix_value_t* v = nullptr;
  if (PMIx_Get(&proc, key, nullptr, 0, &v) != PMIX_SUCCESS || !v) return std::nullopt;
  std::optional<std::string> s;
  if (v->type == PMIX_STRING && v->data.string) s = v->data.string;
  PMIX_VALUE_RELEASE(v);
  return s;
}

Result<AgentIdentity> read_identity(const pmix_proc_t& me) {
  pmix_proc_t job;
  PMIX_LOAD_PROCID(&job, me.nspace, PMIX_RANK_WILDCARD);
  AgentIdentity id;
  id.source = "pmix";
  id.rank = me.rank;
  auto node = get_number(me, PMIX_NODEID);
  if (!node) return node.error();
  auto size = get_number(job, PMIX_JOB_SIZE);
  if (!size) return size.error();
  id.node_id = *node;
  id.size = *size;
  id.node_name = get_string(me, PMIX_HOSTNAME).value_or("");
  if (id.node_name.empty()) return fail("PMIx gave no host name (", PMIX_HOSTNAME, ")");
  return id;
}

}  // namespace

Result<AgentIdentity> identity_from_pmix() {
  pmix_proc_t me;
  std::memset(&me, 0, sizeof me);
  pmix_status_t rc = PMIx_Init(&me, nullptr, 0);
  if (rc != PMIX_SUCCESS) return fail("PMIx_Init failed: ", PMIx_Error_string(rc));
  auto id = read_identity(me);
  PMIx_Finalize(nullptr, 0);
  return id;
}

}  // namespace compss::agent

#include "common/client/auth.h"

#include <munge.h>

#include <unistd.h>

#include <cstdlib>

#include "common/proto/handshake.h"

namespace compss::client {

Result<std::string> munge_credential(const std::string& payload) {
  char* cred = nullptr;
  munge_err_t rc = munge_encode(&cred, nullptr, payload.data(), static_cast<int>(payload.size()));
  if (rc != EMUNGE_SUCCESS) {
    std::free(cred);
    return Error{ErrorKind::kUnreachable, std::string("no MUNGE credential: ") + munge_strerror(rc), {}};
  }
  std::string s(cred);
  std::free(cred);
  return s;
}

Status check_daemon_credential(const std::string& cred, const std::string& nonce) {
  auto refuse = [](std::string why) {
    return Error{ErrorKind::kRefused, "the compss runtime did not prove it runs as you: " + why, "auth"};
  };
  if (cred.empty()) return refuse("its welcome carries no credential");
  void* payload = nullptr;
  int len = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  munge_err_t rc = munge_decode(cred.c_str(), nullptr, &payload, &len, &uid, &gid);
  std::string text(static_cast<const char*>(payload ? payload : ""), payload ? static_cast<std::size_t>(len) : 0);
  std::free(payload);
  if (rc != EMUNGE_SUCCESS) return refuse(std::string("MUNGE: ") + munge_strerror(rc));
  if (uid != ::getuid())
    return refuse("it runs as uid " + std::to_string(uid) + ", you are uid " + std::to_string(::getuid()));
  if (text != proto::welcome_payload(nonce)) return refuse("its credential answers another connection");
  return {};
}

}  // namespace compss::client

#include "common/client/auth.h"

#include <munge.h>

#include <cstdlib>

namespace compss::client {

Result<std::string> munge_credential() {
  char* cred = nullptr;
  munge_err_t rc = munge_encode(&cred, nullptr, nullptr, 0);
  if (rc != EMUNGE_SUCCESS) {
    std::free(cred);
    return Error{ErrorKind::kUnreachable, std::string("no MUNGE credential: ") + munge_strerror(rc), {}};
  }
  std::string s(cred);
  std::free(cred);
  return s;
}

}  // namespace compss::client

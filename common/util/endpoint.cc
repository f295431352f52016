#include "common/util/endpoint.h"

#include <netdb.h>

namespace compss {

std::string numeric_endpoint(const sockaddr* address, socklen_t length) {
  if (!address || (address->sa_family != AF_INET && address->sa_family != AF_INET6)) return {};
  char host[NI_MAXHOST] = {};
  char port[NI_MAXSERV] = {};
  if (::getnameinfo(address, length, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return {};
  std::string h(host);
  return (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + port;
}

}  // namespace compss

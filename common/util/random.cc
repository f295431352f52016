#include "common/util/random.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace compss {

namespace {

// getrandom can be missing (an old kernel under a new libc: ENOSYS) or interrupted; /dev/urandom is the
// fallback, read in full or not at all.
bool fill(unsigned char* p, std::size_t n, std::string& why) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(p + got, n - got, 0);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    break;
  }
  if (got == n) return true;
  why = std::string("getrandom: ") + std::strerror(errno);
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    why += "; /dev/urandom: " + std::string(std::strerror(errno));
    return false;
  }
  got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, p + got, n - got);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      why += "; /dev/urandom: " + std::string(r == 0 ? "end of file" : std::strerror(errno));
      break;
    }
  }
  ::close(fd);
  return got == n;
}

}  // namespace

Result<std::string> random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  std::string why;
  if (!fill(raw.data(), raw.size(), why)) return fail("no random bytes from the kernel (", why, ")");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes * 2);
  for (unsigned char c : raw) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

}  // namespace compss

#include "daemon/job_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace compss::daemon {

namespace {

std::string octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

// `path` exists as a directory of ours that no one else may write.
Status check_private_dir(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return fail("cannot inspect ", path, ": ", std::strerror(errno));
  if (S_ISLNK(st.st_mode)) return fail("refusing directory ", path, ": it is a symbolic link");
  if (!S_ISDIR(st.st_mode)) return fail("refusing directory ", path, ": it is not a directory");
  if (st.st_uid != ::getuid())
    return fail("refusing directory ", path, ": it belongs to uid ", std::to_string(st.st_uid),
                ", not to the job's owner (uid ", std::to_string(::getuid()), ")");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return fail("refusing directory ", path, ": others may write to it (mode ", octal(st.st_mode), ")");
  return {};
}

}  // namespace

Status make_private_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    return fail("cannot create the directory ", path, ": ", std::strerror(errno));
  return check_private_dir(path);
}

Status prepare_job_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path d = fs::path(dir).lexically_normal();
  const fs::path parent = d.has_parent_path() ? d.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return fail("cannot create ", parent.string(), ": ", ec.message());
  struct stat pst;
  if (::stat(parent.c_str(), &pst) != 0) return fail("cannot inspect ", parent.string(), ": ", std::strerror(errno));
  if ((pst.st_mode & S_IWOTH) && !(pst.st_mode & S_ISVTX))
    return fail("refusing job directory ", d.string(), ": its parent ", parent.string(),
                " is writable by everyone without the sticky bit (mode ", octal(pst.st_mode),
                "), so anyone could replace it");
  for (const fs::path& p : {d, d / "agents", d / "out"})
    if (Status s = make_private_dir(p.string()); !s) return s;
  return {};
}

// Written whole to <path>.tmp, then renamed over <path>: a full disk or an I/O error leaves the earlier file
// (or none), never a cut one, and a reader never sees half of it.
Status write_private(const std::string& path, const std::string& text, unsigned mode) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
    return fail("cannot write ", path, ": it is a symbolic link");
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // left by a run that died while writing: ours (the directory is private)
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, static_cast<mode_t>(mode));
  if (fd < 0) return fail("cannot write ", path, ": ", std::strerror(errno));
  ::fchmod(fd, static_cast<mode_t>(mode));
  int err = 0;
  for (std::size_t done = 0; done < text.size() && err == 0;) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n == 0) {
      err = ENOSPC;
    } else if (errno != EINTR) {
      err = errno;
    }
  }
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return fail("cannot write ", path, ": ", std::strerror(err));
  }
  return {};
}

std::string check_credential_kind(proto::Role role, const std::string& auth) {
  const bool munge = auth.rfind("MUNGE:", 0) == 0;
  if (role == proto::Role::kAgent) {
    // A MUNGE credential where munged runs (it never shows the secret then), else the secret.
    return auth.empty() ? "an agent must show a MUNGE credential of the job's owner or the job's secret" : "";
  }
  if (!munge)
    return auth.empty() ? "no credential (a client must show a MUNGE credential of the job's owner over TCP)"
                        : "a client must show a MUNGE credential of the job's owner (the job's secret is for agents)";
  return "";
}

bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = a.size() > b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

}  // namespace compss::daemon

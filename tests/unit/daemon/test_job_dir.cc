// Tests of the job directory checks and of which credential each TCP peer must show (daemon/job_dir.h).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "daemon/job_dir.h"
#include "tests/unit/daemon/scratch.h"

using namespace compss;
using namespace compss::daemon;
namespace fs = std::filesystem;
using test::Scratch;

namespace {

mode_t mode_of(const fs::path& p) {
  struct stat st;
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("a new job directory is private, with its subdirectories", "[jobdir]") {
  Scratch s("jobdir");
  const fs::path d = s.root / "runs" / ".compss" / "811";
  REQUIRE(prepare_job_dir(d.string()).ok());
  CHECK(mode_of(d) == 0700);
  CHECK(mode_of(d / "agents") == 0700);
  CHECK(mode_of(d / "out") == 0700);
  CHECK(prepare_job_dir(d.string()).ok());  // a requeued job finds its own directory again
  REQUIRE(write_private((d / "env").string(), "COMPSS_X=1\n", 0600).ok());
  CHECK(mode_of(d / "env") == 0600);
}

TEST_CASE("a job directory someone else could have made or can write is refused", "[jobdir]") {
  Scratch s("jobdir");
  const fs::path open_dir = s.root / "open";
  fs::create_directories(open_dir);
  ::chmod(open_dir.c_str(), 0777);
  auto r = prepare_job_dir(open_dir.string());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("others may write to it (mode 0777)") != std::string::npos);

  // A link where the directory should be: the job would write wherever it points.
  const fs::path target = s.root / "elsewhere";
  fs::create_directories(target);
  fs::create_directory_symlink(target, s.root / "linked");
  auto l = prepare_job_dir((s.root / "linked").string());
  REQUIRE_FALSE(l.ok());
  CHECK(l.error().message.find("symbolic link") != std::string::npos);

  // A parent anyone may write without the sticky bit: the directory could be swapped under the job.
  const fs::path shared = s.root / "shared";
  fs::create_directories(shared);
  ::chmod(shared.c_str(), 0777);
  auto p = prepare_job_dir((shared / "812").string());
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().message.find("without the sticky bit") != std::string::npos);
  ::chmod(shared.c_str(), 01777);  // as /tmp: fine
  CHECK(prepare_job_dir((shared / "812").string()).ok());

  if (::getuid() == 0) {  // someone else's directory (root can make one for another uid)
    const fs::path theirs = shared / "813";
    fs::create_directories(theirs);
    ::chmod(theirs.c_str(), 0700);
    REQUIRE(::chown(theirs.c_str(), 65534, 65534) == 0);
    auto o = prepare_job_dir(theirs.string());
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().message.find("belongs to uid 65534") != std::string::npos);
  }
}

TEST_CASE("a file of the job directory is never written through a link", "[jobdir]") {
  Scratch s("jobdir");
  const fs::path victim = s.root / "victim";
  std::ofstream(victim) << "precious\n";
  fs::create_symlink(victim, s.root / "summary.txt");
  CHECK_FALSE(write_private((s.root / "summary.txt").string(), "overwritten\n", 0600).ok());
  std::ifstream in(victim);
  std::string line;
  std::getline(in, line);
  CHECK(line == "precious");
}

TEST_CASE("over TCP the secret is for agents, MUNGE for clients and agents", "[jobdir][auth]") {
  CHECK(check_credential_kind(proto::Role::kAgent, "s3cr3t").empty());
  CHECK_FALSE(check_credential_kind(proto::Role::kAgent, "").empty());
  CHECK(check_credential_kind(proto::Role::kAgent, "MUNGE:abc").empty());
  CHECK(check_credential_kind(proto::Role::kClient, "MUNGE:abc").empty());
  const std::string with_secret = check_credential_kind(proto::Role::kClient, "s3cr3t");
  CHECK(with_secret.find("the job's secret is for agents") != std::string::npos);
  CHECK_FALSE(check_credential_kind(proto::Role::kClient, "").empty());
  CHECK(same_secret("abc", "abc"));
  CHECK_FALSE(same_secret("abc", "abd"));
  CHECK_FALSE(same_secret("abc", "abcd"));
  CHECK_FALSE(same_secret("", "a"));
}

TEST_CASE("a private directory is created 0700 and another user's is refused", "[jobdir]") {
  Scratch s("jobdir");
  const fs::path mine = s.root / "compss-0";
  REQUIRE(make_private_dir(mine.string()).ok());
  CHECK(mode_of(mine) == 0700);
  ::chmod(mine.c_str(), 0755);
  CHECK(make_private_dir(mine.string()).ok());  // readable is fine; writable by others is not
  ::chmod(mine.c_str(), 0775);
  CHECK_FALSE(make_private_dir(mine.string()).ok());
}

// Task output buffering, spilling and the node's stream file, without processes.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/agent/output.h"
#include "tests/unit/file_size_limit.h"

using namespace compss::agent;

namespace {

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/compss-output-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("output within the limit stays in memory", "[output]") {
  TempDir d;
  TaskOutput out(d.path + "/task-1.0.out", 10);
  out.append("hello", 5);
  out.append("world", 5);
  CHECK_FALSE(out.spilled());
  CHECK(out.buffer() == "helloworld");
  CHECK(out.stored() == 10);
  CHECK_FALSE(std::filesystem::exists(d.path + "/task-1.0.out"));
}

TEST_CASE("output past the limit moves, all of it, to the spill file", "[output]") {
  TempDir d;
  TaskOutput out(d.path + "/task-1.0.out", 8);
  out.append("12345", 5);
  out.append("67890", 5);
  out.append("ab", 2);
  out.close();
  CHECK(out.spilled());
  CHECK(out.buffer().empty());
  CHECK(out.stored() == 12);
  CHECK(out.error().empty());
  CHECK(slurp(d.path + "/task-1.0.out") == "1234567890ab");
}

TEST_CASE("when the spill file cannot be created the first bytes are kept and the loss is reported", "[output]") {
  TempDir d;
  TaskOutput out(d.path + "/missing-dir/task-1.0.out", 4);
  out.append("abc", 3);
  out.append("defgh", 5);
  CHECK_FALSE(out.spilled());
  CHECK(out.buffer() == "abcd");
  CHECK(out.error().find("output past 4 bytes dropped: cannot create " + d.path + "/missing-dir/task-1.0.out") == 0);
  CHECK(out.error().find("(4 bytes lost)") != std::string::npos);

  OutputStream stream(d.path + "/n1.out");
  OutputLocation where = stream.append("=== task 1 attempt 0 - exit 0 ===", out);
  CHECK(where.length == 4);
  CHECK(where.error == out.error());
}

TEST_CASE("the stream file's offsets point at each record's output", "[output]") {
  TempDir d;
  OutputStream stream(d.path + "/n2.out");
  TaskOutput a(d.path + "/a", 100), b(d.path + "/b", 100);
  a.append("first\n", 6);
  b.append("second", 6);
  OutputLocation wa = stream.append("=== A ===", a);
  OutputLocation wb = stream.append("=== B ===", b);
  std::string all = slurp(d.path + "/n2.out");
  CHECK(all == "=== A ===\nfirst\n=== B ===\nsecond\n");
  CHECK(all.substr(wa.offset, wa.length) == "first\n");
  CHECK(all.substr(wb.offset, wb.length) == "second");
}

TEST_CASE("a stream file that cannot be written loses the record and says so", "[output]") {
  TempDir d;
  OutputStream stream(d.path + "/no-such-dir/n1.out");
  TaskOutput a(d.path + "/a", 100);
  a.append("x", 1);
  OutputLocation w = stream.append("=== A ===", a);
  CHECK(w.path.empty());
  CHECK(w.error.find("cannot append to " + d.path + "/no-such-dir/n1.out") == 0);
}

TEST_CASE("record headers name the task, attempt, name and exit", "[output]") {
  using compss::TaskId;
  CHECK(record_header(TaskId(7), 0, "sim", {ExitStatus::Kind::kExited, 0}) == "=== task 7 attempt 0 sim exit 0 ===");
  CHECK(record_header(TaskId(7), 2, "", {ExitStatus::Kind::kExited, 3}) == "=== task 7 attempt 2 - exit 3 ===");
  CHECK(record_header(TaskId(8), 1, "a b\tc", {ExitStatus::Kind::kSignaled, 9}) ==
        "=== task 8 attempt 1 a_b_c exit SIGKILL ===");
}

TEST_CASE("on a full disk (/dev/full) the loss names the file and the system's reason", "[output][disk-full]") {
  if (::access("/dev/full", W_OK) != 0) {
    WARN("skipped: no writable /dev/full here to stand for a full disk");
    return;
  }
  TaskOutput spilled("/dev/full", 4);
  spilled.append("abcdefgh", 8);
  spilled.close();
  CHECK(spilled.error() == "output cut at 0 bytes: writing /dev/full failed: No space left on device (8 bytes lost)");

  OutputStream stream("/dev/full");
  TaskOutput small("/tmp/unused", 100);
  small.append("hello\n", 6);
  OutputLocation w = stream.append("=== task 1 attempt 1 t exit 0 ===", small);
  CHECK(w.path.empty());
  CHECK(w.error == "cannot append to /dev/full: No space left on device");
}

TEST_CASE("a record the stream file cannot take whole is taken back; the records before it stay", "[output][disk-full]") {
  TempDir d;
  const std::string path = d.path + "/n1.out";
  OutputStream stream(path);
  TaskOutput a(d.path + "/a", 100), b(d.path + "/b", 1000), c(d.path + "/c", 100);
  a.append("first\n", 6);
  b.append(std::string(500, 'b').data(), 500);
  c.append("third\n", 6);
  REQUIRE(stream.append("=== A ===", a).error.empty());
  const std::string before = slurp(path);
  OutputLocation wb;
  {
    compss::test::FileSizeLimit full(before.size() + 100);  // room for a fifth of B's record
    if (!full.ok()) {
      WARN(full.why());
      return;
    }
    wb = stream.append("=== B ===", b);
  }
  CHECK(wb.path.empty());
  CHECK(wb.error == "cannot append to " + path + ": File too large");
  CHECK(slurp(path) == before);  // no half record
  OutputLocation wc = stream.append("=== C ===", c);  // room again: the file goes on from a whole record
  CHECK(wc.error.empty());
  const std::string all = slurp(path);
  CHECK(all == "=== A ===\nfirst\n=== C ===\nthird\n");
  CHECK(all.substr(wc.offset, wc.length) == "third\n");
}

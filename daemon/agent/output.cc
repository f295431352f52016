// output.cc - task output buffering, spilling and the node's stream file.
#include "daemon/agent/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace compss::agent {

namespace {

// Writes all of `size` bytes (retrying short writes and EINTR); 0 or an errno value.
int write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

std::string basename_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

TaskOutput::TaskOutput(std::string spill_path, std::size_t limit) : spill_path_(std::move(spill_path)), limit_(limit) {}

TaskOutput::~TaskOutput() { close(); }

std::string TaskOutput::error() const {
  if (error_.empty()) return error_;
  return error_ + " (" + std::to_string(dropped_) + " bytes lost)";
}

void TaskOutput::append(const char* data, std::size_t size) {
  if (size == 0) return;
  if (spilled_) {
    write_spill(data, size);
  } else if (buffer_.size() + size <= limit_) {
    buffer_.append(data, size);
    stored_ += size;
  } else if (spill_failed_) {
    std::size_t room = limit_ - buffer_.size();
    buffer_.append(data, room);
    stored_ += room;
    dropped_ += size - room;
  } else {
    spill(data, size);
  }
}

void TaskOutput::spill(const char* data, std::size_t size) {
  spill_fd_ = open(spill_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (spill_fd_ < 0) {
    // The record in the stream file then keeps the first `limit_` bytes.
    error_ = "output past " + std::to_string(limit_) + " bytes dropped: cannot create " + spill_path_ + ": " +
             std::strerror(errno);
    spill_failed_ = true;
    append(data, size);
    return;
  }
  spilled_ = true;
  std::string held;
  held.swap(buffer_);
  stored_ = 0;
  write_spill(held.data(), held.size());
  write_spill(data, size);
}

void TaskOutput::write_spill(const char* data, std::size_t size) {
  if (spill_fd_ < 0) {
    dropped_ += size;
    return;
  }
  if (int err = write_all(spill_fd_, data, size); err != 0) {
    error_ = "output cut at " + std::to_string(stored_) + " bytes: writing " + spill_path_ + " failed: " +
             std::strerror(err);
    ::close(spill_fd_);
    spill_fd_ = -1;
    dropped_ += size;
    return;
  }
  stored_ += size;
}

void TaskOutput::close() {
  if (spill_fd_ >= 0) ::close(spill_fd_);
  spill_fd_ = -1;
}

OutputStream::OutputStream(std::string path) : path_(std::move(path)) {}

OutputStream::~OutputStream() {
  if (fd_ >= 0) close(fd_);
}

OutputLocation OutputStream::append(const std::string& header, const TaskOutput& output) {
  OutputLocation where;
  where.error = output.error();
  std::string record = header + "\n";
  std::size_t body_at = record.size();
  if (output.spilled()) {
    record += "[output in " + basename_of(output.spill_path()) + ", " + std::to_string(output.stored()) + " bytes]\n";
    where.path = output.spill_path();
    where.own_file = true;
    where.length = output.stored();
  } else {
    record += output.buffer();
    if (!output.buffer().empty() && output.buffer().back() != '\n') record += '\n';
    where.length = output.buffer().size();
  }
  if (fd_ < 0) fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  // The agent is the file's only writer: a record cut short by a full disk is taken back whole, so the
  // records before it stay intact and no half header is left for the next one to follow.
  const off_t start = fd_ < 0 ? -1 : lseek(fd_, 0, SEEK_END);
  int err = fd_ < 0 ? errno : write_all(fd_, record.data(), record.size());
  if (err != 0 && start >= 0) (void)!ftruncate(fd_, start);
  if (err != 0) {
    std::string lost = "cannot append to " + path_ + ": " + std::strerror(err);
    where.error = where.error.empty() ? lost : where.error + "; " + lost;
    if (!output.spilled()) where = OutputLocation{"", 0, 0, false, where.error};
    return where;
  }
  if (!output.spilled()) {
    // With O_APPEND the offset after the write is the end of this record, even if someone else appended.
    off_t end = lseek(fd_, 0, SEEK_CUR);
    where.path = path_;
    where.offset = static_cast<std::uint64_t>(end) - record.size() + body_at;
  }
  return where;
}

std::string record_header(TaskId task, std::uint32_t attempt, const std::string& name, const ExitStatus& exit) {
  std::string clean = name.empty() ? "-" : name;
  for (char& c : clean) {
    if (std::isspace(static_cast<unsigned char>(c))) c = '_';
  }
  return "=== task " + task.str() + " attempt " + std::to_string(attempt) + " " + clean + " exit " + exit.str() +
         " ===";
}

}  // namespace compss::agent

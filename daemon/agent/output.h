// output.h - where task output goes: one stream file per node, big outputs in files of their own.
//
// Design. A task's stdout and stderr share one pipe to the agent. The agent keeps what arrives in memory
// (TaskOutput) up to a limit (64 KiB by default). When the task ends the agent appends one record to the
// node's stream file <outdir>/<node>.out (OutputStream):
//
//   === task <id> attempt <a> <name> exit <code> ===
//   <the output, with a newline added when it does not end in one>
//
// Each record is written by one write() on a file opened O_APPEND, from the agent's single event-loop
// thread, so records never interleave and 200 tiny tasks leave one file, not 400. A task whose output
// passes the limit spills, from then on, to <outdir>/task-<id>.<attempt>.out; its record then reads
// "[output in task-<id>.<attempt>.out, <n> bytes]". The task's result (OutputLocation) says where the
// bytes are: the stream file with offset and length, or the task's own file.
//
// Failure: output that cannot be stored (spill file not creatable, disk full) is dropped, the rest of the
// task goes on, and OutputLocation::error says what was lost, naming the file and the system's reason; a
// record the stream file cannot take whole is taken back (the file keeps whole records only). The agent
// sends that sentence to compssd in the task's `finished` report (`output_lost`).
// Thread-safety: one thread (the agent loop).
#pragma once

#include <cstdint>
#include <string>

#include "daemon/agent/launch_types.h"

namespace compss::agent {

class TaskOutput {
 public:
  TaskOutput(std::string spill_path, std::size_t limit);
  ~TaskOutput();
  TaskOutput(const TaskOutput&) = delete;
  TaskOutput& operator=(const TaskOutput&) = delete;

  void append(const char* data, std::size_t size);
  void close();  // ends the spill file, if any

  bool spilled() const { return spilled_; }
  const std::string& buffer() const { return buffer_; }  // the output while not spilled
  const std::string& spill_path() const { return spill_path_; }
  std::uint64_t stored() const { return stored_; }  // bytes kept (buffer or spill file)
  std::string error() const;  // "" when every byte is stored

 private:
  void spill(const char* data, std::size_t size);
  void write_spill(const char* data, std::size_t size);

  std::string spill_path_;
  std::size_t limit_;
  std::string buffer_;
  bool spilled_ = false;
  bool spill_failed_ = false;
  int spill_fd_ = -1;
  std::uint64_t stored_ = 0;
  std::uint64_t dropped_ = 0;
  std::string error_;
};

class OutputStream {
 public:
  explicit OutputStream(std::string path);
  ~OutputStream();
  OutputStream(const OutputStream&) = delete;
  OutputStream& operator=(const OutputStream&) = delete;

  // Appends the record of one finished task and says where its output is.
  OutputLocation append(const std::string& header, const TaskOutput& output);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// "=== task 7 attempt 0 sim exit 0 ===" (whitespace in the name becomes '_', an empty name '-').
std::string record_header(TaskId task, std::uint32_t attempt, const std::string& name, const ExitStatus& exit);

}  // namespace compss::agent

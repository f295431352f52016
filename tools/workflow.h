// workflow.h - synthetic and file-defined workflows for compss-sim and compss-bench.
//
// A TaskSource hands out tasks in submission order, writing each into a TaskSpec the caller reuses
// (so a million-task benchmark does not hold a million specs) together with its simulated duration.
//
// Shapes (every task has a command of 40 characters; paths are short):
//   chain       task i reads task i-1's output and writes its own: one long path
//   fan         blocks of 1 root -> `width` parallel tasks -> 1 merge reading all of them
//   random      task i reads the output of a random earlier task among the last `window`: a random tree
//   ensemble    members of 4 chained steps, each member a random length (lognormal), one final merge
//   montage     `instances` independent copies of a Montage-like mosaic (kMontageTasks tasks each):
//               376 mProjectPP -> 980 mDiffFit -> mConcatFit -> mBgModel -> 376 mBackground -> mImgtbl
//               -> mAdd -> mShrink -> mJPEG; lognormal durations (sigma 0.3) around 8, 1, 20, 30, 1.5,
//               3, 30, 3, 2 s; the task name is the kind; files under "m<instance>/"
// File (see tools/compss-sim.md): lines `task NAME DURATION [cpus=N] [in=F,..] [out=F,..] [inout=F,..]
//   [after=NAME,..] [kind=K] [time=S]`, '#' comments.
//
// Failure behaviour: make_shape / load_workflow return an error naming the option, file and line.
// Thread-safety: a source is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"
#include "scheduler/task.h"

namespace compss::tools {

class TaskSource {
 public:
  virtual ~TaskSource() = default;
  // The next task into `spec` (fields overwritten; buffers reused) and its duration in seconds;
  // false when there are no more.
  virtual bool next(scheduler::TaskSpec& spec, double& duration) = 0;
  virtual std::uint64_t size() const = 0;  // tasks it will hand out
};

struct ShapeOptions {
  std::string shape = "random";  // chain | fan | random | ensemble | montage
  std::uint64_t tasks = 1000;    // not for montage: its size is instances x kMontageTasks
  std::uint32_t instances = 1;   // montage
  std::uint64_t seed = 1;
  std::uint32_t cpus = 1;       // per task
  std::uint32_t width = 1000;   // fan: parallel tasks per block
  std::uint32_t window = 1000;  // random: how far back an input may come from
};

inline constexpr std::uint64_t kMontageTasks = 1738;  // tasks of one montage instance

Result<std::unique_ptr<TaskSource>> make_shape(const ShapeOptions& opt);

// A workflow file, parsed whole (files are for small, hand-written workflows).
Result<std::unique_ptr<TaskSource>> load_workflow(std::string_view text, std::string_view file_name);

// The shape names for --help.
const char* shape_names();

}  // namespace compss::tools

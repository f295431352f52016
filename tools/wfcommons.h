// wfcommons.h - WfCommons workflow traces (JSON) as compss-sim workflows (compss-sim --wfcommons).
//
// Two layouts are read:
//   older (WfFormat before 1.4)  workflow.tasks or workflow.jobs: [{name, id?, category?, runtime |
//                                runtimeInSeconds, cores?, parents: [name or id], files: [{link: input |
//                                output, name}]}]
//   WfFormat 1.4 and later       workflow.specification.tasks: [{id, name, category?, parents: [id],
//                                inputFiles: [file id], outputFiles: [file id]}], with runtimes from
//                                workflow.execution.tasks: [{id, runtimeInSeconds, coreCount?}]
// A task depends on its parents and on the tasks that write its input files. Tasks come out in a
// topological order (among those free to go, the order of the file). A task's kind (its TaskSpec name,
// so that duration estimates group it) is its category, else its name less a trailing "_<digits>".
// Cores default to 1 (a fractional count is rounded up).
//
//   auto wf = parse_wfcommons(text, "montage.json");
//   auto src = wfcommons_source(*wf, 10);         // 10 independent copies
//   auto txt = workflow_file_text(*wf, 1);        // compss-sim's own workflow-file format
//
// Failure behaviour: errors name the file and, where there is one, the task: "wf.json: task 'b':
// unknown parent 'zz'", "wf.json: dependency cycle: a -> b -> a", "wf.json: not JSON: ...".
// Thread-safety: pure functions; a source is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"
#include "tools/workflow.h"

namespace compss::tools {

struct WfTask {
  std::string name;  // unique
  std::string kind;
  double runtime_s = 0;
  std::uint32_t cores = 1;
  std::vector<std::string> inputs, outputs;
  std::vector<std::uint32_t> parents;  // indices of earlier tasks (parents lists only; files add more)
};

struct WfWorkflow {
  std::vector<WfTask> tasks;  // in a topological order
};

Result<WfWorkflow> parse_wfcommons(std::string_view text, std::string_view file_name);

// `instances` independent copies in turn; with more than one, copy k's names and files start "i<k>/".
std::unique_ptr<TaskSource> wfcommons_source(WfWorkflow wf, std::uint32_t instances);

// The workflow in compss-sim's workflow-file format (tools/compss-sim.md). Error for a name or file that
// the format cannot hold (white space, ',' or '#').
Result<std::string> workflow_file_text(const WfWorkflow& wf, std::uint32_t instances);

}  // namespace compss::tools

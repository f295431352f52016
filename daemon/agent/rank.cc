// rank.cc - the MPI step's command line and each rank's place (rank.h).
#include "daemon/agent/rank.h"

#include <cctype>
#include <charconv>

namespace compss::agent {

namespace {

std::string join_ids(const std::vector<std::uint32_t>& ids, std::size_t from, std::size_t n) {
  std::string s;
  for (std::size_t i = from; i < from + n && i < ids.size(); ++i) s += (i > from ? "," : "") + std::to_string(ids[i]);
  return s;
}

Result<std::vector<std::uint32_t>> parse_ids(std::string_view text) {
  std::vector<std::uint32_t> ids;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view one = text.substr(0, comma);
    std::uint32_t v = 0;
    auto [p, ec] = std::from_chars(one.data(), one.data() + one.size(), v);
    if (ec != std::errc() || p != one.data() + one.size() || one.empty())
      return fail("'", std::string(one), "' is not a core or GPU number");
    ids.push_back(v);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return ids;
}

}  // namespace

std::string bind_text(const std::vector<RankSlot>& slots) {
  std::string s;
  for (const auto& slot : slots) {
    if (!s.empty()) s += ' ';
    s += slot.node + '=';
    const std::uint32_t r = slot.ranks ? slot.ranks : 1;
    const std::size_t c = slot.cores.size() / r, g = slot.gpus.size() / r;
    for (std::uint32_t k = 0; k < r; ++k) {
      if (k) s += ':';
      s += join_ids(slot.cores, k * c, c);
      if (g) s += '/' + join_ids(slot.gpus, k * g, g);
    }
  }
  return s;
}

std::string hostfile_text(const std::vector<RankSlot>& slots) {
  std::string s;
  for (const auto& slot : slots)
    for (std::uint32_t k = 0; k < slot.ranks; ++k) s += slot.node + '\n';
  return s;
}

std::vector<std::string> step_argv(const std::vector<RankSlot>& slots, const std::string& job_id,
                                   const std::string& mpi, const std::string& rank_exe,
                                   const std::vector<std::string>& argv) {
  std::uint32_t ranks = 0;
  for (const auto& slot : slots) ranks += slot.ranks;
  std::vector<std::string> a{"srun",
                             "--overlap",
                             "--mpi=" + mpi,
                             "--jobid=" + job_id,
                             "--job-name=compss-mpi",
                             "-N" + std::to_string(slots.size()),
                             "-n" + std::to_string(ranks),
                             "--distribution=arbitrary",  // the nodes, rank by rank: SLURM_HOSTFILE
                             "--kill-on-bad-exit=1",  // a rank that fails ends the step: none is left behind
                             "--quiet",
                             rank_exe,
                             "--"};
  a.insert(a.end(), argv.begin(), argv.end());
  return a;
}

Result<RankPlace> rank_place(std::string_view bind, std::string_view node, std::uint32_t local) {
  while (!bind.empty()) {
    const auto space = bind.find(' ');
    std::string_view entry = bind.substr(0, space);
    bind = space == std::string_view::npos ? std::string_view() : bind.substr(space + 1);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) return fail("COMPSS_RANK_BIND: '", std::string(entry), "' has no '='");
    if (entry.substr(0, eq) != node) continue;
    std::string_view ranks = entry.substr(eq + 1);
    for (std::uint32_t k = 0;; ++k) {
      const auto colon = ranks.find(':');
      if (k == local) {
        const std::string_view one = ranks.substr(0, colon);
        const auto slash = one.find('/');
        auto cores = parse_ids(one.substr(0, slash));
        if (!cores) return fail("COMPSS_RANK_BIND for ", std::string(node), ": ", cores.error().message);
        if (cores->empty()) return fail("COMPSS_RANK_BIND gives rank ", std::to_string(local), " on ", std::string(node), " no core");
        RankPlace p{std::move(*cores), {}};
        if (slash != std::string_view::npos) {
          auto gpus = parse_ids(one.substr(slash + 1));
          if (!gpus) return fail("COMPSS_RANK_BIND for ", std::string(node), ": ", gpus.error().message);
          p.gpus = std::move(*gpus);
        }
        return p;
      }
      if (colon == std::string_view::npos) break;
      ranks.remove_prefix(colon + 1);
    }
    return fail("COMPSS_RANK_BIND has no local rank ", std::to_string(local), " on ", std::string(node));
  }
  return fail("COMPSS_RANK_BIND names no ranks on ", std::string(node));
}

std::string step_failure(std::string_view output) {
  std::string first, first_real;
  constexpr std::string_view kMark = "srun: error: ";
  for (std::size_t at = output.find(kMark); at != std::string_view::npos; at = output.find(kMark, at + 1)) {
    std::string_view line = output.substr(at + kMark.size());
    line = line.substr(0, line.find('\n'));
    // "<node>: task <N>: <what>" or "<node>: tasks <N-M>: <what>"
    const auto c1 = line.find(": task");
    if (c1 == std::string_view::npos) continue;
    const std::string_view node = line.substr(0, c1);
    std::string_view rest = line.substr(c1 + 2);  // "task 1: Exited ..." / "tasks 2-3: Terminated"
    const auto c2 = rest.find(": ");
    if (c2 == std::string_view::npos) continue;
    std::string_view who = rest.substr(0, c2), what = rest.substr(c2 + 2);
    const bool several = who.starts_with("tasks ");
    who.remove_prefix(several ? 6 : 5);
    std::string text = std::string(several ? "ranks " : "rank ") + std::string(who) + " on " + std::string(node) + ": ";
    std::string lower(what);
    if (!lower.empty()) lower[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[0])));
    text += lower;
    if (first.empty()) first = text;
    if (first_real.empty() && what != "Terminated") first_real = text;
  }
  return first_real.empty() ? first : first_real;
}

bool inherited_step_variable(std::string_view name) {
  if (name.starts_with("OMPI_MCA_")) return false;  // the user's (or site's) Open MPI settings
  for (std::string_view p : {"PMIX_", "PMI_", "OMPI_", "SLURM_STEP", "SLURM_PROCID", "SLURM_LOCALID", "SLURM_NODEID",
                             "SLURM_TASK_PID", "SLURM_NTASKS", "SLURM_NPROCS", "SLURM_TASKS_PER_NODE", "SLURM_DISTRIBUTION",
                             "SLURM_CPU_BIND", "SLURM_SRUN_COMM", "SLURM_LAUNCH_NODE", "SLURM_UMASK", "SLURM_PRIO_PROCESS",
                             "SLURM_GTIDS", "SLURM_MPI_TYPE", "SLURM_NNODES", "SLURM_NODELIST", "SLURM_JOB_NODELIST"})
    if (name.starts_with(p)) return true;
  return false;
}

}  // namespace compss::agent

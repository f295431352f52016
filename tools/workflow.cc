// workflow.cc - the synthetic shapes and the workflow file format of workflow.h.
#include "tools/workflow.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>

#include "common/util/parse.h"

namespace compss::tools {
namespace {

using scheduler::AccessMode;
using scheduler::FileAccess;
using scheduler::TaskSpec;

// "<prefix><n>" into `out`, reusing its buffer.
void numbered(std::string& out, std::string_view prefix, std::uint64_t n) {
  char digits[24];
  auto r = std::to_chars(digits, digits + sizeof digits, n);
  out.assign(prefix);
  out.append(digits, r.ptr);
}

// A 40-character command naming the task, as a real one would.
void command_for(std::string& out, std::uint64_t i) {
  char digits[11];
  std::uint64_t v = i;
  for (int k = 9; k >= 0; --k, v /= 10) digits[k] = static_cast<char>('0' + v % 10);
  digits[10] = '\0';
  out.assign("/opt/app/bin/step --task ");
  out.append(digits, 10);
  out.append(" --go");
}

void set_access(TaskSpec& spec, std::size_t k, std::string_view prefix, std::uint64_t n, AccessMode m) {
  if (spec.accesses.size() <= k) spec.accesses.resize(k + 1);
  numbered(spec.accesses[k].path, prefix, n);
  spec.accesses[k].mode = m;
}

class Generated : public TaskSource {
 public:
  explicit Generated(const ShapeOptions& o) : opt_(o), rng_(o.seed) {}
  std::uint64_t size() const override { return opt_.tasks; }
  bool next(TaskSpec& spec, double& duration) override {
    if (i_ >= opt_.tasks) return false;
    spec.name = "step";
    command_for(spec.command, i_);
    spec.after.clear();
    spec.request.cpus = opt_.cpus;
    fill(spec, duration);
    ++i_;
    return true;
  }

 protected:
  virtual void fill(TaskSpec& spec, double& duration) = 0;
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }

  ShapeOptions opt_;
  std::mt19937_64 rng_;
  std::uint64_t i_ = 0;
};

class Chain : public Generated {
 public:
  using Generated::Generated;
  void fill(TaskSpec& spec, double& duration) override {
    spec.accesses.resize(2);
    set_access(spec, 0, i_ == 0 ? "input/" : "f/", i_ == 0 ? 0 : i_ - 1, AccessMode::kIn);
    set_access(spec, 1, "f/", i_, AccessMode::kOut);
    duration = uniform(5, 15);
  }
};

class Fan : public Generated {
 public:
  using Generated::Generated;
  void fill(TaskSpec& spec, double& duration) override {
    const std::uint64_t w = opt_.width, block = i_ / (w + 2), j = i_ % (w + 2);
    if (j == 0) {  // root
      spec.name = "root";
      spec.accesses.resize(2);
      set_access(spec, 0, "input/", block, AccessMode::kIn);
      set_access(spec, 1, "s/", block, AccessMode::kOut);
      duration = 10;
    } else if (j <= w) {  // one of the parallel tasks
      spec.name = "work";
      spec.accesses.resize(2);
      set_access(spec, 0, "s/", block, AccessMode::kIn);
      set_access(spec, 1, "m/", block * w + j, AccessMode::kOut);
      duration = uniform(20, 60);
    } else {  // merge
      spec.name = "merge";
      spec.accesses.resize(w + 1);
      for (std::uint64_t k = 1; k <= w; ++k) set_access(spec, k - 1, "m/", block * w + k, AccessMode::kIn);
      set_access(spec, w, "r/", block, AccessMode::kOut);
      duration = 30;
    }
  }
};

class Random : public Generated {
 public:
  using Generated::Generated;
  void fill(TaskSpec& spec, double& duration) override {
    spec.accesses.resize(2);
    if (i_ == 0) {
      set_access(spec, 0, "input/", 0, AccessMode::kIn);
    } else {
      const std::uint64_t lo = i_ > opt_.window ? i_ - opt_.window : 0;
      set_access(spec, 0, "f/", std::uniform_int_distribution<std::uint64_t>(lo, i_ - 1)(rng_), AccessMode::kIn);
    }
    set_access(spec, 1, "f/", i_, AccessMode::kOut);
    duration = uniform(1, 100);
  }
};

// Members of kSteps chained steps; a member's steps share one random length factor.
class Ensemble : public Generated {
 public:
  static constexpr std::uint64_t kSteps = 4;
  explicit Ensemble(const ShapeOptions& o) : Generated(o), members_(o.tasks > 1 ? (o.tasks - 1) / kSteps : 0) {
    opt_.tasks = members_ * kSteps + 1;
    std::lognormal_distribution<double> len(0.0, 0.6);
    for (std::uint64_t m = 0; m < members_; ++m) factor_.push_back(len(rng_));
  }
  void fill(TaskSpec& spec, double& duration) override {
    if (i_ == members_ * kSteps) {
      spec.name = "merge";
      spec.accesses.resize(members_ + 1);
      for (std::uint64_t m = 0; m < members_; ++m) set_access(spec, m, "member/", m, AccessMode::kIn);
      set_access(spec, members_, "merged/", 0, AccessMode::kOut);
      duration = 60;
      return;
    }
    const std::uint64_t m = i_ / kSteps, step = i_ % kSteps;
    spec.name = "member";
    spec.accesses.resize(1);
    set_access(spec, 0, "member/", m, step == 0 ? AccessMode::kOut : AccessMode::kInout);
    duration = 60 * factor_[m];
  }

 private:
  std::uint64_t members_;
  std::vector<double> factor_;
};

// Montage-like mosaics (modelled on the structure of the Pegasus Montage workflow; durations are ours).
// Per instance, in submission order: kImages mProjectPP, kDiffs mDiffFit (each over two neighbouring
// projections), mConcatFit, mBgModel, kImages mBackground, mImgtbl, mAdd, mShrink, mJPEG.
class Montage : public Generated {
 public:
  static constexpr std::uint32_t kImages = 376, kDiffs = 980, kGridWidth = 16;
  static constexpr std::uint64_t kPerInstance = 2 * kImages + kDiffs + 6;
  static_assert(kPerInstance == kMontageTasks);

  explicit Montage(const ShapeOptions& o) : Generated(o) {
    opt_.tasks = kPerInstance * o.instances;
    // The first kDiffs neighbour pairs of images laid out kGridWidth to a row: right, below, below-right.
    for (std::uint32_t step : {1u, kGridWidth, kGridWidth + 1}) {
      for (std::uint32_t a = 0; a < kImages && pairs_.size() < kDiffs; ++a) {
        const std::uint32_t b = a + step;
        const bool wraps = step != kGridWidth && a % kGridWidth == kGridWidth - 1;
        if (b < kImages && !wraps) pairs_.push_back({a, b});
      }
    }
  }
  void fill(TaskSpec& spec, double& duration) override {
    const std::uint64_t instance = i_ / kPerInstance, j = i_ % kPerInstance;
    if (j == 0) {
      numbered(prefix_, "m", instance);
      prefix_ += '/';
    }
    used_ = 0;
    if (j < kImages) {
      task(spec, duration, "mProjectPP", 8);
      add(spec, "p", j, AccessMode::kOut);
    } else if (j < kImages + kDiffs) {
      const auto [a, b] = pairs_[j - kImages];
      task(spec, duration, "mDiffFit", 1);
      add(spec, "p", a, AccessMode::kIn);
      add(spec, "p", b, AccessMode::kIn);
      add(spec, "d", j - kImages, AccessMode::kOut);
    } else if (j == kImages + kDiffs) {
      task(spec, duration, "mConcatFit", 20);
      for (std::uint64_t d = 0; d < kDiffs; ++d) add(spec, "d", d, AccessMode::kIn);
      add(spec, "fits.tbl", AccessMode::kOut);
    } else if (j == kImages + kDiffs + 1) {
      step(spec, duration, "mBgModel", 30, "fits.tbl", "corrections.tbl");
    } else if (j < 2 * kImages + kDiffs + 2) {
      const std::uint64_t image = j - kImages - kDiffs - 2;
      task(spec, duration, "mBackground", 1.5);
      add(spec, "p", image, AccessMode::kIn);
      add(spec, "corrections.tbl", AccessMode::kIn);
      add(spec, "b", image, AccessMode::kOut);
    } else if (j == 2 * kImages + kDiffs + 2) {
      task(spec, duration, "mImgtbl", 3);
      for (std::uint64_t b = 0; b < kImages; ++b) add(spec, "b", b, AccessMode::kIn);
      add(spec, "images.tbl", AccessMode::kOut);
    } else if (j == 2 * kImages + kDiffs + 3) {
      step(spec, duration, "mAdd", 30, "images.tbl", "mosaic.fits");
    } else if (j == 2 * kImages + kDiffs + 4) {
      step(spec, duration, "mShrink", 3, "mosaic.fits", "small.fits");
    } else {
      step(spec, duration, "mJPEG", 2, "small.fits", "mosaic.jpg");
    }
    spec.accesses.resize(used_);
  }

 private:
  static constexpr double kSigma = 0.3;

  // The kind and a lognormal duration with mean `mean_s`.
  void task(TaskSpec& spec, double& duration, const char* kind, double mean_s) {
    spec.name = kind;
    const double mu = std::log(mean_s) - kSigma * kSigma / 2;
    duration = std::lognormal_distribution<double>(mu, kSigma)(rng_);
  }
  void step(TaskSpec& spec, double& duration, const char* kind, double mean_s, const char* in, const char* out) {
    task(spec, duration, kind, mean_s);
    add(spec, in, AccessMode::kIn);
    add(spec, out, AccessMode::kOut);
  }
  // "m<instance>/<name><n>" or "m<instance>/<name>", appended, reusing the spec's buffers.
  void add(TaskSpec& spec, const char* name, std::uint64_t n, AccessMode m) {
    add(spec, name, m);
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, n);
    spec.accesses[used_ - 1].path.append(digits, r.ptr);
  }
  void add(TaskSpec& spec, const char* name, AccessMode m) {
    if (spec.accesses.size() <= used_) spec.accesses.resize(used_ + 1);
    FileAccess& a = spec.accesses[used_++];
    a.path.assign(prefix_);
    a.path.append(name);
    a.mode = m;
  }

  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs_;
  std::string prefix_;  // "m<instance>/"
  std::size_t used_ = 0;  // accesses filled for this task
};

// --- the file format ----------------------------------------------------------------------------------

struct FileTask {
  TaskSpec spec;
  double duration = 0;
};

class FromFile : public TaskSource {
 public:
  explicit FromFile(std::vector<FileTask> tasks) : tasks_(std::move(tasks)) {}
  std::uint64_t size() const override { return tasks_.size(); }
  bool next(TaskSpec& spec, double& duration) override {
    if (i_ >= tasks_.size()) return false;
    spec = tasks_[i_].spec;
    duration = tasks_[i_].duration;
    ++i_;
    return true;
  }

 private:
  std::vector<FileTask> tasks_;
  std::size_t i_ = 0;
};

Status parse_item(std::string_view item, FileTask& t, const std::map<std::string, std::uint32_t>& ids) {
  const std::size_t eq = item.find('=');
  if (eq == std::string_view::npos) return fail("expected key=value, got '", item, "'");
  const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
  if (key == "cpus") {
    auto n = parse_uint(value, "cpus", 1, 1u << 20);
    if (!n) return n.error();
    t.spec.request.cpus = static_cast<std::uint32_t>(*n);
  } else if (key == "kind") {
    t.spec.name = std::string(value);
  } else if (key == "time") {
    char* end = nullptr;
    const std::string v(value);
    const double s = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(s > 0)) return fail("time: expected seconds > 0, got '", value, "'");
    t.spec.time_limit_s = s;
  } else if (key == "in" || key == "out" || key == "inout") {
    const AccessMode mode = *scheduler::parse_access_mode(key);
    for (std::string_view f : split(value, ',')) t.spec.accesses.push_back(FileAccess{std::string(f), mode});
  } else if (key == "after") {
    for (std::string_view n : split(value, ',')) {
      auto it = ids.find(std::string(n));
      if (it == ids.end()) return fail("after: no task named '", n, "' before this line");
      t.spec.after.push_back(TaskId(it->second));
    }
  } else {
    return fail("unknown key '", key, "' (expected cpus, kind, time, in, out, inout, after)");
  }
  return ok_status();
}

}  // namespace

const char* shape_names() {
  return "chain, fan, random, ensemble, montage";
}

Result<std::unique_ptr<TaskSource>> make_shape(const ShapeOptions& opt) {
  if (opt.shape == "montage") {
    if (opt.instances == 0 || opt.instances > 10000) return fail("--instances must be 1..10000");
    return std::unique_ptr<TaskSource>(new Montage(opt));
  }
  if (opt.instances != 1) return fail("--instances applies to --shape montage and --wfcommons only");
  if (opt.tasks == 0) return fail("--tasks must be at least 1");
  if (opt.shape == "chain") return std::unique_ptr<TaskSource>(new Chain(opt));
  if (opt.shape == "fan") {
    if (opt.width == 0 || opt.width > 65534) return fail("fan width must be 1..65534");
    return std::unique_ptr<TaskSource>(new Fan(opt));
  }
  if (opt.shape == "random") return std::unique_ptr<TaskSource>(new Random(opt));
  if (opt.shape == "ensemble") {
    if (opt.tasks < Ensemble::kSteps + 1) return fail("ensemble needs --tasks of at least 5");
    if ((opt.tasks - 1) / Ensemble::kSteps > 65535) return fail("ensemble supports at most 65535 members");
    return std::unique_ptr<TaskSource>(new Ensemble(opt));
  }
  return fail("unknown shape '", opt.shape, "': expected ", shape_names());
}

Result<std::unique_ptr<TaskSource>> load_workflow(std::string_view text, std::string_view file_name) {
  std::vector<FileTask> tasks;
  std::map<std::string, std::uint32_t> ids;
  std::size_t line_no = 0;
  for (std::string_view raw : split(text, '\n')) {
    ++line_no;
    const std::string where = std::string(file_name) + ":" + std::to_string(line_no) + ": ";
    std::string_view line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    std::vector<std::string_view> words;
    for (std::string_view w : split(line, ' ')) {
      if (!trim(w).empty()) words.push_back(trim(w));
    }
    if (words.size() < 3 || words[0] != "task") return fail(where, "expected 'task NAME DURATION [key=value ...]'");
    FileTask t;
    const std::string name(words[1]);
    if (ids.count(name)) return fail(where, "task '", name, "' is defined twice");
    char* end = nullptr;
    const std::string dur(words[2]);
    t.duration = std::strtod(dur.c_str(), &end);
    if (end == dur.c_str() || *end != '\0' || !(t.duration >= 0)) {
      return fail(where, "bad duration '", dur, "': expected seconds, e.g. 12.5");
    }
    t.spec.name = name;
    t.spec.command = "/bin/" + name;
    for (std::size_t k = 3; k < words.size(); ++k) {
      if (Status s = parse_item(words[k], t, ids); !s) return fail(where, s.error().message);
    }
    ids[name] = static_cast<std::uint32_t>(tasks.size());
    tasks.push_back(std::move(t));
  }
  if (tasks.empty()) return fail(std::string(file_name), ": no task defined");
  return std::unique_ptr<TaskSource>(new FromFile(std::move(tasks)));
}

}  // namespace compss::tools

// elastic_worker.h - where the daemon's blocking connector calls run: off the event loop, one at a time.
//
// A job is a function that runs on the worker (it may block for tens of seconds on slurmctld) and returns a
// continuation; the continuation runs back on the event loop, where all of Elastic's state lives. A job
// must capture only values and the connector (whose calls are thread-safe), never Elastic's state.
//
//   worker.submit([&c, req] {                 // on the worker thread
//     auto st = c.poll_request(req);
//     return [st = std::move(st)] { ... };    // on the event loop
//   });
//
// ThreadWorker: one std::thread and a FIFO queue; continuations go through a `post` function (compssd
// passes boost::asio::post to its io_context). InlineWorker (tests): jobs wait in a queue until
// run_pending(), which runs each job and its continuation on the caller's thread.
//
// Lifecycle: ThreadWorker starts its thread on construction; stop(deadline) runs the jobs already queued,
// then joins; jobs submitted after stop() are dropped. A worker still blocked in a call when the deadline
// passes is detached (the process is ending) and stop() returns false.
// Failure behaviour: none of its own; a job's errors travel in its continuation.
// Thread-safety: submit() and stop() from the event loop's thread; the rest is internal.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace compss::daemon {

using Continuation = std::function<void()>;
using WorkerJob = std::function<Continuation()>;

class Worker {
 public:
  virtual ~Worker() = default;
  virtual void submit(WorkerJob job) = 0;
  virtual std::size_t queued() const = 0;  // jobs not yet finished (the one running included)
};

class ThreadWorker final : public Worker {
 public:
  using Post = std::function<void(Continuation)>;
  explicit ThreadWorker(Post post);
  ~ThreadWorker() override;

  void submit(WorkerJob job) override;
  std::size_t queued() const override;
  // Runs what is queued (their continuations are posted but may never run), then joins; false when the
  // deadline passed first and the thread was left behind.
  bool stop(std::chrono::milliseconds deadline);

 private:
  struct Shared {  // outlives a detached thread
    std::mutex mu;
    std::condition_variable cv;
    std::deque<WorkerJob> jobs;
    std::size_t busy = 0;
    bool stopping = false;
    Post post;
  };
  static void loop(std::shared_ptr<Shared> s);

  std::shared_ptr<Shared> shared_;
  std::thread thread_;
};

class InlineWorker final : public Worker {
 public:
  void submit(WorkerJob job) override { jobs_.push_back(std::move(job)); }
  std::size_t queued() const override { return jobs_.size(); }
  // Runs queued jobs (and jobs their continuations submit) until none is left; returns how many ran.
  std::size_t run_pending();

 private:
  std::deque<WorkerJob> jobs_;
};

}  // namespace compss::daemon

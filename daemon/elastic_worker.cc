#include "daemon/elastic_worker.h"

namespace compss::daemon {

ThreadWorker::ThreadWorker(Post post) : shared_(std::make_shared<Shared>()) {
  shared_->post = std::move(post);
  thread_ = std::thread(loop, shared_);
}

ThreadWorker::~ThreadWorker() {
  {
    std::lock_guard lock(shared_->mu);
    shared_->jobs.clear();  // not yet started: dropped; the one running is waited for briefly
  }
  stop(std::chrono::milliseconds(2000));
}

void ThreadWorker::loop(std::shared_ptr<Shared> s) {
  std::unique_lock lock(s->mu);
  for (;;) {
    s->cv.wait(lock, [&] { return s->stopping || !s->jobs.empty(); });
    if (s->jobs.empty()) break;  // stopping, and nothing left to do
    WorkerJob job = std::move(s->jobs.front());
    s->jobs.pop_front();
    ++s->busy;
    lock.unlock();
    Continuation next = job();
    lock.lock();
    --s->busy;
    if (next) s->post(std::move(next));  // after stop() the loop may never run it; that is the owner's call
    s->cv.notify_all();
  }
}

void ThreadWorker::submit(WorkerJob job) {
  std::lock_guard lock(shared_->mu);
  if (shared_->stopping) return;
  shared_->jobs.push_back(std::move(job));
  shared_->cv.notify_all();
}

std::size_t ThreadWorker::queued() const {
  std::lock_guard lock(shared_->mu);
  return shared_->jobs.size() + shared_->busy;
}

bool ThreadWorker::stop(std::chrono::milliseconds deadline) {
  if (!thread_.joinable()) return true;
  std::unique_lock lock(shared_->mu);
  shared_->stopping = true;
  shared_->cv.notify_all();
  const bool drained = shared_->cv.wait_for(lock, deadline, [&] { return shared_->jobs.empty() && shared_->busy == 0; });
  lock.unlock();
  if (drained) {
    thread_.join();
  } else {
    thread_.detach();  // blocked in libslurm; the process is about to end
  }
  return drained;
}

std::size_t InlineWorker::run_pending() {
  std::size_t ran = 0;
  while (!jobs_.empty()) {
    WorkerJob job = std::move(jobs_.front());
    jobs_.pop_front();
    if (Continuation next = job()) next();
    ++ran;
  }
  return ran;
}

}  // namespace compss::daemon

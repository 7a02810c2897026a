// A small fixed pool of worker threads that runs one parallel-for at a time. Created once per
// trainer (never per call); the calling thread takes part as worker 0, so threads == 1 means no
// extra thread at all.
#pragma once

#include <cstddef>
#include <functional>

namespace fastmlp {

class ThreadPool {
 public:
  // threads >= 1 (total, including the caller).
  explicit ThreadPool(std::size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const;
  // Calls fn(worker) for worker in [0, size()) concurrently and returns when all are done.
  // fn must not throw.
  void run(const std::function<void(std::size_t worker)>& fn);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace fastmlp

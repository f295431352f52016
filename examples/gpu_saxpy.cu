// gpu_saxpy: a small CUDA task for slurm-compss (built when ./configure --with-cuda finds nvcc).
//   compss submit --gpus 1 -- ./gpu-saxpy [N]
// Runs y = 2x + y over N floats (default 2^24) on the first GPU it may use, checks every element on the
// host, and prints which GPU that was (its PCI bus id) and what CUDA_VISIBLE_DEVICES said, so a test can
// compare it with the binding compss explain shows. Exit 0 when the result is right, 1 when it is wrong,
// 2 when no GPU is usable.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

__global__ void saxpy(int n, float a, const float* x, float* y) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}

static int cuda_fail(const char* what, cudaError_t e) {
  std::fprintf(stderr, "gpu-saxpy: %s: %s\n", what, cudaGetErrorString(e));
  return 2;
}

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : (1 << 24);
  const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
  int count = 0;
  if (cudaError_t e = cudaGetDeviceCount(&count); e != cudaSuccess) return cuda_fail("cudaGetDeviceCount", e);
  if (count == 0) {
    std::fprintf(stderr, "gpu-saxpy: no GPU visible (CUDA_VISIBLE_DEVICES=%s)\n", visible ? visible : "unset");
    return 2;
  }
  char bus[32] = "?";
  cudaDeviceGetPCIBusId(bus, sizeof bus, 0);
  std::vector<float> x(n, 1.0f), y(n, 2.0f);
  float *dx = nullptr, *dy = nullptr;
  if (cudaError_t e = cudaMalloc(&dx, n * sizeof(float)); e != cudaSuccess) return cuda_fail("cudaMalloc", e);
  if (cudaError_t e = cudaMalloc(&dy, n * sizeof(float)); e != cudaSuccess) return cuda_fail("cudaMalloc", e);
  cudaMemcpy(dx, x.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  cudaMemcpy(dy, y.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  saxpy<<<(n + 255) / 256, 256>>>(n, 2.0f, dx, dy);
  if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return cuda_fail("saxpy launch", e);
  if (cudaError_t e = cudaMemcpy(y.data(), dy, n * sizeof(float), cudaMemcpyDeviceToHost); e != cudaSuccess)
    return cuda_fail("cudaMemcpy", e);
  cudaFree(dx);
  cudaFree(dy);
  int wrong = 0;
  for (int i = 0; i < n; ++i)
    if (std::fabs(y[i] - 4.0f) > 1e-6f) ++wrong;
  std::printf("gpu-saxpy: %s on GPU %s (CUDA_VISIBLE_DEVICES=%s, %d visible), %d elements, %d wrong\n",
              wrong ? "FAILED" : "ok", bus, visible ? visible : "unset", count, n, wrong);
  return wrong ? 1 : 0;
}

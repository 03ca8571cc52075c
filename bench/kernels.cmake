# SPDX-License-Identifier: GPL-3.0-or-later
# Kernel benchmarks. bench_kernels_cpu: the CPU reference GEMV (every build). bench_kernels_gpu: the CUDA kernels
# against the copy bandwidth and cuBLAS fp16 (CUDA builds only; cuBLAS is linked here and nowhere else).
# Both use the synthetic layers of tests/kernels/kernel_fixtures.h (header-only). bench/gpu.sh drives them.
add_executable(bench_kernels_cpu bench_kernels_cpu.cpp)
target_link_libraries(bench_kernels_cpu PRIVATE glvq_kernels)
glvq_apply_warnings(bench_kernels_cpu)

if(GLVQ_WITH_CUDA)
  add_executable(bench_kernels_gpu bench_kernels_gpu.cpp)
  target_link_libraries(bench_kernels_gpu PRIVATE glvq_kernels CUDA::cublas)
  glvq_apply_warnings(bench_kernels_gpu)
endif()

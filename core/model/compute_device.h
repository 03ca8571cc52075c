// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where torch work runs: chosen at run time ("cpu" or "cuda"), checked against what this LibTorch has.
#include <string>
#include <string_view>

namespace glvq::model {

enum class ComputeDevice { Cpu, Cuda };

// Parses "cpu" / "cuda"; throws glvq::Error for anything else, and for "cuda" when this LibTorch has no
// usable CUDA device (the message says why, e.g. Debian's libtorch is CPU-only).
ComputeDevice parseComputeDevice(std::string_view name);
std::string computeDeviceName(ComputeDevice device); // "cpu" or "cuda:0 (NVIDIA H100 ...)" where known
bool torchCudaAvailable();

// Sets torch's intra-op (OpenMP) thread count to `threads`, else to $GLVQ_CPU_THREADS when set; otherwise leaves
// torch's default. Matrix products use OpenBLAS's own threads either way. Measured on a loaded 2-core machine,
// two OpenMP threads ran the evaluation 2.4x slower than one (barrier spinning on busy cores), so the default is
// not forced up. Call once at start-up.
void configureCpuThreads(int threads = 0);
int cpuThreads();

} // namespace glvq::model

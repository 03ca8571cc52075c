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

} // namespace glvq::model

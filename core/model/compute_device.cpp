// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/compute_device.h"

#include "core/util/error.h"
#include "kernels/device.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace glvq::model {

bool torchCudaAvailable() { return torch::cuda::is_available(); }

void configureCpuThreads(int threads)
{
    if (threads <= 0)
        if (const char* env = std::getenv("GLVQ_CPU_THREADS"))
            threads = std::atoi(env);
    if (threads > 0)
        at::set_num_threads(threads);
}

int cpuThreads() { return at::get_num_threads(); }

ComputeDevice parseComputeDevice(std::string_view name)
{
    if (name == "cpu")
        return ComputeDevice::Cpu;
    if (name == "cuda") {
        if (!torchCudaAvailable())
            throw Error("--device cuda: this LibTorch has no usable CUDA device (Debian's libtorch is CPU-only; build "
                        "against a CUDA LibTorch with -DCMAKE_PREFIX_PATH on a machine with an NVIDIA GPU)");
        return ComputeDevice::Cuda;
    }
    throw Error("unknown device '" + std::string(name) + "' (supported: cpu, cuda)");
}

std::string computeDeviceName(ComputeDevice device)
{
    if (device == ComputeDevice::Cpu)
        return "cpu";
    const auto status = kernels::queryCudaStatus();
    if (!status.devices.empty())
        return "cuda:0 (" + status.devices.front().name + ")";
    return "cuda:0";
}

} // namespace glvq::model

// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/compute_device.h"

#include "core/util/error.h"
#include "kernels/device.h"

#include <torch/cuda.h>

namespace glvq::model {

bool torchCudaAvailable() { return torch::cuda::is_available(); }

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

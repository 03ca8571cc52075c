// SPDX-License-Identifier: GPL-3.0-or-later
#include "kernels/device.h"

#include <cuda_runtime.h>

namespace glvq::kernels {

CudaStatus queryCudaStatus()
{
    CudaStatus status;
    status.builtWithCuda = true;
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        // e.g. cudaErrorInsufficientDriver or cudaErrorNoDevice on machines without a GPU
        status.reason = cudaGetErrorString(err);
        cudaGetLastError(); // clear the sticky-free error so later calls start clean
        return status;
    }
    for (int i = 0; i < count; ++i) {
        cudaDeviceProp prop {};
        if (cudaGetDeviceProperties(&prop, i) != cudaSuccess)
            continue;
        status.devices.push_back({ i, prop.name, prop.major, prop.minor,
                                   static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0) });
    }
    if (status.devices.empty())
        status.reason = "no CUDA device found";
    return status;
}

} // namespace glvq::kernels

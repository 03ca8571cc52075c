// SPDX-License-Identifier: GPL-3.0-or-later
#include "kernels/device.h"

namespace glvq::kernels {

CudaStatus queryCudaStatus()
{
    CudaStatus status;
    status.reason = "this build has no CUDA kernels (configured without nvcc or with -DGLVQ_CUDA=OFF)";
    return status;
}

} // namespace glvq::kernels

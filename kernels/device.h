// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the kernels can run on. Safe to call from any thread; never throws. With no driver or no GPU the
// answer is "no CUDA device" and the reason, never a crash.
#include <string>
#include <vector>

namespace glvq::kernels {

struct CudaDevice {
    int index = 0;
    std::string name;
    int computeMajor = 0;
    int computeMinor = 0;
    double memoryGiB = 0.0;
};

struct CudaStatus {
    bool builtWithCuda = false;       // this binary contains CUDA kernels
    std::vector<CudaDevice> devices;  // empty when none can be used
    std::string reason;               // why there are none (driver missing, no device, not built)
};

CudaStatus queryCudaStatus();

} // namespace glvq::kernels

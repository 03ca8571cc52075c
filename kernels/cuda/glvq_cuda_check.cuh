// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// GLVQ_CUDA_CHECK(call): every CUDA runtime call and every launch in kernels/cuda goes through it. On failure
// it records "cudaErrorX: message in <call> at file:line" for glvq_last_error() and returns the status from
// the enclosing function (GLVQ_ERR_OUT_OF_MEMORY for allocation failures, GLVQ_ERR_NO_CUDA for a missing
// driver or device, GLVQ_ERR_CUDA otherwise). After a launch, check cudaGetLastError() with it.
#include "kernels/glvq_fail.h"

#include <cuda_runtime.h>

glvq_status glvq_cuda_fail(cudaError_t error, const char* call, const char* file, int line);

#define GLVQ_CUDA_CHECK(call)                                                                                   \
    do {                                                                                                        \
        const cudaError_t glvq_cuda_error_ = (call);                                                            \
        if (glvq_cuda_error_ != cudaSuccess)                                                                    \
            return glvq_cuda_fail(glvq_cuda_error_, #call, __FILE__, __LINE__);                                 \
    } while (0)

// A launch: configuration errors are reported by cudaGetLastError() right after it.
#define GLVQ_CUDA_CHECK_LAUNCH() GLVQ_CUDA_CHECK(cudaGetLastError())

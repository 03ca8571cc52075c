// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Status codes of every kernels/ entry point. Kernels never throw: each function returns a glvq_status, and
// on failure leaves a one-line detail ("group 3: word offset 17, expected 16"; "cudaErrorInvalidValue in
// cudaMemcpy(...) at glvq_gpu_layer.cu:88") that glvq_last_error() returns.
//
// Thread-safety: the detail is thread-local, so concurrent callers on different threads never see each
// other's messages. The pointer stays valid until the next failing kernels/ call on the same thread.
// Header usable from C++17 (nvcc) and C++20.

enum glvq_status : int {
    GLVQ_OK = 0,
    GLVQ_ERR_INVALID_ARGUMENT = 1, // null pointer, negative size, batch < 1, code above 2^b − 1, ...
    GLVQ_ERR_BAD_LAYOUT = 2,       // packed stream inconsistent: offsets, group widths, padding bits, side info
    GLVQ_ERR_UNSUPPORTED = 3,      // valid input this implementation does not handle (e.g. CUDA with d = 12)
    GLVQ_ERR_NO_CUDA = 4,          // built without CUDA, or no usable device
    GLVQ_ERR_CUDA = 5,             // a CUDA runtime call or kernel launch failed
    GLVQ_ERR_OUT_OF_MEMORY = 6,    // host or device allocation failed
};

// Short fixed text for a status ("bad layout"); never null.
const char* glvq_status_string(glvq_status status);

// Detail of the last failure on this thread ("" when none yet); never null.
const char* glvq_last_error();

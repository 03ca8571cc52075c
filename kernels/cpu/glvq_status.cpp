// SPDX-License-Identifier: GPL-3.0-or-later
#include "kernels/glvq_fail.h"

#include <string>

namespace {

// One message per thread: callers on different threads (e.g. a GUI job and a CLI test) must not race.
std::string& lastError()
{
    thread_local std::string message;
    return message;
}

} // namespace

const char* glvq_status_string(glvq_status status)
{
    switch (status) {
    case GLVQ_OK: return "ok";
    case GLVQ_ERR_INVALID_ARGUMENT: return "invalid argument";
    case GLVQ_ERR_BAD_LAYOUT: return "bad layout";
    case GLVQ_ERR_UNSUPPORTED: return "unsupported";
    case GLVQ_ERR_NO_CUDA: return "no CUDA";
    case GLVQ_ERR_CUDA: return "CUDA error";
    case GLVQ_ERR_OUT_OF_MEMORY: return "out of memory";
    }
    return "unknown status";
}

const char* glvq_last_error() { return lastError().c_str(); }

glvq_status glvq_fail(glvq_status status, const std::string& detail)
{
    try {
        lastError() = detail;
    } catch (...) {
        // Out of memory while recording the detail: the status still tells the caller what happened.
    }
    return status;
}

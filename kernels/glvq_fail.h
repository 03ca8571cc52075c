// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Internal to kernels/ (CPU and CUDA sources): record a failure detail for glvq_last_error() and return the
// status, so validation reads `return glvq_fail(GLVQ_ERR_BAD_LAYOUT, "...")`. Not part of the public API.
#include "kernels/glvq_status.h"

#include <cstdint>
#include <string>

struct glvq_packed_layer;

glvq_status glvq_fail(glvq_status status, const std::string& detail);

// The checks every host product and decode over a row range starts with: glvq_check_packed, then
// 0 ≤ row_begin ≤ row_end ≤ rows. `what` names the operation in the message ("gemv", "decode", ...).
glvq_status glvq_check_row_range(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                                 const char* what);

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Internal to kernels/ (CPU and CUDA sources): record a failure detail for glvq_last_error() and return the
// status, so validation reads `return glvq_fail(GLVQ_ERR_BAD_LAYOUT, "...")`. Not part of the public API.
#include "kernels/glvq_status.h"

#include <string>

glvq_status glvq_fail(glvq_status status, const std::string& detail);

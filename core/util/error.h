// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The one exception type the engine throws for bad input. Its message is a single line that names
// the file, tensor or field at fault, so the CLI and the GUI can show it as it is.
#include <stdexcept>
#include <string>

namespace glvq {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message)
        : std::runtime_error(message)
    {
    }
};

// Thrown when a CancelToken fires; distinct from Error so callers can tell "stopped" from "failed".
class Cancelled : public std::runtime_error {
public:
    Cancelled()
        : std::runtime_error("cancelled")
    {
    }
};

} // namespace glvq

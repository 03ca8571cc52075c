// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the status bar shows about the machine: this process's resident memory (Linux /proc) and GPU presence.
#include <QString>

namespace glvq::gui {

double residentMegabytes(); // 0 when unknown
QString deviceDescription(bool cudaAvailable);

} // namespace glvq::gui

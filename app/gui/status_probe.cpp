// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/status_probe.h"

#include <QFile>

#include <unistd.h>

namespace glvq::gui {

double residentMegabytes()
{
    QFile statm(QStringLiteral("/proc/self/statm")); // "size resident shared ..." in pages
    if (!statm.open(QIODevice::ReadOnly))
        return 0.0;
    const auto fields = statm.readAll().split(' ');
    if (fields.size() < 2)
        return 0.0;
    return fields[1].toDouble() * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

QString deviceDescription(bool cudaAvailable)
{
    return cudaAvailable ? QStringLiteral("device: CPU + CUDA") : QStringLiteral("device: CPU (no CUDA in this LibTorch)");
}

} // namespace glvq::gui

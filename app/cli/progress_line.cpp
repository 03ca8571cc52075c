// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/progress_line.h"

#include <cstdio>
#include <unistd.h>

namespace glvq::cli {

namespace {

std::string formatSeconds(double seconds)
{
    if (seconds < 0)
        return "?";
    const auto total = static_cast<long>(seconds + 0.5);
    char buffer[32];
    if (total >= 3600)
        std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", total / 3600, (total / 60) % 60);
    else if (total >= 60)
        std::snprintf(buffer, sizeof buffer, "%ldm%02lds", total / 60, total % 60);
    else
        std::snprintf(buffer, sizeof buffer, "%lds", total);
    return buffer;
}

} // namespace

ProgressLine::ProgressLine(bool quiet)
    : m_quiet(quiet)
    , m_terminal(::isatty(STDERR_FILENO) == 1)
{
}

ProgressLine::~ProgressLine()
{
    if (m_lineOpen)
        std::fputc('\n', stderr);
}

ProgressCallback ProgressLine::callback()
{
    return [this](const ProgressInfo& info) { show(info); };
}

void ProgressLine::show(const ProgressInfo& info)
{
    if (m_quiet)
        return;
    if (info.stage != m_lastStage) {
        m_lastStage = info.stage;
        m_lastDecile = -1;
    }
    const int decile = static_cast<int>(info.fraction * 10.0);
    if (!m_terminal && decile == m_lastDecile)
        return;
    m_lastDecile = decile;
    std::fprintf(stderr, "%s[%s] %5.1f%%  %-22s elapsed %s  ETA %s%s", m_terminal ? "\r\033[K" : "", info.stage.c_str(),
                 100.0 * info.fraction, info.detail.c_str(), formatSeconds(info.elapsedSeconds).c_str(),
                 formatSeconds(info.etaSeconds).c_str(), m_terminal ? "" : "\n");
    m_lineOpen = m_terminal;
    if (m_terminal && info.fraction >= 1.0) {
        std::fputc('\n', stderr);
        m_lineOpen = false;
    }
    std::fflush(stderr);
}

} // namespace glvq::cli

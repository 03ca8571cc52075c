// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/progress.h"

#include <algorithm>

namespace glvq {

namespace {
constexpr auto kMinReportInterval = std::chrono::milliseconds(100); // don't spam the listener
}

ProgressReporter::ProgressReporter(ProgressCallback callback, std::string stage, double totalUnits)
    : m_callback(std::move(callback))
    , m_stage(std::move(stage))
    , m_total(std::max(totalUnits, 1e-12))
    , m_start(std::chrono::steady_clock::now())
    , m_lastReport(m_start - kMinReportInterval)
{
}

void ProgressReporter::advance(double units, const std::string& detail)
{
    m_done = std::min(m_total, m_done + units);
    const auto now = std::chrono::steady_clock::now();
    if (m_done >= m_total || now - m_lastReport >= kMinReportInterval)
        report(detail);
}

void ProgressReporter::finish(const std::string& detail)
{
    m_done = m_total;
    report(detail);
}

void ProgressReporter::report(const std::string& detail)
{
    if (!m_callback)
        return;
    const auto now = std::chrono::steady_clock::now();
    m_lastReport = now;
    ProgressInfo info;
    info.fraction = m_done / m_total;
    info.stage = m_stage;
    info.detail = detail;
    info.elapsedSeconds = std::chrono::duration<double>(now - m_start).count();
    if (info.fraction > 0.0)
        info.etaSeconds = info.elapsedSeconds * (1.0 - info.fraction) / info.fraction;
    m_callback(info);
}

} // namespace glvq

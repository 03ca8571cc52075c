// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Progress reporting for long work. Core code reports through a ProgressCallback and never knows who
// listens (the CLI's progress line, the GUI's job runner). Callbacks run on the worker's thread: a
// listener that touches a GUI must hop threads itself.
#include <chrono>
#include <functional>
#include <string>

namespace glvq {

struct ProgressInfo {
    double fraction = 0.0;        // of the whole job, in [0, 1]
    std::string stage;            // e.g. "tokenize", "evaluate"
    std::string detail;           // e.g. "window 12/232"
    double elapsedSeconds = 0.0;  // since the reporter started
    double etaSeconds = -1.0;     // estimated seconds left; negative while unknown
};

using ProgressCallback = std::function<void(const ProgressInfo&)>;

// Turns "done k of n units" into throttled ProgressInfo updates with an ETA.
// Not thread-safe: one reporter per worker thread.
class ProgressReporter {
public:
    ProgressReporter(ProgressCallback callback, std::string stage, double totalUnits);

    // Marks `units` more units as done. Reports at most every 100 ms, and always on the last unit.
    void advance(double units = 1.0, const std::string& detail = {});
    void finish(const std::string& detail = {});

private:
    void report(const std::string& detail);

    ProgressCallback m_callback;
    std::string m_stage;
    double m_total;
    double m_done = 0.0;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_lastReport;
};

} // namespace glvq

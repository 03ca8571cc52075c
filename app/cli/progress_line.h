// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Progress on stderr for long CLI runs: a live line (stage, percent, detail, elapsed, ETA) on a terminal, and
// one plain line per 10 % when stderr is a pipe or file, so logs stay readable.
#include "core/util/progress.h"

namespace glvq::cli {

class ProgressLine {
public:
    explicit ProgressLine(bool quiet = false);
    ~ProgressLine(); // ends a live line cleanly

    ProgressCallback callback();

private:
    void show(const ProgressInfo& info);

    bool m_quiet;
    bool m_terminal;
    bool m_lineOpen = false;
    int m_lastDecile = -1;
    std::string m_lastStage;
};

} // namespace glvq::cli

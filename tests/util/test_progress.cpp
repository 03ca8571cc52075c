// SPDX-License-Identifier: GPL-3.0-or-later
// Progress reports: fractions in [0, 1], a final report at 1, throttling, an ETA once work is done; cancel tokens.
#include "core/util/cancel.h"
#include "core/util/progress.h"

#include <gtest/gtest.h>

#include <thread>

TEST(ProgressReporter, ReportsFractionsThrottlesAndAlwaysReportsTheEnd)
{
    std::vector<glvq::ProgressInfo> reports;
    glvq::ProgressReporter reporter([&](const glvq::ProgressInfo& info) { reports.push_back(info); }, "stage", 1000);
    for (int i = 0; i < 1000; ++i)
        reporter.advance(1, "unit");
    // 1000 quick units: the first is reported, then throttled to one every 100 ms, and the last always.
    ASSERT_GE(reports.size(), 2u);
    EXPECT_LT(reports.size(), 50u);
    EXPECT_DOUBLE_EQ(reports.back().fraction, 1.0);
    EXPECT_EQ(reports.back().stage, "stage");
    EXPECT_NEAR(reports.back().etaSeconds, 0.0, 1e-12);
    for (std::size_t i = 1; i < reports.size(); ++i)
        EXPECT_GE(reports[i].fraction, reports[i - 1].fraction);
}

TEST(ProgressReporter, EtaExtrapolatesElapsedTime)
{
    glvq::ProgressInfo last;
    glvq::ProgressReporter reporter([&](const glvq::ProgressInfo& info) { last = info; }, "s", 4);
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    reporter.advance(1);
    EXPECT_DOUBLE_EQ(last.fraction, 0.25);
    EXPECT_NEAR(last.etaSeconds, 3 * last.elapsedSeconds, 1e-9);
    EXPECT_GE(last.elapsedSeconds, 0.1);
}

TEST(Cancel, TokenSeesTheSourceFromAnotherThread)
{
    glvq::CancelSource source;
    const auto token = source.token();
    EXPECT_FALSE(token.isCancelled());
    std::thread([&] { source.requestCancel(); }).join();
    EXPECT_TRUE(token.isCancelled());
    EXPECT_THROW(token.throwIfCancelled(), glvq::Cancelled);
    EXPECT_FALSE(glvq::CancelToken().isCancelled());
}

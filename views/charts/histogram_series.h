// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Histograms as Qt Charts step lines: bin counts over a shared range so overlaid series compare bin for bin.
#include <QString>

#include <vector>

QT_BEGIN_NAMESPACE
class QLineSeries;
QT_END_NAMESPACE

namespace glvq::views {

struct HistogramRange {
    double low = -1.0;
    double high = 1.0;
    int bins = 80;
};

// A range covering every finite value of all `arrays` (a small margin added; [−1, 1] when all are empty).
HistogramRange rangeOf(const std::vector<const std::vector<float>*>& arrays, int bins);
// The step outline of `values`' histogram over `range`, as fractions of the values (so sizes compare).
QLineSeries* histogramSeries(const std::vector<float>& values, const HistogramRange& range, const QString& name);
// The largest bin fraction of `values` over `range` (for the y axis).
double histogramPeak(const std::vector<float>& values, const HistogramRange& range);

} // namespace glvq::views

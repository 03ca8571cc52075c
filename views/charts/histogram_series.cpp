// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/charts/histogram_series.h"

#include <QLineSeries>

#include <algorithm>
#include <cmath>

namespace glvq::views {

namespace {

std::vector<double> fractions(const std::vector<float>& values, const HistogramRange& range)
{
    std::vector<double> counts(std::size_t(range.bins), 0.0);
    const double width = (range.high - range.low) / range.bins;
    double total = 0;
    for (float v : values) {
        if (!std::isfinite(v))
            continue;
        const int bin = std::clamp(int((v - range.low) / width), 0, range.bins - 1);
        counts[std::size_t(bin)] += 1;
        total += 1;
    }
    if (total > 0)
        for (auto& c : counts)
            c /= total;
    return counts;
}

} // namespace

HistogramRange rangeOf(const std::vector<const std::vector<float>*>& arrays, int bins)
{
    double low = INFINITY, high = -INFINITY;
    for (const auto* array : arrays)
        for (float v : *array)
            if (std::isfinite(v)) {
                low = std::min(low, double(v));
                high = std::max(high, double(v));
            }
    if (!(low < high))
        return { std::isfinite(low) ? low - 1 : -1.0, std::isfinite(high) ? high + 1 : 1.0, bins };
    const double margin = 0.02 * (high - low);
    return { low - margin, high + margin, bins };
}

QLineSeries* histogramSeries(const std::vector<float>& values, const HistogramRange& range, const QString& name)
{
    auto* series = new QLineSeries;
    series->setName(name);
    const auto counts = fractions(values, range);
    const double width = (range.high - range.low) / range.bins;
    series->append(range.low, 0);
    for (int b = 0; b < range.bins; ++b) {
        series->append(range.low + b * width, counts[std::size_t(b)]);
        series->append(range.low + (b + 1) * width, counts[std::size_t(b)]);
    }
    series->append(range.high, 0);
    return series;
}

double histogramPeak(const std::vector<float>& values, const HistogramRange& range)
{
    const auto counts = fractions(values, range);
    return counts.empty() ? 0.0 : *std::max_element(counts.begin(), counts.end());
}

} // namespace glvq::views

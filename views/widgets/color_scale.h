// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Colour maps shared by the heatmaps, with a painter for their legends (a heatmap without a legend is a picture,
// not a measurement). Pure functions; GUI thread (QPainter).
#include <QColor>
#include <QRect>
#include <QString>

class QPainter;

namespace glvq::views {

// Blue (−limit) → white (0) → red (+limit); values beyond ±limit saturate.
QColor divergingColor(double value, double limit);
// Dark blue → teal → yellow (viridis-like) for t in [0, 1].
QColor sequentialColor(double t);
// Fixed colours for 1..4 bits (colour-blind-safe palette).
QColor bitsColor(int bits);

// A vertical colour bar in `rect` with the bar on the left and tick labels (min, middle, max) on its right.
void paintDivergingLegend(QPainter& painter, const QRect& rect, double limit, const QString& title);
// `logScale`: the colours run linearly in log(value), so the middle tick is the geometric mean.
void paintSequentialLegend(QPainter& painter, const QRect& rect, double low, double high, const QString& title,
                           bool logScale = false);

} // namespace glvq::views

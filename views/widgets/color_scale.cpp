// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/widgets/color_scale.h"

#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace glvq::views {

namespace {

QColor mix(const QColor& a, const QColor& b, double t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

void paintBar(QPainter& painter, const QRect& bar, const QRect& rect, const QString& title, const QString& top,
              const QString& middle, const QString& bottom)
{
    painter.setPen(Qt::black);
    painter.drawRect(bar.adjusted(0, 0, -1, -1));
    const QFontMetrics metrics = painter.fontMetrics();
    const int x = bar.right() + 4;
    painter.drawText(QPoint(x, bar.top() + metrics.ascent() / 2), top);
    painter.drawText(QPoint(x, bar.center().y() + metrics.ascent() / 2), middle);
    painter.drawText(QPoint(x, bar.bottom() + metrics.ascent() / 2), bottom);
    painter.drawText(QRect(rect.left(), rect.top(), rect.width(), metrics.height()), Qt::AlignLeft, title);
}

} // namespace

QColor divergingColor(double value, double limit)
{
    const double t = limit > 0 ? std::clamp(value / limit, -1.0, 1.0) : 0.0;
    static const QColor blue(33, 102, 172), white(247, 247, 247), red(178, 24, 43);
    return t < 0 ? mix(white, blue, -t) : mix(white, red, t);
}

QColor sequentialColor(double t)
{
    static const QColor stops[] = { QColor(68, 1, 84), QColor(59, 82, 139), QColor(33, 145, 140), QColor(94, 201, 98),
                                    QColor(253, 231, 37) };
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * 4.0;
    const int i = std::min(3, int(t));
    return mix(stops[i], stops[i + 1], t - i);
}

QColor bitsColor(int bits)
{
    switch (bits) {
    case 1:
        return QColor(230, 159, 0);
    case 2:
        return QColor(86, 180, 233);
    case 3:
        return QColor(0, 158, 115);
    case 4:
        return QColor(204, 121, 167);
    default:
        return QColor(200, 200, 200);
    }
}

void paintDivergingLegend(QPainter& painter, const QRect& rect, double limit, const QString& title)
{
    const int titleHeight = painter.fontMetrics().height() + 6;
    const QRect bar(rect.left(), rect.top() + titleHeight, 16, std::max(20, rect.height() - titleHeight - 8));
    for (int y = 0; y < bar.height(); ++y)
        painter.fillRect(bar.left(), bar.top() + y, bar.width(), 1,
                         divergingColor(limit * (1.0 - 2.0 * y / std::max(1, bar.height() - 1)), limit));
    paintBar(painter, bar, rect, title, QString::number(limit, 'g', 3), QStringLiteral("0"),
             QString::number(-limit, 'g', 3));
}

void paintSequentialLegend(QPainter& painter, const QRect& rect, double low, double high, const QString& title,
                           bool logScale)
{
    const int titleHeight = painter.fontMetrics().height() + 6;
    const QRect bar(rect.left(), rect.top() + titleHeight, 16, std::max(20, rect.height() - titleHeight - 8));
    for (int y = 0; y < bar.height(); ++y)
        painter.fillRect(bar.left(), bar.top() + y, bar.width(), 1,
                         sequentialColor(1.0 - double(y) / std::max(1, bar.height() - 1)));
    const double middle = logScale ? std::sqrt(low * high) : 0.5 * (low + high);
    paintBar(painter, bar, rect, title, QString::number(high, 'g', 3), QString::number(middle, 'g', 3),
             QString::number(low, 'g', 3));
}

} // namespace glvq::views

// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/widgets/bit_map_canvas.h"

#include "views/models/bit_plan.h"
#include "views/widgets/color_scale.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <limits>

namespace glvq::views {

namespace {

constexpr int kLegendWidth = 150;
constexpr int kHeaderHeight = 22;

QString shortName(const std::string& name)
{
    // "model.layers.3.mlp.down_proj" -> "3 mlp.down_proj"
    QString text = QString::fromStdString(name);
    text.remove(QStringLiteral("model.layers."));
    return text.replace(QStringLiteral(".self_attn."), QStringLiteral(" attn.")).replace(QStringLiteral(".mlp."), QStringLiteral(" mlp."));
}

} // namespace

BitMapCanvas::BitMapCanvas(const BitPlan& plan, QWidget* parent)
    : QWidget(parent)
    , m_plan(plan)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void BitMapCanvas::setColoring(Coloring coloring)
{
    m_coloring = coloring;
    update();
}

void BitMapCanvas::setSelected(int layer, int group)
{
    m_selectedLayer = layer;
    m_selectedGroup = group;
    update();
}

void BitMapCanvas::planChanged()
{
    updateGeometry();
    update();
}

QSize BitMapCanvas::sizeHint() const { return { 560, std::max(200, kHeaderHeight + m_plan.layerCount() * 14 + 10) }; }

int BitMapCanvas::labelWidth() const { return fontMetrics().horizontalAdvance(QStringLiteral("00 attn.o_proj  ")) + 20; }

QRect BitMapCanvas::gridRect() const
{
    const int left = labelWidth();
    return { left, kHeaderHeight, std::max(40, width() - left - kLegendWidth - 10), std::max(20, height() - kHeaderHeight - 6) };
}

void BitMapCanvas::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    painter.setPen(palette().text().color());
    const int layers = m_plan.layerCount(), groups = m_plan.maxGroupCount();
    if (layers == 0 || groups == 0) {
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                         tr("No bit map yet: run the pipeline (or open an exported .h5) to see bits per group."));
        return;
    }
    const QRect grid = gridRect();
    const double cellW = double(grid.width()) / groups, cellH = double(grid.height()) / layers;
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (int l = 0; l < layers; ++l)
        for (const auto& g : m_plan.layer(l).groups)
            if (g.salience > 0) {
                lo = std::min(lo, g.salience);
                hi = std::max(hi, g.salience);
            }
    const bool haveSalience = hi > 0;
    const int labelEvery = std::max(1, int(std::ceil(fontMetrics().height() / std::max(1.0, cellH))));
    for (int l = 0; l < layers; ++l) {
        const auto& layer = m_plan.layer(l);
        painter.setPen(palette().text().color());
        if (l % labelEvery == 0)
            painter.drawText(QRectF(4, grid.top() + l * cellH, grid.left() - 8, std::max(cellH, double(fontMetrics().height()))),
                             Qt::AlignRight | Qt::AlignTop, shortName(layer.name));
        for (int g = 0; g < int(layer.groups.size()); ++g) {
            const QRectF cell(grid.left() + g * cellW, grid.top() + l * cellH, cellW, cellH);
            QColor color;
            if (m_coloring == Coloring::Bits)
                color = bitsColor(m_plan.bits(l, g));
            else {
                const double s = layer.groups[std::size_t(g)].salience;
                color = s > 0 && haveSalience ? sequentialColor(hi > lo ? std::log(s / lo) / std::log(hi / lo) : 0.5)
                                              : QColor(210, 210, 210);
            }
            painter.fillRect(cell, color);
            painter.setPen(QColor(255, 255, 255));
            painter.drawRect(cell);
            if (m_plan.isEdited(l, g)) { // edited cells carry a black corner mark
                painter.setBrush(Qt::black);
                painter.setPen(Qt::NoPen);
                painter.drawPolygon(QPolygonF({ cell.topRight(), cell.topRight() + QPointF(-std::min(8.0, cellW / 2), 0),
                                                cell.topRight() + QPointF(0, std::min(8.0, cellH / 2)) }));
                painter.setBrush(Qt::NoBrush);
            }
        }
    }
    painter.setPen(palette().text().color());
    for (int g = 0; g < groups; ++g)
        painter.drawText(QRectF(grid.left() + g * cellW, 2, cellW, kHeaderHeight - 4), Qt::AlignCenter,
                         cellW > 40 ? QStringLiteral("group ") + QString::number(g) : QString::number(g));
    if (m_selectedLayer >= 0 && m_selectedGroup >= 0) {
        painter.setPen(QPen(Qt::black, 3));
        painter.drawRect(QRectF(grid.left() + m_selectedGroup * cellW, grid.top() + m_selectedLayer * cellH, cellW, cellH));
    }
    const QRect legend(grid.right() + 16, grid.top(), kLegendWidth - 20, std::min(grid.height(), 260));
    if (m_coloring == Coloring::Bits) {
        painter.setPen(palette().text().color());
        painter.drawText(legend.topLeft() + QPoint(0, fontMetrics().ascent()), tr("bits per weight"));
        for (int b = 1; b <= 4; ++b) {
            const QRect swatch(legend.left(), legend.top() + 8 + b * (fontMetrics().height() + 6), 18, fontMetrics().height());
            painter.fillRect(swatch, bitsColor(b));
            painter.drawText(swatch.topRight() + QPoint(6, fontMetrics().ascent()), QString::number(b) + (b == 1 ? QStringLiteral(" bit") : QStringLiteral(" bits")));
        }
        painter.drawText(QRect(legend.left(), legend.top() + 8 + 5 * (fontMetrics().height() + 6), legend.width(), 40),
                         Qt::TextWordWrap, tr("◥ edited"));
    } else if (haveSalience) {
        paintSequentialLegend(painter, legend, lo, hi, tr("salience (log scale)"), true);
    } else {
        painter.drawText(legend, Qt::TextWordWrap, tr("no salience: this run used uniform allocation"));
    }
}

void BitMapCanvas::mousePressEvent(QMouseEvent* event)
{
    const QRect grid = gridRect();
    const int layers = m_plan.layerCount(), groups = m_plan.maxGroupCount();
    if (layers == 0 || groups == 0 || !grid.contains(event->position().toPoint()))
        return;
    const int g = int((event->position().x() - grid.left()) / (double(grid.width()) / groups));
    const int l = int((event->position().y() - grid.top()) / (double(grid.height()) / layers));
    if (l >= 0 && l < layers && g >= 0 && g < m_plan.groupCount(l))
        Q_EMIT cellClicked(l, g);
}

} // namespace glvq::views

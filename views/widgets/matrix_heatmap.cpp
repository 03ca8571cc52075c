// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/widgets/matrix_heatmap.h"

#include "views/widgets/color_scale.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace glvq::views {

MatrixHeatmap::MatrixHeatmap(const QString& title, QWidget* parent)
    : QWidget(parent)
    , m_title(title)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void MatrixHeatmap::setMatrix(const std::vector<double>& values, int dim, double limit)
{
    m_values = values;
    m_dim = dim;
    m_limit = limit > 0 ? limit : 1.0;
    m_message.clear();
    update();
}

void MatrixHeatmap::clear(const QString& message)
{
    m_values.clear();
    m_dim = 0;
    m_message = message;
    update();
}

QRect MatrixHeatmap::gridRect() const
{
    const int titleHeight = fontMetrics().height() + 8;
    const int legendWidth = 70;
    const int side = std::max(10, std::min(width() - legendWidth - 12, height() - titleHeight - 8));
    return { 6, titleHeight, side, side };
}

void MatrixHeatmap::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    painter.setPen(palette().text().color());
    painter.drawText(QRect(6, 2, width() - 12, fontMetrics().height() + 4), Qt::AlignLeft | Qt::AlignVCenter, m_title);
    if (m_dim == 0) {
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_message);
        return;
    }
    const QRect grid = gridRect();
    const double cell = double(grid.width()) / m_dim;
    QFont valueFont = font();
    valueFont.setPixelSize(std::max(7, int(cell / 3.6)));
    painter.setFont(valueFont);
    for (int a = 0; a < m_dim; ++a)
        for (int b = 0; b < m_dim; ++b) {
            const QRectF r(grid.left() + b * cell, grid.top() + a * cell, cell, cell);
            const double value = m_values[std::size_t(a * m_dim + b)];
            painter.fillRect(r, divergingColor(value, m_limit));
            if (cell >= 26) { // values are readable only in large enough cells; smaller ones show them on hover
                painter.setPen(std::abs(value) > 0.6 * m_limit ? Qt::white : Qt::black);
                painter.drawText(r, Qt::AlignCenter, QString::number(std::abs(value) < 0.005 ? 0.0 : value, 'f', 2)); // no "-0.00"
            }
        }
    painter.setFont(font());
    painter.setPen(QColor(120, 120, 120));
    painter.drawRect(grid.adjusted(0, 0, -1, -1));
    paintDivergingLegend(painter, QRect(grid.right() + 10, grid.top() - fontMetrics().height() - 6, 60, grid.height() + fontMetrics().height() + 6),
                         m_limit, QString());
}

void MatrixHeatmap::mouseMoveEvent(QMouseEvent* event)
{
    const QRect grid = gridRect();
    if (m_dim == 0 || !grid.contains(event->position().toPoint()))
        return;
    const double cell = double(grid.width()) / m_dim;
    const int b = std::clamp(int((event->position().x() - grid.left()) / cell), 0, m_dim - 1);
    const int a = std::clamp(int((event->position().y() - grid.top()) / cell), 0, m_dim - 1);
    m_hover = m_title.section(QLatin1Char(' '), 0, 0) + QStringLiteral("[") + QString::number(a) + QStringLiteral(", ")
        + QString::number(b) + QStringLiteral("] = ") + QString::number(m_values[std::size_t(a * m_dim + b)], 'g', 6);
    QToolTip::showText(event->globalPosition().toPoint(), m_hover, this);
}

} // namespace glvq::views

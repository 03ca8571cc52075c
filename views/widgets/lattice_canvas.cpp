// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/widgets/lattice_canvas.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>

#include <algorithm>
#include <functional>
#include <cmath>

namespace glvq::views {

namespace {

const QColor kSubvector(31, 119, 180, 110);
const QColor kDecoded(214, 39, 40);
const QColor kBabai(255, 127, 14);
const QColor kVoronoi(44, 160, 44);

QPolygonF polygonOf(const std::vector<inspect::PlanePoint>& points, const std::function<QPointF(double, double)>& map)
{
    QPolygonF polygon;
    for (const auto& p : points)
        polygon << map(p.x, p.y);
    return polygon;
}

} // namespace

LatticeCanvas::LatticeCanvas(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setCursor(Qt::OpenHandCursor);
}

void LatticeCanvas::setPoints(std::vector<QPointF> subvectors, std::vector<QPointF> decoded)
{
    m_subvectors = std::move(subvectors);
    m_decoded = std::move(decoded);
    m_message.clear();
    update();
}

void LatticeCanvas::setSlice(const inspect::LatticeSlice& slice)
{
    m_slice = slice;
    update();
}

void LatticeCanvas::setAxisLabels(const QString& x, const QString& y)
{
    m_axisX = x;
    m_axisY = y;
    update();
}

void LatticeCanvas::setMessage(const QString& message)
{
    m_message = message;
    m_subvectors.clear();
    m_decoded.clear();
    m_slice = {};
    update();
}

void LatticeCanvas::resetView(double halfWidth)
{
    m_autoFit = true;
    m_fitHalfWidth = halfWidth;
    m_center = { 0.0, 0.0 };
    const int side = std::max(100, std::min(width(), height()) - 60);
    m_pixelsPerUnit = side / (2.0 * std::max(1e-6, halfWidth));
    update();
    Q_EMIT windowChanged(visibleWindow());
}

QRectF LatticeCanvas::visibleWindow() const
{
    const double w = width() / m_pixelsPerUnit, h = height() / m_pixelsPerUnit;
    return { m_center.x() - w / 2, m_center.y() - h / 2, w, h };
}

QPointF LatticeCanvas::toScreen(double x, double y) const
{
    return { width() / 2.0 + (x - m_center.x()) * m_pixelsPerUnit, height() / 2.0 - (y - m_center.y()) * m_pixelsPerUnit };
}

QPointF LatticeCanvas::toPlane(const QPointF& s) const
{
    return { m_center.x() + (s.x() - width() / 2.0) / m_pixelsPerUnit,
             m_center.y() - (s.y() - height() / 2.0) / m_pixelsPerUnit };
}

void LatticeCanvas::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(rect(), Qt::white);
    if (!m_message.isEmpty()) {
        painter.setPen(Qt::black);
        painter.drawText(rect().adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap, m_message);
        return;
    }
    const auto map = [this](double x, double y) { return toScreen(x, y); };
    for (const auto& cell : m_slice.cells) {
        painter.setPen(QPen(QColor(150, 150, 150), 1));
        painter.setBrush(cell.inCodebook ? QColor(235, 240, 250) : QColor(250, 250, 250));
        painter.drawPolygon(polygonOf(cell.polygon, map));
    }
    painter.setBrush(Qt::NoBrush);
    paintAxes(painter);
    // Rounding error: each sub-vector joined to the lattice point it decodes to (a sample, to stay legible).
    const std::size_t step = std::max<std::size_t>(1, m_subvectors.size() / 3000);
    painter.setPen(QPen(QColor(120, 120, 120, 60), 1));
    for (std::size_t i = 0; i < m_subvectors.size() && i < m_decoded.size(); i += step * 4)
        painter.drawLine(toScreen(m_subvectors[i].x(), m_subvectors[i].y()), toScreen(m_decoded[i].x(), m_decoded[i].y()));
    painter.setPen(Qt::NoPen);
    painter.setBrush(kSubvector);
    for (std::size_t i = 0; i < m_subvectors.size(); i += step)
        painter.drawEllipse(toScreen(m_subvectors[i].x(), m_subvectors[i].y()), 2.0, 2.0);
    painter.setPen(QPen(kDecoded, 1.6));
    for (std::size_t i = 0; i < m_decoded.size(); i += step) {
        const QPointF p = toScreen(m_decoded[i].x(), m_decoded[i].y());
        painter.drawLine(p + QPointF(-3, -3), p + QPointF(3, 3));
        painter.drawLine(p + QPointF(-3, 3), p + QPointF(3, -3));
    }
    painter.setBrush(Qt::NoBrush);
    if (m_slice.babaiVoronoi.size() >= 3) {
        painter.setPen(QPen(kVoronoi, 4.5)); // wider than the Babai cell drawn over it: both stay visible
        painter.drawPolygon(polygonOf(m_slice.babaiVoronoi, map));
    }
    if (m_slice.babaiCell.size() >= 3) {
        painter.setPen(QPen(kBabai, 2.0, Qt::DashLine));
        painter.drawPolygon(polygonOf(m_slice.babaiCell, map));
    }
    paintLegend(painter);
}

void LatticeCanvas::paintAxes(QPainter& painter) const
{
    painter.setPen(QPen(QColor(90, 90, 90), 1, Qt::DotLine));
    painter.drawLine(toScreen(visibleWindow().left(), 0), toScreen(visibleWindow().right(), 0));
    painter.drawLine(toScreen(0, visibleWindow().top()), toScreen(0, visibleWindow().bottom()));
    painter.setPen(Qt::black);
    const QFontMetrics fm = painter.fontMetrics();
    painter.drawText(QPointF(width() - fm.horizontalAdvance(m_axisX) - 8, height() - 8), m_axisX);
    painter.save();
    painter.translate(14, 8 + fm.horizontalAdvance(m_axisY));
    painter.rotate(-90);
    painter.drawText(QPointF(0, 0), m_axisY);
    painter.restore();
    // A scale bar: one unit of the plane in the companded domain, at the current zoom.
    const double unit = std::pow(10.0, std::floor(std::log10(120.0 / m_pixelsPerUnit)));
    const double length = unit * m_pixelsPerUnit;
    const QPointF start(24, height() - 30);
    painter.drawLine(start, start + QPointF(length, 0));
    painter.drawText(start + QPointF(0, -4), QString::number(unit, 'g', 3));
}

void LatticeCanvas::paintLegend(QPainter& painter) const
{
    const QFontMetrics fm = painter.fontMetrics();
    const QStringList labels = { tr("sub-vector F_μ(w/s)"), tr("decoded lattice point"), tr("Voronoi cell of p"),
                                 tr("Babai cell p + G[−½,½)ᵈ"), tr("codebook cell (clamped range)") };
    int widest = 0;
    for (const auto& label : labels)
        widest = std::max(widest, fm.horizontalAdvance(label));
    const QRect box(width() - widest - 44, 8, widest + 36, labels.size() * (fm.height() + 4) + 8);
    painter.setPen(QColor(160, 160, 160));
    painter.setBrush(QColor(255, 255, 255, 230));
    painter.drawRect(box);
    for (int i = 0; i < labels.size(); ++i) {
        const int y = box.top() + 6 + i * (fm.height() + 4);
        const QPointF mark(box.left() + 14, y + fm.height() / 2.0);
        painter.setBrush(Qt::NoBrush);
        switch (i) {
        case 0:
            painter.setPen(Qt::NoPen);
            painter.setBrush(kSubvector);
            painter.drawEllipse(mark, 3.0, 3.0);
            break;
        case 1:
            painter.setPen(QPen(kDecoded, 1.6));
            painter.drawLine(mark + QPointF(-4, -4), mark + QPointF(4, 4));
            painter.drawLine(mark + QPointF(-4, 4), mark + QPointF(4, -4));
            break;
        case 2:
            painter.setPen(QPen(kVoronoi, 4.5));
            painter.drawLine(mark + QPointF(-8, 0), mark + QPointF(8, 0));
            break;
        case 3:
            painter.setPen(QPen(kBabai, 2.0, Qt::DashLine));
            painter.drawLine(mark + QPointF(-8, 0), mark + QPointF(8, 0));
            break;
        default:
            painter.setPen(QColor(150, 150, 150));
            painter.setBrush(QColor(235, 240, 250));
            painter.drawRect(QRectF(mark + QPointF(-7, -5), QSizeF(14, 10)));
        }
        painter.setPen(Qt::black);
        painter.drawText(QPoint(box.left() + 28, y + fm.ascent()), labels[i]);
    }
}

void LatticeCanvas::resizeEvent(QResizeEvent*)
{
    if (m_autoFit)
        resetView(m_fitHalfWidth);
}

void LatticeCanvas::wheelEvent(QWheelEvent* event)
{
    m_autoFit = false;
    const QPointF anchor = toPlane(event->position());
    const double factor = std::pow(1.0015, event->angleDelta().y());
    m_pixelsPerUnit = std::clamp(m_pixelsPerUnit * factor, 5.0, 1e6);
    const QPointF after = toPlane(event->position());
    m_center += anchor - after;
    update();
    Q_EMIT windowChanged(visibleWindow());
}

void LatticeCanvas::mousePressEvent(QMouseEvent* event)
{
    m_dragging = event->button() == Qt::LeftButton;
    m_autoFit = false;
    m_dragStart = event->position();
    m_dragCenter = m_center;
    setCursor(Qt::ClosedHandCursor);
}

void LatticeCanvas::mouseMoveEvent(QMouseEvent* event)
{
    if (!m_dragging)
        return;
    const QPointF delta = event->position() - m_dragStart;
    m_center = m_dragCenter + QPointF(-delta.x() / m_pixelsPerUnit, delta.y() / m_pixelsPerUnit);
    update();
}

void LatticeCanvas::mouseReleaseEvent(QMouseEvent*)
{
    if (m_dragging)
        Q_EMIT windowChanged(visibleWindow());
    m_dragging = false;
    setCursor(Qt::OpenHandCursor);
}

} // namespace glvq::views

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Custom-painted plane of the lattice view: slice cells, the Babai cell over its Voronoi cell, the group's
// sub-vectors and their decoded points, in plane coordinates (companded domain). Wheel zooms about the cursor,
// dragging pans; each change of the visible window is announced (windowChanged) so the slice can be recomputed.
// GUI thread.
#include "core/inspect/lattice_slice.h"

#include <QPointF>
#include <QWidget>

#include <vector>

namespace glvq::views {

class LatticeCanvas : public QWidget {
    Q_OBJECT
public:
    explicit LatticeCanvas(QWidget* parent = nullptr);

    // Sub-vectors and their decoded lattice points projected on the plane (same length, paired by index).
    void setPoints(std::vector<QPointF> subvectors, std::vector<QPointF> decoded);
    void setSlice(const inspect::LatticeSlice& slice);
    void setAxisLabels(const QString& x, const QString& y);
    void setMessage(const QString& message);
    // Centres on 0 showing ±halfWidth, and keeps doing so on resizes until the user pans or zooms.
    void resetView(double halfWidth);
    QRectF visibleWindow() const;     // plane coordinates, y up

    QSize sizeHint() const override { return { 520, 480 }; }

Q_SIGNALS:
    void windowChanged(QRectF window);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    QPointF toScreen(double x, double y) const;
    QPointF toPlane(const QPointF& screen) const;
    void paintLegend(QPainter& painter) const;
    void paintAxes(QPainter& painter) const;

    std::vector<QPointF> m_subvectors;
    std::vector<QPointF> m_decoded;
    inspect::LatticeSlice m_slice;
    QString m_axisX = QStringLiteral("x");
    QString m_axisY = QStringLiteral("y");
    QString m_message;
    QPointF m_center { 0.0, 0.0 };
    double m_pixelsPerUnit = 150.0;
    QPointF m_dragStart;
    QPointF m_dragCenter;
    bool m_dragging = false;
    bool m_autoFit = true;
    double m_fitHalfWidth = 1.0;
};

} // namespace glvq::views

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One square matrix as a heatmap with a diverging colour scale centred on 0, its legend, and the value under the
// mouse shown on hover. Custom painted; GUI thread.
#include <QWidget>

#include <vector>

namespace glvq::views {

class MatrixHeatmap : public QWidget {
    Q_OBJECT
public:
    explicit MatrixHeatmap(const QString& title, QWidget* parent = nullptr);

    // `values`: dim×dim row-major; `limit`: the colour scale's ±range (shared between heatmaps so they compare).
    void setMatrix(const std::vector<double>& values, int dim, double limit);
    void clear(const QString& message);
    QString hoverText() const { return m_hover; } // "G[a, b] = value" of the last hovered cell

    QSize sizeHint() const override { return { 260, 260 }; }
    QSize minimumSizeHint() const override { return { 160, 160 }; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    QRect gridRect() const;

    QString m_title;
    QString m_message;
    QString m_hover;
    std::vector<double> m_values;
    int m_dim = 0;
    double m_limit = 1.0;
};

} // namespace glvq::views

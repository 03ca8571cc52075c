// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The bit map heatmap: one row per quantized layer, one cell per column group, coloured by bits (discrete
// legend) or by salience (continuous legend, log scale). Clicking a cell announces the group. GUI thread; reads
// the BitPlan it is given (owned by BitMapView).
#include <QWidget>

namespace glvq::views {

class BitPlan;

class BitMapCanvas : public QWidget {
    Q_OBJECT
public:
    enum class Coloring { Bits, Salience };

    explicit BitMapCanvas(const BitPlan& plan, QWidget* parent = nullptr);

    void setColoring(Coloring coloring);
    void setSelected(int layer, int group);
    void planChanged(); // re-reads the plan

    QSize sizeHint() const override;

Q_SIGNALS:
    void cellClicked(int layer, int group);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QRect gridRect() const;
    int labelWidth() const;

    const BitPlan& m_plan;
    Coloring m_coloring = Coloring::Bits;
    int m_selectedLayer = -1;
    int m_selectedGroup = -1;
};

} // namespace glvq::views

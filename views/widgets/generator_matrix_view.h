// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The selected group's lattice generator: G₀ (before learning), learned G and G − G₀ as heatmaps on one shared
// diverging scale, with singular values, condition number and orthogonality defect of both. GUI thread.
#include "core/inspect/group_detail.h"

#include <QWidget>

class QLabel;

namespace glvq::views {

class MatrixHeatmap;

class GeneratorMatrixView : public QWidget {
    Q_OBJECT
public:
    explicit GeneratorMatrixView(QWidget* parent = nullptr);

    void setDetail(const inspect::GroupDetail& detail);
    void showMessage(const QString& message); // what is missing, e.g. "no group selected"

private:
    MatrixHeatmap* m_initial;
    MatrixHeatmap* m_learned;
    MatrixHeatmap* m_difference;
    QLabel* m_numbers;
};

} // namespace glvq::views

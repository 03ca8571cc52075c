// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The lattice / Voronoi view of the selected GLVQ group: for d = 2 the lattice's exact Voronoi cells, for d > 2
// the slice through a chosen coordinate pair (other coordinates 0), with the group's sub-vectors projected on
// that pair and the Babai cell drawn over the Voronoi cell. The slice geometry is computed off the GUI thread:
// the view asks for it (sliceRequested) and shows the answer that matches its latest request (setSlice).
#include "core/inspect/group_detail.h"
#include "core/inspect/lattice_slice.h"

#include <QWidget>

class QLabel;
class QSpinBox;
class QTimer;

namespace glvq::views {

class LatticeCanvas;

class LatticeView : public QWidget {
    Q_OBJECT
public:
    explicit LatticeView(QWidget* parent = nullptr);

    void setDetail(const inspect::GroupDetail& detail);
    void showMessage(const QString& message);
    // The geometry for request `id`; answers to older requests are ignored.
    void setSlice(int id, const inspect::LatticeSlice& slice);
    LatticeCanvas* canvas() const { return m_canvas; }
    QString infoText() const;        // the caption under the plane (what is drawn, or why not)

Q_SIGNALS:
    void sliceRequested(int id, inspect::SliceRequest request);

private:
    void axesChanged();
    void requestSlice();

    LatticeCanvas* m_canvas;
    QSpinBox* m_axisX;
    QSpinBox* m_axisY;
    QLabel* m_info;
    QTimer* m_panZoomSettled; // one slice request per burst of wheel or drag events
    inspect::GroupDetail m_detail;
    int m_requestId = 0;
    double m_fitHalfWidth = 1.0;
};

} // namespace glvq::views

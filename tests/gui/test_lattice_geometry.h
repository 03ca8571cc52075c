// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Checks of core/inspect's lattice geometry against lattices whose Voronoi cells are known in closed form.
#include <QObject>

class LatticeGeometryTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void relevantVectorsOfKnownLattices();
    void voronoiCellsTileTheWindow();
    void babaiCellIsTheParallelepiped();
    void sliceOfCubicLatticeIsSquares();
    void generatorAnalysisOfKnownMatrices();
};

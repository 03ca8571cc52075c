// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/gui/test_lattice_geometry.h"

#include "core/inspect/generator_analysis.h"
#include "core/inspect/lattice_enumeration.h"
#include "core/inspect/lattice_slice.h"

#include <QtTest>

#include <cmath>

using namespace glvq::inspect;

namespace {

double area(const std::vector<PlanePoint>& polygon)
{
    double twice = 0;
    for (std::size_t i = 0; i < polygon.size(); ++i) {
        const auto& p = polygon[i];
        const auto& q = polygon[(i + 1) % polygon.size()];
        twice += p.x * q.y - q.x * p.y;
    }
    return std::abs(twice) / 2;
}

} // namespace

void LatticeGeometryTest::relevantVectorsOfKnownLattices()
{
    QCOMPARE(voronoiRelevantVectors({ 1, 0, 0, 1 }, 2).size(), std::size_t(4)); // Z²: ±e1, ±e2
    const double h = std::sqrt(3.0) / 2;
    QCOMPARE(voronoiRelevantVectors({ 1, 0.5, 0, h }, 2).size(), std::size_t(6)); // hexagonal A2
    QCOMPARE(voronoiRelevantVectors({ 1, 0, 0, 0, 1, 0, 0, 0, 1 }, 3).size(), std::size_t(6)); // Z³
    // D4 (checkerboard): 24 minimal vectors, all relevant; the 2ᵈ−1 = 15 cosets give 24 = 2·12 (3 cosets have
    // 8 shortest vectors and are not relevant).
    const std::vector<double> d4 = { -1, 1, 0, 0, -1, -1, 1, 0, 0, 0, -1, 1, 0, 0, 0, -1 };
    QCOMPARE(voronoiRelevantVectors(d4, 4).size(), std::size_t(24));
}

void LatticeGeometryTest::voronoiCellsTileTheWindow()
{
    // Hexagonal lattice: the cells cut to a window must cover it exactly, each interior cell has area |det G|.
    SliceRequest request;
    const double h = std::sqrt(3.0) / 2;
    request.generator = { 0.5, 0.25, 0, 0.5 * h };
    request.dim = 2;
    request.bits = 2;
    request.xMin = -1;
    request.xMax = 1;
    request.yMin = -1;
    request.yMax = 1;
    const auto slice = sliceLattice(request);
    QVERIFY2(slice.error.empty(), slice.error.c_str());
    QCOMPARE(slice.relevantVectors, std::size_t(6));
    double total = 0;
    for (const auto& cell : slice.cells)
        total += area(cell.polygon);
    QVERIFY(std::abs(total - 4.0) < 1e-9);
    QVERIFY(std::abs(area(slice.babaiVoronoi) - 0.5 * 0.5 * h) < 1e-9);
    QCOMPARE(slice.babaiVoronoi.size(), std::size_t(6)); // a hexagon
}

void LatticeGeometryTest::babaiCellIsTheParallelepiped()
{
    SliceRequest request;
    request.generator = { 0.5, 0.3, 0.0, 0.4 };
    request.dim = 2;
    request.xMin = request.yMin = -2;
    request.xMax = request.yMax = 2;
    const auto slice = sliceLattice(request);
    QVERIFY(std::abs(area(slice.babaiCell) - 0.2) < 1e-9); // |det G|
    QCOMPARE(slice.babaiCell.size(), std::size_t(4));
}

void LatticeGeometryTest::sliceOfCubicLatticeIsSquares()
{
    // Z⁴ scaled by 0.5, offset by o = 1.5 (2 bits): the slice through a lattice point is a grid of 0.5 × 0.5
    // squares with edges at multiples of 0.5.
    SliceRequest request;
    request.generator = std::vector<double>(16, 0.0);
    for (int i = 0; i < 4; ++i)
        request.generator[std::size_t(i * 5)] = 0.5;
    request.dim = 4;
    request.axisX = 1;
    request.axisY = 3;
    request.xMin = request.yMin = -1;
    request.xMax = request.yMax = 1;
    const auto slice = sliceLattice(request);
    QVERIFY2(slice.error.empty(), slice.error.c_str());
    QCOMPARE(slice.relevantVectors, std::size_t(8));
    double total = 0;
    for (const auto& cell : slice.cells)
        total += area(cell.polygon);
    QVERIFY(std::abs(total - 4.0) < 1e-9);
    QCOMPARE(slice.cells.size(), std::size_t(16)); // cell edges at multiples of 0.5
}

void LatticeGeometryTest::generatorAnalysisOfKnownMatrices()
{
    const auto identity = analyzeGenerator({ 2, 0, 0, 2 }, 2);
    QCOMPARE(identity.conditionNumber, 1.0);
    QVERIFY(std::abs(identity.orthogonalityDefect - 1.0) < 1e-12);
    QVERIFY(std::abs(identity.determinant - 4.0) < 1e-12);
    const auto shear = analyzeGenerator({ 1, 1, 0, 1 }, 2); // σ = golden ratio φ and 1/φ
    const double phi = (1 + std::sqrt(5.0)) / 2;
    QVERIFY(std::abs(shear.singularValues[0] - phi) < 1e-12);
    QVERIFY(std::abs(shear.conditionNumber - phi * phi) < 1e-10);
    QVERIFY(std::abs(shear.orthogonalityDefect - std::sqrt(2.0)) < 1e-12);
}

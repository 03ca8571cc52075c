// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The 2-D picture of a GLVQ codebook: the plane through `offset` spanned by coordinates axisX and axisY of the
// companded domain, cut by the Voronoi cells of the code lattice {G (z − o_b·1) : z ∈ Zᵈ} (computed exactly from
// the lattice's Voronoi-relevant vectors), and by the Babai cell p + G·[−½, ½)ᵈ of one lattice point p, i.e. the
// region Babai rounding maps to p. For d = 2 the plane is the whole space and the cells are the lattice's
// Voronoi cells. Pure C++ (no torch); pure function.
#include <string>
#include <vector>

namespace glvq::inspect {

struct PlanePoint {
    double x = 0.0;
    double y = 0.0;
};

struct SliceCell {
    std::vector<PlanePoint> polygon; // convex, counter-clockwise, clipped to the window
    PlanePoint center;               // the lattice point projected onto the plane
    double offPlaneDistance = 0.0;   // of the lattice point from the plane (0 for d = 2)
    bool inCodebook = false;         // z ∈ [0, 2^bits − 1]ᵈ: reachable by the clamped codes
};

struct LatticeSlice {
    std::vector<SliceCell> cells;
    std::vector<PlanePoint> babaiCell;    // slice of the Babai parallelepiped around `babaiCenter`
    std::vector<PlanePoint> babaiVoronoi; // the Voronoi cell of the same point, for comparison
    PlanePoint babaiCenter;
    std::vector<double> planeOffset; // the off-plane coordinates actually used (d values)
    std::size_t relevantVectors = 0;
    std::string error; // non-empty when the cells could not be computed (then only the Babai cell is set)
};

struct SliceRequest {
    std::vector<double> generator; // G, d×d row-major
    int dim = 2;
    int bits = 2;                  // code width: lattice offset o_b = (2^bits − 1)/2 and codebook range
    int axisX = 0;
    int axisY = 1;
    std::vector<double> offset;    // a point on the plane (d values; the axisX/axisY entries are ignored); empty = 0
    // Move the plane (off-plane coordinates only) through the lattice point nearest `offset`: a plane through a
    // point's centre cuts every cell transversally, while one through 0 can lie in a face between two cells.
    bool throughLatticePoint = true;
    double xMin = -1.5, xMax = 1.5, yMin = -1.5, yMax = 1.5; // window in plane coordinates
    PlanePoint babaiAt;            // the Babai cell is drawn around the lattice point Babai rounding gives here
};

LatticeSlice sliceLattice(const SliceRequest& request);

} // namespace glvq::inspect

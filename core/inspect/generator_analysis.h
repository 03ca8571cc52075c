// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Numbers that describe a lattice generator G (d×d, row-major; the lattice points are G·z, so the basis vectors
// are G's columns). Pure C++ (no torch), cheap for d ≤ 32. Thread-safety: pure functions.
#include <vector>

namespace glvq::inspect {

struct GeneratorAnalysis {
    std::vector<double> singularValues; // descending
    double conditionNumber = 0.0;       // σ_max / σ_min; infinity when singular
    double determinant = 0.0;           // |det G| = product of the singular values (cell volume)
    double orthogonalityDefect = 0.0;   // Π‖g_i‖ / |det G| ≥ 1; 1 for an orthogonal basis, infinity when singular
};

// `generator`: dim×dim row-major. An empty or mis-sized matrix gives an empty analysis.
GeneratorAnalysis analyzeGenerator(const std::vector<double>& generator, int dim);

} // namespace glvq::inspect

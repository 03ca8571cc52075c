// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Exact lattice enumeration for the lattice views: the points of L = {B z : z ∈ Zᵈ} in a ball (Fincke–Pohst),
// and L's Voronoi-relevant vectors (Voronoi's criterion: v is relevant iff ±v are the only shortest vectors of
// the coset v + 2L). B is d×d row-major; its columns are the basis vectors. Pure C++; pure functions.
#include <cstddef>
#include <functional>
#include <vector>

namespace glvq::inspect {

// Calls visit(z, ‖B z − target‖²) for every z with ‖B z − target‖² ≤ radius2. Throws glvq::Error when more than
// `maxPoints` points are visited, or when B is singular.
void enumerateLatticeBall(const std::vector<double>& basis, int dim, const std::vector<double>& target,
                          double radius2, const std::function<void(const std::vector<int>&, double)>& visit,
                          std::size_t maxPoints = 1000000);

// All Voronoi-relevant vectors (each as d coordinates, ± pairs both listed); 2(2ᵈ − 1) of them for a generic
// lattice. Work grows as 2ᵈ: throws glvq::Error for d > 16.
std::vector<std::vector<double>> voronoiRelevantVectors(const std::vector<double>& basis, int dim);

} // namespace glvq::inspect

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One quantized layer's codes <-> its HDF5 group (docs/FORMAT.md §4): GLVQ as the packed stream of
// kernels/glvq_layout.h, RTN/GPTQ as per-row grids + the same packed stream, E8 as 8b-bit codes in bytes.
// Reading validates everything (sizes, bit widths, offsets, padding, ranges) before building the LayerCodes,
// so decoding an imported layer is bit-identical to decoding the exported one, and a malformed file is a
// glvq::Error naming the file, layer and dataset.
// Thread-safety: none beyond h5::File's (one file at a time).
#include "core/io/hdf5/h5_file.h"
#include "core/quant/layer_quantizer.h"

#include <memory>
#include <string>

namespace glvq::pipeline {

// Writes the datasets and attributes of `codes` under the existing group `group` ("/layers/NAME").
void writeLayerCodes(io::h5::File& file, const std::string& group, const quant::LayerCodes& codes,
                     io::h5::Storage sideStorage, io::h5::Storage codeStorage);

std::shared_ptr<const quant::LayerCodes> readLayerCodes(const io::h5::File& file, const std::string& group);

} // namespace glvq::pipeline

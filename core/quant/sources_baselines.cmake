# SPDX-License-Identifier: GPL-3.0-or-later
# Baseline quantizers (RTN, GPTQ, fixed E8) behind the LayerQuantizer contract; included by CMakeLists.txt.
set(GLVQ_QUANT_BASELINE_SOURCES
  baseline_support.cpp baseline_support.h
  scalar_codes.cpp scalar_codes.h
  rtn_quantizer.cpp rtn_quantizer.h
  gptq_quantizer.cpp gptq_quantizer.h
  e8_lattice.cpp e8_lattice.h
  e8_codebook.cpp e8_codebook.h
  e8_quantizer.cpp e8_quantizer.h
)
# Codes must not depend on -march flags: no FMA contraction where error feedback and decoding happen.
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  set_source_files_properties(scalar_codes.cpp rtn_quantizer.cpp gptq_quantizer.cpp e8_codebook.cpp
                              e8_quantizer.cpp PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
endif()

# SPDX-License-Identifier: GPL-3.0-or-later
# GLVQ: companding, codes/decoder, per-group objective and learner, block-LDLQ feedback, the layer quantizer.
set(GLVQ_QUANT_GLVQ_SOURCES
  block_feedback.cpp block_feedback.h
  companding.cpp companding.h
  glvq_codes.cpp glvq_codes.h
  glvq_options.cpp glvq_options.h
  glvq_quantizer.cpp glvq_quantizer.h
  group_learner.cpp group_learner.h
  group_objective.cpp group_objective.h
  lattice_math.cpp lattice_math.h
)
# The decoder's fixed-order sums must not be contracted into FMAs, or Ŵ would depend on -march flags.
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  set_source_files_properties(glvq_codes.cpp PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
endif()

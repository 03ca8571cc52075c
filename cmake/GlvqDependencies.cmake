# SPDX-License-Identifier: GPL-3.0-or-later
# Every third-party dependency is found here, once, with the reason it is needed.

find_package(Threads REQUIRED)

find_package(Torch REQUIRED)
set_package_properties(Torch PROPERTIES TYPE REQUIRED PURPOSE "forward pass, calibration and learning (CPU or CUDA)")
# TorchConfig adds its flags through TORCH_CXX_FLAGS; the ABI define must reach every target linking torch.
set(GLVQ_TORCH_HAS_CUDA OFF)
if(TARGET torch_cuda OR CUDA_FOUND OR TORCH_CUDA_LIBRARIES)
  set(GLVQ_TORCH_HAS_CUDA ON)
endif()

# at::parallel_for is a header template: it splits work over torch's threads only in translation units compiled
# with OpenMP (ATen/ParallelOpenMP.h tests _OPENMP), and runs the whole range on the calling thread elsewhere.
# The sources that call it link glvq_torch_parallel (core/quant, core/pipeline).
find_package(OpenMP COMPONENTS CXX)
add_library(glvq_torch_parallel INTERFACE)
if(OpenMP_CXX_FOUND)
  target_link_libraries(glvq_torch_parallel INTERFACE OpenMP::OpenMP_CXX)
endif()
add_feature_info(TorchParallelFor OpenMP_CXX_FOUND "at::parallel_for in GLVQ code runs on torch's intra-op threads")

find_package(nlohmann_json 3.10 REQUIRED)
set_package_properties(nlohmann_json PROPERTIES TYPE REQUIRED PURPOSE "safetensors headers, config.json, tokenizer.json")

find_package(HDF5 1.10 REQUIRED COMPONENTS C)
set_package_properties(HDF5 PROPERTIES TYPE REQUIRED PURPOSE "deployment export/import of quantized models (docs/FORMAT.md)")

find_package(PkgConfig)
if(PkgConfig_FOUND)
  pkg_check_modules(PCRE2 IMPORTED_TARGET libpcre2-8)
endif()
set(GLVQ_WITH_PCRE2 ${PCRE2_FOUND})
add_feature_info(PCRE2 GLVQ_WITH_PCRE2 "byte-level BPE regex pre-tokenizers (GPT-2, Qwen2/Llama-3 patterns)")

if(GLVQ_BUILD_TESTS)
  find_package(GTest REQUIRED)
  set_package_properties(GTest PROPERTIES TYPE REQUIRED PURPOSE "unit and parity tests")
endif()

find_package(Qt6 QUIET COMPONENTS Core Gui Widgets Charts Svg Test)
set_package_properties(Qt6 PROPERTIES TYPE OPTIONAL PURPOSE "glvq-studio desktop application")

set(GLVQ_WITH_CUDA OFF)
if(NOT GLVQ_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    enable_language(CUDA)
    set(CMAKE_CUDA_STANDARD 17) # CMake 3.25 knows no CUDA 20 for nvcc
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)
    set(GLVQ_WITH_CUDA ON)
  elseif(GLVQ_CUDA STREQUAL "ON")
    message(FATAL_ERROR "GLVQ_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
endif()

# SPDX-License-Identifier: GPL-3.0-or-later
# glvq_apply_warnings(target): the project's warning set, kept off third-party code.
function(glvq_apply_warnings target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic>)
  if(GLVQ_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
endfunction()

if(GLVQ_SANITIZE)
  add_compile_options(-fsanitize=${GLVQ_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${GLVQ_SANITIZE})
endif()

# SPDX-License-Identifier: MIT
# Fails if the static library ${LIB} needs any libatomic symbol: a reference
# to __atomic_* or __sync_* means some op compiled to a library call, whose
# fallback is a process-private lock, wrong for memory shared between
# processes. Run as: cmake -DNM=<nm> -DLIB=<libpatomic.a> -P <this file>
if(NOT NM OR NOT LIB)
    message(FATAL_ERROR "usage: cmake -DNM=<nm> -DLIB=<library> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

execute_process(COMMAND "${NM}" "${LIB}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} ${LIB} failed (${rc}): ${err}")
endif()

# An empty or foreign listing would make the check below pass vacuously.
if(NOT out MATCHES "[ \t]T[ \t]+_?patomic_create_ops\n")
    message(FATAL_ERROR "${NM} does not list patomic_create_ops in ${LIB}:\n${out}")
endif()

string(REGEX MATCHALL "[ \t]U[ \t]+_?__(atomic|sync)_[A-Za-z0-9_]*" bad "${out}")
if(bad)
    list(REMOVE_DUPLICATES bad)
    string(REPLACE ";" "\n" bad "${bad}")
    message(FATAL_ERROR "${LIB} needs libatomic symbols:\n${bad}")
endif()
message(STATUS "${LIB}: no undefined __atomic_*/__sync_* symbols")

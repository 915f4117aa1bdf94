# cmake/arm-none-eabi-cortex-m4.cmake: CMake toolchain file for a bare-metal
# Cortex-M4 firmware with arm-none-eabi-gcc and newlib (Debian/Ubuntu:
# gcc-arm-none-eabi libnewlib-arm-none-eabi).
#
#   cmake -S app -B build-m4 -DCMAKE_TOOLCHAIN_FILE=path/to/rbpf/cmake/arm-none-eabi-cortex-m4.cmake
#
# Code: Thumb-2, soft float (-mfloat-abi=soft; set RBPF_ARM_FLOAT_FLAGS to
# "-mfloat-abi=hard -mfpu=fpv4-sp-d16" for an FPU build), one section per
# function and object so that --gc-sections drops what is not used.
# Link: newlib nano (--specs=nano.specs) with stubbed system calls
# (--specs=nosys.specs); a firmware adds its own startup code and linker
# script (-T), and -nostartfiles when its startup replaces crt0.
# The rbpf tool still runs on the build machine: rbpf_add_containers builds
# it with the build machine's compiler (RBPF_HOST_C_COMPILER, default cc).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(RBPF_ARM_PREFIX "arm-none-eabi-" CACHE STRING "Prefix of the cross tools")
set(RBPF_ARM_FLOAT_FLAGS "-mfloat-abi=soft" CACHE STRING "Floating-point ABI flags")
set(CMAKE_C_COMPILER ${RBPF_ARM_PREFIX}gcc)
set(CMAKE_CXX_COMPILER ${RBPF_ARM_PREFIX}g++)
set(CMAKE_ASM_COMPILER ${RBPF_ARM_PREFIX}gcc)
set(CMAKE_AR ${RBPF_ARM_PREFIX}ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${RBPF_ARM_PREFIX}ranlib CACHE FILEPATH "")

set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m4 -mthumb ${RBPF_ARM_FLOAT_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${CMAKE_C_FLAGS_INIT} -fno-exceptions -fno-rtti")
set(CMAKE_ASM_FLAGS_INIT "-mcpu=cortex-m4 -mthumb ${RBPF_ARM_FLOAT_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=nano.specs --specs=nosys.specs -Wl,--gc-sections")

# The compiler checks compile a library: a bare-metal executable needs the
# firmware's own startup and memory map.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Headers and libraries from the cross environment, programs from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# mk/rbpf.mk: Femto-Containers for a make project. Include it from your
# Makefile; every .c and .cpp file under $(RBPF_CONTAINER_PATH) becomes a
# container, built with `rbpf build` into $(RBPF_OUT)/NAME.bin (NAME: its path
# under RBPF_CONTAINER_PATH with `/` as `_`, no extension) and embedded with
# `rbpf embed` into $(RBPF_OUT)/containers.c/.h (in C++ also
# rBPF::Container::NAME, from <rbpf.h>), which your application compiles and
# links together with librbpf (built here, for your compiler and store size).
# A container is rebuilt when its source, a header next to it, the container
# headers or the tool changes. docs/make.md has the details.
#
#   include path/to/rbpf/mk/rbpf.mk
#   app: main.o $(RBPF_APP_OBJS) $(RBPF_LIBS)
#   	$(CC) -o $@ $^
#   main.o: CFLAGS += $(RBPF_CFLAGS)
#   main.o: $(RBPF_GENERATED)
#
# Targets: rbpf-containers (the .bin files and the generated C), rbpf-lib,
# rbpf-dump (`rbpf dump` of every container), rbpf-clean. Including the
# fragment leaves the including Makefile's default goal as it was.
#
# Installed (PREFIX/share/rbpf/mk/rbpf.mk, by make install or cmake --install),
# the fragment uses the installed tool and library instead of building them;
# the library's knobs then come from `pkg-config --cflags rbpf`.

RBPF_MK_DIR := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
RBPF_MK_DEFAULT_GOAL := $(.DEFAULT_GOAL)

# ---- Settings (set them before the include, or on the command line) ------
# Where rbpf lives: by default the directory above this file's mk/; installed,
# the prefix three levels up.
RBPF_INSTALLED := $(if $(wildcard $(RBPF_MK_DIR)../include/rbpf.h),,yes)
ifeq ($(RBPF_INSTALLED),yes)
RBPF_ROOT ?= $(abspath $(RBPF_MK_DIR)../../..)
RBPF_INCLUDE_FLAGS := -I$(RBPF_ROOT)/include
RBPF_CONTAINER_INCLUDE := $(RBPF_ROOT)/include/rbpf-container
else
RBPF_ROOT ?= $(abspath $(RBPF_MK_DIR)..)
RBPF_INCLUDE_FLAGS := -I$(RBPF_ROOT)/include -I$(RBPF_ROOT)/cpp
RBPF_CONTAINER_INCLUDE := $(RBPF_ROOT)/include/container
endif
# The container sources, searched recursively.
RBPF_CONTAINER_PATH ?= container
# The same, without the spaces a comment after the value leaves or a final /.
RBPF_CONTAINER_DIR := $(patsubst %/,%,$(strip $(RBPF_CONTAINER_PATH)))
# Generated files: containers, generated C, librbpf.
RBPF_OUT ?= out/rbpf
# Entries of the key-value store pool shared by all stores (librbpf).
BPF_STORE_NUM_VALUES ?= 16
# The clang that `rbpf build` runs (needs the BPF target).
CLANG ?= clang
# Extra `rbpf build` options, e.g. -O2 --cpu v2 -DDEBUG=1.
RBPF_BUILD_FLAGS ?=
# The rbpf build tree the tool comes from; the tool is built there, with the
# host's compiler, when missing.
RBPF_BUILD ?= $(RBPF_ROOT)/build
ifeq ($(RBPF_INSTALLED),yes)
RBPF_TOOL ?= $(RBPF_ROOT)/bin/rbpf
else
RBPF_TOOL ?= $(RBPF_BUILD)/host/rbpf
endif
RBPF_HOST_CC ?= cc
# How librbpf and the generated C are compiled ($(CC) is the application's
# compiler; add target flags such as -mcpu=cortex-m4 -mthumb here).
RBPF_LIB_CFLAGS ?= -std=c99 -O2 -Wall -Wextra

# ---- For the application --------------------------------------------------
# $(RBPF_CONTAINER_PATH)/include holds the headers host and containers share
# (context structs, bpf_appcalls.h); $(RBPF_OUT)/include/rbpf/containers.h is
# what <rbpf.h> includes in C++ for rBPF::Container::NAME (docs/sming.md).
# Installed, the library's settings come from `pkg-config --cflags rbpf`.
RBPF_CFLAGS := $(RBPF_INCLUDE_FLAGS) -I$(RBPF_OUT) \
               -I$(RBPF_CONTAINER_DIR)/include -I$(RBPF_OUT)/include \
               $(if $(RBPF_INSTALLED),,-DBPF_STORE_NUM_VALUES=$(BPF_STORE_NUM_VALUES))
RBPF_GENERATED := $(RBPF_OUT)/containers.h $(RBPF_OUT)/include/rbpf/containers.h
RBPF_APP_OBJS := $(RBPF_OUT)/containers.o
ifeq ($(RBPF_INSTALLED),yes)
RBPF_LIB := $(RBPF_ROOT)/lib/librbpf.a
else
RBPF_LIB := $(RBPF_OUT)/librbpf.a
endif
RBPF_LIBS := $(RBPF_LIB)

# ---- Containers -----------------------------------------------------------
RBPF_SOURCES := $(sort $(shell find $(RBPF_CONTAINER_DIR) -type f \( -name '*.c' -o -name '*.cpp' \) 2>/dev/null))
RBPF_CONTAINER_HEADERS := $(shell find $(RBPF_CONTAINER_DIR) -type f \( -name '*.h' -o -name '*.hpp' \) 2>/dev/null)
# What containers include from rbpf: <rbpf/container.h>, <bpf/bpfapi/helpers.h>,
# <rbpf/Store.h> and the headers they share with the host.
RBPF_API_HEADERS := $(wildcard $(RBPF_CONTAINER_INCLUDE)/rbpf/*.h \
                    $(RBPF_CONTAINER_INCLUDE)/bpf/bpfapi/*.h $(RBPF_ROOT)/include/rbpf/common/*.h)
# A container's name: its path under RBPF_CONTAINER_PATH, `/` turned into `_`,
# the extension dropped (net/filter.c gives net_filter), as in Sming.
rbpf_name = $(subst /,_,$(basename $(patsubst $(RBPF_CONTAINER_DIR)/%,%,$(1))))
RBPF_NAMES := $(foreach s,$(RBPF_SOURCES),$(call rbpf_name,$(s)))
RBPF_BINS := $(RBPF_NAMES:%=$(RBPF_OUT)/%.bin)

ifneq ($(words $(RBPF_NAMES)),$(words $(sort $(RBPF_NAMES))))
$(error rbpf.mk: two sources under $(RBPF_CONTAINER_PATH) give the same container name: $(RBPF_SOURCES))
endif

# $(call rbpf_record,FILE,TEXT): FILE holds TEXT, rewritten only when TEXT
# changes, so that rules depending on FILE rerun exactly then.
define rbpf_record
ifneq ($(strip $(2)),$$(strip $$(shell cat $(1) 2>/dev/null)))
$$(shell mkdir -p $(dir $(1)) && echo '$(strip $(2))' > $(1))
endif
$(1): ;
endef

# Removing a container regenerates the embedded table.
RBPF_LIST := $(RBPF_OUT)/names
$(eval $(call rbpf_record,$(RBPF_LIST),$(RBPF_NAMES)))

# Changing CLANG or RBPF_BUILD_FLAGS rebuilds every container.
RBPF_BUILD_RECORD := $(RBPF_OUT)/build-flags
$(eval $(call rbpf_record,$(RBPF_BUILD_RECORD),$(CLANG) $(RBPF_BUILD_FLAGS)))

# $(call rbpf_container_rule,SOURCE)
define rbpf_container_rule
$(RBPF_OUT)/$(call rbpf_name,$(1)).bin: $(1) $(RBPF_CONTAINER_HEADERS) $(RBPF_BUILD_RECORD) \
        $(RBPF_API_HEADERS) $(RBPF_TOOL)
	@mkdir -p $$(@D)
	CLANG='$(CLANG)' RBPF_INCLUDE='$(RBPF_CONTAINER_INCLUDE)' $(RBPF_TOOL) build -o $$@ \
	    -I$(RBPF_CONTAINER_DIR) -I$(RBPF_CONTAINER_DIR)/include $(RBPF_BUILD_FLAGS) $$<
endef
$(foreach s,$(RBPF_SOURCES),$(eval $(call rbpf_container_rule,$(s))))

# containers.c and containers.h come from one `rbpf embed`; a pattern rule
# with two targets (stem ".") tells make that one run makes both.
$(RBPF_OUT)/containers%c $(RBPF_OUT)/containers%h: $(RBPF_BINS) $(RBPF_LIST) $(RBPF_TOOL)
	@test -n '$(RBPF_NAMES)' || { echo "rbpf.mk: no .c or .cpp files under '$(RBPF_CONTAINER_PATH)'" >&2; exit 1; }
	$(RBPF_TOOL) embed -o $(RBPF_OUT)/containers $(RBPF_BINS)

# <rbpf/containers.h>, as Sming names it, is the generated containers.h.
$(RBPF_OUT)/include/rbpf/containers.h:
	@mkdir -p $(@D)
	echo '#include "../../containers.h"' > $@

$(RBPF_OUT)/containers.o: $(RBPF_OUT)/containers.c $(RBPF_OUT)/containers.h
	$(CC) $(RBPF_LIB_CFLAGS) -c $< -o $@

# ---- librbpf, compiled for the application -------------------------------
ifneq ($(RBPF_INSTALLED),yes)
RBPF_LIB_SRCS := $(wildcard $(RBPF_ROOT)/src/*.c $(RBPF_ROOT)/src/jit/*.c)
RBPF_LIB_OBJS := $(patsubst $(RBPF_ROOT)/src/%.c,$(RBPF_OUT)/lib/%.o,$(RBPF_LIB_SRCS))

# Changing the flags (BPF_STORE_NUM_VALUES, say) rebuilds the library.
RBPF_LIB_FLAGS := $(RBPF_OUT)/lib/flags
$(eval $(call rbpf_record,$(RBPF_LIB_FLAGS),$(CC) $(RBPF_LIB_CFLAGS) $(RBPF_CFLAGS)))

$(RBPF_OUT)/lib/%.o: $(RBPF_ROOT)/src/%.c $(RBPF_LIB_FLAGS)
	@mkdir -p $(@D)
	$(CC) $(RBPF_LIB_CFLAGS) $(RBPF_CFLAGS) -I$(RBPF_ROOT)/src -MMD -MP -c $< -o $@

$(RBPF_LIB): $(RBPF_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

-include $(RBPF_LIB_OBJS:.o=.d)

# ---- The tool -------------------------------------------------------------
$(RBPF_TOOL):
	$(MAKE) -C $(RBPF_ROOT) BUILD=$(RBPF_BUILD) CC=$(RBPF_HOST_CC) tool
endif

# ---- Targets --------------------------------------------------------------
.PHONY: rbpf-containers rbpf-lib rbpf-dump rbpf-clean
rbpf-containers: $(RBPF_BINS) $(RBPF_OUT)/containers.c $(RBPF_GENERATED)
rbpf-lib: $(RBPF_LIB)

# Each dump under a heading, as Sming's `make rbpf-dump` prints it.
rbpf-dump: $(RBPF_BINS)
	@for b in $(RBPF_BINS); do echo "Contents of \"$${b#$(RBPF_OUT)/}\""; \
	    echo "-----------------------------"; $(RBPF_TOOL) dump $$b || exit 1; echo; done

rbpf-clean:
	rm -rf $(RBPF_OUT)

# The including Makefile's first target stays the default goal.
.DEFAULT_GOAL := $(RBPF_MK_DEFAULT_GOAL)

# The consumer project cross-compiled for a Cortex-M4 with make, as
# docs/make.md describes: `make -f cross.mk RBPF=<rbpf tree>`. The image
# links with newlib nano and its system-call stubs (no startup of its own).
CC := arm-none-eabi-gcc
ARCH := -mcpu=cortex-m4 -mthumb
RBPF_LIB_CFLAGS := -std=c99 -Os $(ARCH) -ffunction-sections -fdata-sections
RBPF_BUILD_FLAGS := -DFACTOR=6
RBPF_OUT := out-cross/rbpf
include $(RBPF)/mk/rbpf.mk

CFLAGS := -std=c99 -Os $(ARCH) -Wall -Wextra -Werror -DFACTOR=6
LDFLAGS := $(ARCH) --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections

out-cross/app.elf: main.c $(RBPF_GENERATED) $(RBPF_APP_OBJS) $(RBPF_LIBS)
	$(CC) $(CFLAGS) $(RBPF_CFLAGS) $(LDFLAGS) main.c $(RBPF_APP_OBJS) $(RBPF_LIBS) -o $@

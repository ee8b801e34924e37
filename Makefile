# Atoll top-level build: the kernel library, the atoll tool, every app (image + Linux binary), tests.
#
#   make            kernel, tools, apps
#   make demo       install missing packages, build, boot hello as a unikernel
#   make demo-poc   the white paper's topology: firewall, router, dns and web unikernels, live
#   make test       install missing packages, then format check, unit tests, fuzzing, end-to-end tests
#   make bench-boot boot-time benchmark (CSV under bench/results/)
#   make bench-udp  UDP echo rates: unikernel, Linux VM, host (root; CSV under bench/results/)
#   make bench-forward  forwarding through firewall and router: unikernel, container, Linux (root)
#   make bench-web  web server against nginx, and in QEMU (root; CSV under bench/results/)
#   make container-NAME  the app's container image (FROM scratch) with podman; `make containers`: all
#   make bench-tcp  TCP bulk and request/response: unikernel, Linux VM, host (root; CSV too)

BUILD ?= build
VERSION := 0.1.0
CC ?= gcc
# Make's default CC is "cc"; the kernel is built with GCC on purpose (freestanding headers path below).
KCC := gcc

KERNEL_SRCS := $(shell find kernel -name '*.c' -o -name '*.S' | sort)
# Optional kernel members, each linked into an image only when `atoll build` sees the program use
# what it serves (it passes -u with the member's first exported symbol to the linker):
#   net    (kernel/net, kernel/dev/net)  sockets and NIC drivers     kernel/net/exports.txt
#   events (kernel/events)               poll, select, epoll, eventfd, timerfd   kernel/events/exports.txt
KERNEL_NET_SRCS := $(filter kernel/net/% kernel/dev/net/%,$(KERNEL_SRCS))
KERNEL_EVENTS_SRCS := $(filter kernel/events/%,$(KERNEL_SRCS))
KERNEL_CORE_SRCS := $(filter-out $(KERNEL_NET_SRCS) $(KERNEL_EVENTS_SRCS),$(KERNEL_SRCS))
KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS))
KERNEL_CORE_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_CORE_SRCS))
KERNEL_NET_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_NET_SRCS))
KERNEL_EVENTS_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_EVENTS_SRCS))
KERNEL_LIB := $(BUILD)/kernel/libatoll.a
KERNEL_LDS := $(BUILD)/kernel/image.ld

# The core, which every image carries (hello's fits in 96 KiB), is built for size; the optional
# network and event members for speed: under TCG every call and return ends a translated block
# and a return looks its target up in a hash table (13% of QEMU's time serving the web page),
# and -O2 inlines the small helpers -Os calls.
KOPT_MEMBER := -O2
KCFLAGS := -std=gnu11 -Os -g -ffreestanding -nostdinc \
	-isystem $(shell $(KCC) -print-file-name=include) -Ikernel/include \
	-mno-red-zone -mgeneral-regs-only -fno-pie -fno-pic -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fcf-protection=none \
	-ffunction-sections -fdata-sections -Wall -Wextra -Werror -MMD -MP -DATOLL_VERSION=\"$(VERSION)\"

APPS := $(notdir $(patsubst %/,%,$(wildcard apps/*/)))
APP_IMAGES := $(foreach a,$(APPS),$(BUILD)/$(a)/$(a).img)
ATOLL := $(BUILD)/tools/atoll

.PHONY: all kernel apps test unit e2e fuzz deps demo bench-boot bench-udp bench-tcp bench-forward \
	bench-web clean format format-check containers demo-poc
all: kernel tools apps

kernel: $(KERNEL_LIB) $(KERNEL_LDS)

# Objects depend on the flags they were built with: changing KCFLAGS rebuilds the kernel.
KFLAGS_STAMP := $(BUILD)/kernel/flags.txt
$(shell mkdir -p $(BUILD)/kernel && echo '$(KCFLAGS) $(KOPT_MEMBER)' | cmp -s - $(KFLAGS_STAMP) || echo '$(KCFLAGS) $(KOPT_MEMBER)' > $(KFLAGS_STAMP))

$(BUILD)/kernel/%.c.o: kernel/%.c $(KFLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(KCC) $(KCFLAGS) $(KOPT_$(if $(filter kernel/net/% kernel/dev/net/% kernel/events/%,$<),MEMBER,CORE)) -c $< -o $@

$(BUILD)/kernel/%.S.o: kernel/%.S $(KFLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(KCC) $(KCFLAGS) -D__ASSEMBLY__ -c $< -o $@

# The kernel core is one relocatable object whose only global symbols are those in
# kernel/exports.txt, so a program's own functions (say, a `panic` of its own) never clash with the
# kernel's internals. The kernel's internal API that optional members call (kernel/api.txt) is
# renamed to __atoll_NAME in every member, so it stays global without clashing either.
KERNEL_API_RENAMES := $(BUILD)/kernel/api.redefine
KERNEL_API_GLOBALS := $(BUILD)/kernel/api.globals
$(KERNEL_API_RENAMES) $(KERNEL_API_GLOBALS): kernel/api.txt kernel/exports.txt
	@mkdir -p $(dir $@)
	@grep -v '^#' kernel/api.txt | sed '/^$$/d; s/.*/& __atoll_&/' > $(KERNEL_API_RENAMES)
	@{ cat kernel/exports.txt; grep -v '^#' kernel/api.txt | sed '/^$$/d; s/^/__atoll_/'; } > $(KERNEL_API_GLOBALS)

$(BUILD)/kernel/atoll.o: $(KERNEL_CORE_OBJS) $(KERNEL_API_RENAMES) $(KERNEL_API_GLOBALS)
	@echo "  LD      $@"
	@ld -r -o $@.tmp $(KERNEL_CORE_OBJS)
	@objcopy --redefine-syms=$(KERNEL_API_RENAMES) $@.tmp
	@objcopy --keep-global-symbols=$(KERNEL_API_GLOBALS) $@.tmp $@
	@rm -f $@.tmp

# The optional members' own string functions: kernel/lib/string.c built with ATOLL_STRING_FAST
# (memcpy and memset without a tail loop; the core keeps the smaller form).
KERNEL_STRING_FAST := $(BUILD)/kernel/lib/string-fast.o
$(KERNEL_STRING_FAST): kernel/lib/string.c $(KFLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (fast)"
	@$(KCC) $(KCFLAGS) -DATOLL_STRING_FAST -c $< -o $@

# member_rule NAME: build/kernel/atoll-NAME.o from its objects, its own string functions, and the
# renamed kernel API; only kernel/NAME/exports.txt and the API stay global.
define member_rule
$$(BUILD)/kernel/atoll-$(1).o: $$(KERNEL_$(2)_OBJS) $$(KERNEL_STRING_FAST) \
		kernel/$(1)/exports.txt $$(KERNEL_API_RENAMES)
	@echo "  LD      $$@"
	@ld -r -o $$@.tmp $$(KERNEL_$(2)_OBJS) $$(KERNEL_STRING_FAST)
	@objcopy --redefine-syms=$$(KERNEL_API_RENAMES) $$@.tmp
	@objcopy --keep-global-symbols=kernel/$(1)/exports.txt \
		--keep-global-symbols=$$(KERNEL_API_GLOBALS) $$@.tmp $$@
	@rm -f $$@.tmp
endef
$(eval $(call member_rule,net,NET))
$(eval $(call member_rule,events,EVENTS))

KERNEL_MEMBERS := $(BUILD)/kernel/atoll.o $(if $(KERNEL_NET_SRCS),$(BUILD)/kernel/atoll-net.o) \
	$(if $(KERNEL_EVENTS_SRCS),$(BUILD)/kernel/atoll-events.o)
# The archive is rebuilt when its list of members changes, not only when a member does.
KMEMBERS_STAMP := $(BUILD)/kernel/members.txt
$(shell echo '$(KERNEL_MEMBERS)' | cmp -s - $(KMEMBERS_STAMP) || echo '$(KERNEL_MEMBERS)' > $(KMEMBERS_STAMP))
$(KERNEL_LIB): $(KERNEL_MEMBERS) $(KMEMBERS_STAMP)
	@rm -f $@
	@ar rcs $@ $(KERNEL_MEMBERS)

$(KERNEL_LDS): kernel/arch/x86_64/image.ld
	@mkdir -p $(dir $@)
	cp $< $@

include tools/atoll/atoll.mk

apps: $(APP_IMAGES)

.SECONDEXPANSION:
# The files of the extra source folders an app names in apps/NAME/sources (see docs/cli.md).
APP_EXTRA_FILES = $(shell sed -e 's/\x23.*//' apps/$(1)/sources 2>/dev/null | \
	while read -r d; do [ -z "$$d" ] || find "apps/$(1)/$$d" -type f; done)
# Every app is built by the same command a user runs on their own program.
$(BUILD)/%.img: $(KERNEL_LIB) $(KERNEL_LDS) $(ATOLL) $$(shell find apps/$$(*F) -type f 2>/dev/null) \
		$$(call APP_EXTRA_FILES,$$(*F))
	$(ATOLL) build apps/$(*F) -o $@ --target all

include tests/unit/unit.mk
-include tests/fuzz/fuzz.mk
include tests/e2e/e2e.mk
include tools/vm/vm.mk

deps:
	@scripts/install-deps.sh

# The demo: hello as a unikernel, on QEMU (KVM when usable, else TCG).
# Container images: every app with a Containerfile, from its static Linux binary and its rootfs.
CONTAINER_APPS := $(notdir $(patsubst %/Containerfile,%,$(wildcard apps/*/Containerfile)))
containers: $(addprefix container-,$(CONTAINER_APPS))
container-%: $(BUILD)/$$*/$$*.img
	@scripts/container-build.sh $* $(BUILD)

# The white paper's topology live: firewall, router, dns and web as unikernels, queried and torn down.
demo-poc: deps
	@$(MAKE) --no-print-directory all
	scripts/demo-poc.sh unikernel

demo: deps
	@$(MAKE) --no-print-directory all
	$(ATOLL) run $(BUILD)/hello/hello.img -e GREETING=Hello -- Atoll

test: deps
	$(MAKE) format-check
	$(MAKE) all
	@# The test programs and harnesses compile in parallel; they run one at a time.
	$(MAKE) -j$$(nproc) unit-build fuzz-build
	$(MAKE) unit unit-tools
	$(MAKE) fuzz
	$(MAKE) e2e e2e-tools

bench-boot: all floor
	BUILD=$(BUILD) bench/boot.sh $(BENCH_FLAGS)

bench-udp: all vm
	BUILD=$(BUILD) bench/udp.sh $(BENCH_FLAGS)

bench-forward: all
	BUILD=$(BUILD) bench/forward.sh $(BENCH_FLAGS)
bench-tcp: all vm
	BUILD=$(BUILD) bench/tcp.sh $(BENCH_FLAGS)

bench-web: all vm
	BUILD=$(BUILD) bench/web.sh $(BENCH_FLAGS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

-include $(KERNEL_OBJS:.o=.d) $(KERNEL_STRING_FAST:.o=.d)

# DNS: Atoll's dns beside NSD and Knot on loopback, then unikernel vs Linux VM on QEMU (root).
.PHONY: bench-dns
bench-dns: all vm
	BUILD=$(BUILD) bench/dns.sh

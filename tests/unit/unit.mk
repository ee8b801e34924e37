# Host unit tests (cmocka): each tests/unit/test_<x>.c is linked with the pure kernel sources
# it tests, built with sanitizers, and run by `make unit`.
#
# A new test declares its sources with one line:  UNIT_SRCS_<x> := kernel/core/foo.c

BUILD ?= build
UNIT_CC ?= gcc
UNIT_CFLAGS := -DATOLL_HOST -Ikernel/include -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_LDLIBS := -lcmocka

# Every test gets the formatter: kernel code reports errors with ksnprintf.
UNIT_COMMON_SRCS := kernel/lib/format.c

UNIT_SRCS_format :=
UNIT_SRCS_cmdline := kernel/core/cmdline.c
UNIT_SRCS_path := kernel/core/path.c
UNIT_SRCS_cpio := kernel/core/cpio.c
UNIT_SRCS_logring := kernel/core/logring.c
UNIT_SRCS_pagealloc := kernel/mm/pagealloc.c
UNIT_SRCS_random := kernel/core/random.c
UNIT_SRCS_klib :=
UNIT_SRCS_timer_expiry := kernel/events/timer_expiry.c
UNIT_SRCS_virtqueue := kernel/dev/net/virtqueue.c
UNIT_SRCS_cmdline_virtio := kernel/core/cmdline.c
UNIT_SRCS_cmdline_net := kernel/core/cmdline.c
# The stack alone: sockets, packet sockets and interface ioctls need the kernel core.
NET_KERNEL_ONLY_SRCS := kernel/net/socket%.c kernel/net/udp_socket.c kernel/net/packet%.c \
	kernel/net/ifreq.c kernel/net/tcp_socket%.c
NET_STACK_SRCS := $(filter-out $(NET_KERNEL_ONLY_SRCS),$(sort $(wildcard kernel/net/*.c)))
UNIT_SRCS_net_arp := $(NET_STACK_SRCS)
UNIT_SRCS_net_ip := $(NET_STACK_SRCS)
UNIT_SRCS_net_udp := $(NET_STACK_SRCS)
UNIT_SRCS_net_drops := $(NET_STACK_SRCS)
UNIT_SRCS_net_rx_csum := $(NET_STACK_SRCS)
UNIT_SRCS_tcp_handshake := $(NET_STACK_SRCS)
UNIT_SRCS_tcp_close := $(NET_STACK_SRCS)
UNIT_SRCS_tcp_rst := $(NET_STACK_SRCS)
UNIT_SRCS_tcp_retransmit := $(NET_STACK_SRCS)
UNIT_SRCS_tcp_window := $(NET_STACK_SRCS)
UNIT_SRCS_tcp_listen := $(NET_STACK_SRCS)
UNIT_SRCS_tcp_cookie_loss := $(NET_STACK_SRCS)
UNIT_SRCS_tcp_exit_drain := $(NET_STACK_SRCS)
UNIT_SRCS_tcp_timers := $(NET_STACK_SRCS)
UNIT_SRCS_tcp_loopback := $(NET_STACK_SRCS)
UNIT_SRCS_tcp_tso := $(NET_STACK_SRCS)
UNIT_SRCS_udp_socket := $(NET_STACK_SRCS) kernel/net/socket_syscalls.c kernel/net/udp_socket.c \
	kernel/mm/pagealloc.c kernel/dev/net/netdev.c
NET_TCP_SRCS := $(filter-out kernel/net/tcp_socket%.c,$(sort $(wildcard kernel/net/tcp_*.c)))
UNIT_SRCS_netconfig := $(addprefix kernel/net/,arp.c checksum.c counters.c eth.c icmp.c ipv4.c \
	netconfig.c netif.c reasm.c udp.c udp_queue.c) $(NET_TCP_SRCS)
UNIT_SRCS_packet := $(NET_STACK_SRCS) kernel/net/packet.c kernel/net/packet_opts.c kernel/net/ifreq.c \
	kernel/dev/net/netdev.c

# The web server's parsers (apps/web).
UNIT_SRCS_web_http := apps/web/http.c apps/web/http_fast.c apps/web/http_chunked.c
UNIT_SRCS_web_path := apps/web/path.c
UNIT_SRCS_web_fast := apps/web/http.c apps/web/http_fast.c apps/web/path.c
UNIT_SRCS_web_json := apps/web/json.c apps/web/path.c apps/web/timefmt.c
# TCP's algorithm modules, each alone.
UNIT_SRCS_tcp_options := kernel/net/tcp_options.c
UNIT_SRCS_tcp_ranges := kernel/net/tcp_ranges.c
UNIT_SRCS_tcp_sack := kernel/net/tcp_sack.c kernel/net/tcp_ranges.c
UNIT_SRCS_tcp_rtt := kernel/net/tcp_rtt.c
UNIT_SRCS_tcp_cc := kernel/net/tcp_cc.c
UNIT_LDLIBS += -lm # test_tcp_cc checks CUBIC against a double-precision reference
UNIT_SRCS_tcp_isn := kernel/net/tcp_isn.c
UNIT_SRCS_net_checksum := kernel/net/checksum.c
UNIT_SRCS_tcp_syncookie := kernel/net/tcp_syncookie.c kernel/net/tcp_isn.c
# The engine's loss recovery end to end over a simulated path (uses the modules above).
UNIT_SRCS_tcp_lossy_link := $(NET_STACK_SRCS)

# kernel/lib/string.c defines memcpy & co., which clash with the host's libc: it is built
# freestanding as for the kernel and its symbols renamed to kstring_memcpy & co.; its
# ATOLL_STRING_FAST build (the optional members') to kfast_memcpy & co.
UNIT_OBJS_string := $(BUILD)/tests/unit/kstring.o $(BUILD)/tests/unit/kfast.o
$(BUILD)/tests/unit/kstring.o $(BUILD)/tests/unit/kfast.o: kernel/lib/string.c \
		kernel/include/atoll/klib.h
	@mkdir -p $(dir $@)
	gcc -std=gnu11 -O2 -ffreestanding -nostdinc -isystem $$(gcc -print-file-name=include) \
		-Ikernel/include -fno-builtin -fno-stack-protector -Wall -Wextra -Werror \
		$(if $(findstring kfast,$@),-DATOLL_STRING_FAST) -c $< -o $@.tmp.o
	objcopy --prefix-symbols=$(basename $(notdir $@))_ $@.tmp.o $@
	rm -f $@.tmp.o

UNIT_NAMES := $(patsubst tests/unit/test_%.c,%,$(sort $(wildcard tests/unit/test_*.c)))
UNIT_BINS := $(patsubst %,$(BUILD)/tests/unit/test_%,$(UNIT_NAMES))

.PHONY: unit unit-build
unit-build: $(UNIT_BINS)

# Runs every test binary, then fails if any of them failed.
unit: $(UNIT_BINS)
	@failed=""; \
	for t in $(UNIT_BINS); do \
		echo "== $$t"; \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t || failed="$$failed $$(basename $$t)"; \
	done; \
	if [ -n "$$failed" ]; then echo "unit: FAILED:$$failed"; exit 1; fi; \
	echo "unit: all $(words $(UNIT_BINS)) test programs passed"

.SECONDEXPANSION:
$(BUILD)/tests/unit/test_%: tests/unit/test_%.c $$(UNIT_SRCS_$$*) $$(UNIT_OBJS_$$*) $(UNIT_COMMON_SRCS) \
		$(wildcard kernel/include/atoll/*.h) tests/unit/unit.mk
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $(filter %.c %.o,$^) $(UNIT_LDLIBS)
# lib/netfn: the frame code shared by apps/router and apps/firewall.
NETFN_SRCS := $(sort $(filter-out lib/netfn/ports.c,$(wildcard lib/netfn/*.c)))
UNIT_SRCS_netfn_lpm := lib/netfn/lpm.c
UNIT_SRCS_netfn_forward := $(NETFN_SRCS)
FW_SRCS := $(NETFN_SRCS) $(filter-out apps/firewall/main.c,$(sort $(wildcard apps/firewall/*.c)))
UNIT_SRCS_fw_parse := $(FW_SRCS)
UNIT_SRCS_fw_filter := $(FW_SRCS)
# The firewall includes lib/netfn's headers by name, as `atoll build` lets it (apps/firewall/sources).
$(BUILD)/tests/unit/test_fw_parse $(BUILD)/tests/unit/test_fw_filter: UNIT_CFLAGS += -Ilib/netfn
# The dns app's parsers and answer logic (apps/dns), built for the host.
DNS_ZONE_SRCS := apps/dns/name.c apps/dns/db.c apps/dns/zone.c apps/dns/zone_lex.c apps/dns/rdata.c
UNIT_SRCS_dns_zone := $(DNS_ZONE_SRCS)
UNIT_SRCS_dns_zone_errors := $(DNS_ZONE_SRCS)
UNIT_SRCS_dns_query := $(DNS_ZONE_SRCS) apps/dns/query.c apps/dns/msg.c apps/dns/cache.c

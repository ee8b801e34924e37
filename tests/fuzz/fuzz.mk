# libFuzzer harnesses for the kernel's parsers and allocators: `make fuzz` builds each
# tests/fuzz/fuzz_<x>.c with clang and runs it for FUZZ_SECONDS seconds, starting from the seeds
# in tests/fuzz/corpus/<x>/. Any crash, sanitizer report or assertion fails the target; the
# input that caused it is left under $(BUILD)/tests/fuzz/.
#
# A new harness declares its sources with one line:  FUZZ_SRCS_<x> := kernel/core/foo.c

BUILD ?= build
FUZZ_SECONDS ?= 15
FUZZ_CC ?= clang
FUZZ_CFLAGS := -DATOLL_HOST -Ikernel/include -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# The formatter goes into every harness: kernel code reports errors with ksnprintf.
FUZZ_COMMON_SRCS := kernel/lib/format.c

FUZZ_SRCS_format :=
FUZZ_SRCS_cpio := kernel/core/cpio.c
FUZZ_SRCS_cmdline := kernel/core/cmdline.c
FUZZ_SRCS_path := kernel/core/path.c
FUZZ_SRCS_pagealloc := kernel/mm/pagealloc.c
# The stack alone: sockets, packet sockets and interface ioctls need the kernel core.
FUZZ_SRCS_net_rx := $(filter-out kernel/net/socket%.c kernel/net/udp_socket.c kernel/net/tcp_socket%.c \
	kernel/net/packet%.c kernel/net/ifreq.c,$(sort $(wildcard kernel/net/*.c)))
# A frame with the driver's virtio-net header: checksum offload word, completion, the stack.
FUZZ_SRCS_rx_csum := $(FUZZ_SRCS_net_rx)
# TCP segments against a listener and a connection: the whole stack, as for net_rx.
FUZZ_SRCS_tcp_input := $(FUZZ_SRCS_net_rx)
# TCP options from the network, and the SACK scoreboard their blocks feed.
FUZZ_SRCS_tcp_options := kernel/net/tcp_options.c kernel/net/tcp_sack.c kernel/net/tcp_ranges.c

# The web server's parsers (apps/web).
FUZZ_SRCS_web_http := apps/web/http.c apps/web/http_fast.c apps/web/http_chunked.c apps/web/path.c apps/web/json.c
FUZZ_SRCS_web_fast := apps/web/http.c apps/web/http_fast.c apps/web/path.c
FUZZ_SRCS_web_conn := $(filter-out apps/web/main.c,$(wildcard apps/web/*.c))

FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS := $(patsubst %,$(BUILD)/tests/fuzz/fuzz_%,$(FUZZ_NAMES))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

# Runs every harness in turn (the log of each goes to $(BUILD)/tests/fuzz/<x>.log).
fuzz: $(FUZZ_BINS)
	@set -e; for name in $(FUZZ_NAMES); do \
		work=$(BUILD)/tests/fuzz/corpus/$$name; mkdir -p $$work tests/fuzz/corpus/$$name; \
		log=$(BUILD)/tests/fuzz/$$name.log; \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
		if ! $(BUILD)/tests/fuzz/fuzz_$$name -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/tests/fuzz/$$name- \
			$$work tests/fuzz/corpus/$$name >$$log 2>&1; then \
			tail -n 40 $$log; echo "fuzz: $$name FAILED (input saved as $(BUILD)/tests/fuzz/$$name-*)"; \
			exit 1; \
		fi; \
		grep -E '^stat::number_of_executed_units|^Done' $$log | tr '\n' ' '; echo; \
	done; echo "fuzz: all $(words $(FUZZ_NAMES)) harnesses ran without a failure"

.SECONDEXPANSION:
$(BUILD)/tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) $(FUZZ_COMMON_SRCS) \
		$(wildcard kernel/include/atoll/*.h) tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)
# lib/netfn's frame path and the firewall's rule parser.
FUZZ_SRCS_netfn_frame := $(sort $(filter-out lib/netfn/ports.c,$(wildcard lib/netfn/*.c)))
FUZZ_FW_SRCS := $(FUZZ_SRCS_netfn_frame) $(filter-out apps/firewall/main.c,$(sort $(wildcard apps/firewall/*.c)))
FUZZ_SRCS_fw_rules := $(FUZZ_FW_SRCS)
FUZZ_SRCS_fw_packet := $(FUZZ_FW_SRCS)
$(BUILD)/tests/fuzz/fuzz_fw_rules $(BUILD)/tests/fuzz/fuzz_fw_packet: FUZZ_CFLAGS += -Ilib/netfn
# The dns app's query path (apps/dns): parsing, lookup and the response builder.
FUZZ_SRCS_dns_query := apps/dns/name.c apps/dns/db.c apps/dns/zone.c apps/dns/zone_lex.c \
	apps/dns/rdata.c apps/dns/query.c apps/dns/msg.c apps/dns/cache.c
FUZZ_SRCS_dns_zone := apps/dns/name.c apps/dns/db.c apps/dns/zone.c apps/dns/zone_lex.c \
	apps/dns/rdata.c

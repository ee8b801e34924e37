# Build rules of the atoll tool, its unit tests and the empty "floor" kernel of the boot benchmark.
#
#   $(BUILD)/tools/atoll     the atoll command-line tool
#   unit-tools               cmocka unit tests of the tool (ASan + UBSan)
#   e2e-tools                bats tests that boot the floor kernel with `atoll run`
#   $(BUILD)/bench/floor.img a PVH kernel that only reports `exit 0`: the VMM's boot floor

ATOLL_TOOL_DIR := tools/atoll
ATOLL_TOOL_SRCS := $(sort $(wildcard $(ATOLL_TOOL_DIR)/*.c))
ATOLL_TOOL_OBJS := $(patsubst $(ATOLL_TOOL_DIR)/%.c,$(BUILD)/tools/obj/%.o,$(ATOLL_TOOL_SRCS))
ATOLL_TOOL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -MMD -MP \
	$(if $(VERSION),-DATOLL_VERSION=\"$(VERSION)\")

.PHONY: tools unit-tools e2e-tools floor

tools: $(BUILD)/tools/atoll

$(BUILD)/tools/obj/%.o: $(ATOLL_TOOL_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ATOLL_TOOL_CFLAGS) -c $< -o $@

$(BUILD)/tools/atoll: $(ATOLL_TOOL_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ -lm

-include $(ATOLL_TOOL_OBJS:.o=.d)

# Unit tests: each tests/test_X.c is linked with the tool's code (all but main.c, as an archive),
# built with sanitizers so that every memory error fails the test.
ATOLL_TEST_DIR := $(BUILD)/tools/tests
ATOLL_TEST_SRCS := $(sort $(wildcard $(ATOLL_TOOL_DIR)/tests/test_*.c))
ATOLL_TEST_BINS := $(patsubst $(ATOLL_TOOL_DIR)/tests/%.c,$(ATOLL_TEST_DIR)/%,$(ATOLL_TEST_SRCS))
ATOLL_TEST_LIB_SRCS := $(filter-out $(ATOLL_TOOL_DIR)/main.c,$(ATOLL_TOOL_SRCS))
ATOLL_TEST_LIB_OBJS := $(patsubst $(ATOLL_TOOL_DIR)/%.c,$(ATOLL_TEST_DIR)/obj/%.o,$(ATOLL_TEST_LIB_SRCS))
ATOLL_TEST_LIB := $(ATOLL_TEST_DIR)/libatolltool.a
ATOLL_TEST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-I$(ATOLL_TOOL_DIR)
ATOLL_TEST_FIXTURE := $(ATOLL_TEST_DIR)/fixture.elf

$(ATOLL_TEST_DIR)/obj/%.o: $(ATOLL_TOOL_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ATOLL_TEST_CFLAGS) -MMD -MP -c $< -o $@

$(ATOLL_TEST_LIB): $(ATOLL_TEST_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(ATOLL_TEST_DIR)/test_%: $(ATOLL_TOOL_DIR)/tests/test_%.c $(ATOLL_TEST_LIB) \
		$(ATOLL_TOOL_DIR)/tests/test_util.h $(wildcard $(ATOLL_TOOL_DIR)/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ATOLL_TEST_CFLAGS) -o $@ $< $(ATOLL_TEST_LIB) -lcmocka -lm

-include $(ATOLL_TEST_LIB_OBJS:.o=.d)

# A tiny ELF with functions at known places, gaps between them and an Atoll note.
$(ATOLL_TEST_FIXTURE): $(ATOLL_TOOL_DIR)/tests/fixture.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $(ATOLL_TEST_DIR)/fixture.o
	ld -static -nostdlib -no-pie -z noexecstack -e fixture_start -Ttext=0x401000 \
		-o $@ $(ATOLL_TEST_DIR)/fixture.o

unit-tools: $(ATOLL_TEST_BINS) $(ATOLL_TEST_FIXTURE)
	@failed=""; \
	for t in $(ATOLL_TEST_BINS); do \
		echo "== $$t"; \
		ATOLL_TEST_FIXTURE=$(ATOLL_TEST_FIXTURE) ATOLL_TEST_TMP=$(ATOLL_TEST_DIR) \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
			$$t || failed="$$failed $$(basename $$t)"; \
	done; \
	if [ -n "$$failed" ]; then echo "unit-tools: FAILED:$$failed"; exit 1; fi; \
	echo "unit-tools: all $(words $(ATOLL_TEST_BINS)) test programs passed"

# The floor kernel: a 32-bit PVH entry that writes the exit-0 status and leaves.
floor: $(BUILD)/bench/floor.img

$(BUILD)/bench/floor.img: bench/floor/floor.S bench/floor/floor.ld
	@mkdir -p $(dir $@)
	$(CC) -c bench/floor/floor.S -o $(BUILD)/bench/floor.o
	ld -static -nostdlib -no-pie -z max-page-size=4096 -z noexecstack -T bench/floor/floor.ld \
		-o $@ $(BUILD)/bench/floor.o

e2e-tools: $(BUILD)/tools/atoll $(BUILD)/bench/floor.img
	ATOLL=$(abspath $(BUILD)/tools/atoll) FLOOR_IMG=$(abspath $(BUILD)/bench/floor.img) \
		bats $(ATOLL_TOOL_DIR)/tests/cli.bats

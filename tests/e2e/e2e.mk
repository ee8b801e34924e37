# End-to-end tests: boot the test programs with the atoll tool under QEMU (run `make all` first).
# TCG unless $ATOLL_ACCEL says otherwise; E2E_MACHINES picks the machine types (default: microvm pc).

E2E_BATS_FLAGS ?= --timing

.PHONY: e2e
e2e:
	BUILD=$(abspath $(BUILD)) bats $(E2E_BATS_FLAGS) tests/e2e

# Build rules of the `vm` runtime (a Debian Linux guest running an app's static binary).
#
#   vm                               kernel, base initramfs, and one initramfs per app
#   $(BUILD)/vm/init                 the guest's /init (static, musl), parses Atoll's command line
#   $(BUILD)/vm/vmlinuz              Debian's kernel (linux-image-amd64)
#   $(BUILD)/vm/vmlinux              the same unpacked (PVH ELF: boots seconds faster under TCG)
#   $(BUILD)/vm/initramfs.cpio.gz    busybox-static, the virtio-net modules, the init
#   $(BUILD)/vm/initramfs-APP.cpio.gz  the same with APP's Linux binary, for plain QEMU runs
#   vm-nft, $(BUILD)/vm/nft.cpio.gz  optional: Debian's nft, its libraries and the nf_tables
#                                    modules, for a guest that forwards with Linux's nftables
#   $(BUILD)/vm/nft-forward          its program (static): runs the archive's boot script
# `atoll run --runtime vm` uses the kernel and the base initramfs and adds the binary itself.

VM_DIR := $(BUILD)/vm
VM_INIT := $(VM_DIR)/init
# The init parses the command line with the kernel's own parsers, built for the host libc; only
# the parsing half of netconfig.c is linked (section GC drops the half that drives the stack).
VM_INIT_SRCS := tools/vm/init.c kernel/core/cmdline.c kernel/net/netconfig.c kernel/lib/format.c
VM_INIT_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -DATOLL_HOST -Ikernel/include \
	-ffunction-sections -fdata-sections -Wl,--gc-sections

.PHONY: vm vm-nft

$(VM_INIT): $(VM_INIT_SRCS) kernel/include/atoll/cmdline.h kernel/include/atoll/netconfig.h \
		kernel/include/atoll/klib.h
	@mkdir -p $(dir $@)
	musl-gcc -static $(VM_INIT_CFLAGS) -o $@ $(VM_INIT_SRCS)

$(VM_DIR)/initramfs.cpio.gz: $(VM_INIT) tools/vm/build-vm.sh tools/vm/kmodules.sh
	tools/vm/build-vm.sh $(VM_DIR) $(VM_INIT)

$(VM_DIR)/vmlinuz: $(VM_DIR)/initramfs.cpio.gz

define vm_app_rule
$$(VM_DIR)/initramfs-$(1).cpio.gz: $$(BUILD)/$(1)/$(1).img $$(VM_DIR)/initramfs.cpio.gz
	tools/vm/build-vm.sh $$(VM_DIR) $$(VM_INIT) $$(BUILD)/$(1)/$(1).linux
endef
$(foreach a,$(APPS),$(eval $(call vm_app_rule,$(a))))

vm: $(VM_DIR)/vmlinuz $(VM_DIR)/initramfs.cpio.gz $(foreach a,$(APPS),$(VM_DIR)/initramfs-$(a).cpio.gz)

$(VM_DIR)/nft.cpio.gz: tools/vm/build-nft.sh tools/vm/kmodules.sh tools/vm/nft-forward.sh
	tools/vm/build-nft.sh $(VM_DIR) tools/vm/nft-forward.sh

# The program the guest runs (the runner boots ELF files): it starts the archive's script.
$(VM_DIR)/nft-forward: tools/vm/nft_forward.c
	@mkdir -p $(dir $@)
	musl-gcc -static -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<

vm-nft: $(VM_DIR)/nft.cpio.gz $(VM_DIR)/nft-forward

# The end-to-end tests boot programs in the vm runtime too.
e2e: vm vm-nft

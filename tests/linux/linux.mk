# linux.mk: `make linux-tests`, Debian 12's own EFI-stub vmlinuz booted through the loader's `linux` entry in QEMU.
# Included from the top Makefile, which defines BUILD, Q and the `all` target.
# The kernel package is downloaded once (apt-get download, never installed) into $(BUILD)/linux/.

.PHONY: linux-tests

linux-tests: all
	$(Q)tests/linux/linux-boot.sh --build $(BUILD)

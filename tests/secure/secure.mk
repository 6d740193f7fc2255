# secure.mk: `make sign` (enroll the config hash, sign BOOTX64.EFI) and `make secure-tests` (Secure Boot and measured-boot QEMU boots).
# Included from the top Makefile, which defines BUILD, Q, BOOTX64 and the `all`, `efi`, `esp` targets.

# The key and certificate to sign with (PEM; an encrypted key makes sbsign ask for its
# passphrase). SIGN_ESP is the ESP whose /loader/loader.conf and /loader/entries/*.conf are
# enrolled: the loader refuses any other config under Secure Boot (docs/security.md).
SIGN_KEY ?=
SIGN_CERT ?=
SIGN_ESP ?= $(BUILD)/esp
SIGNED := $(BUILD)/signed
ENROLL := tools/secure/tagboot-enroll.py

.PHONY: sign secure-tests measured-boot-tests

# build/signed/BOOTX64.EFI: the loader with the config hash enrolled, then signed.
# build/signed/esp/: a copy of SIGN_ESP with that loader as EFI/BOOT/BOOTX64.EFI, ready to boot.
sign: efi esp
	$(Q)if [ -z "$(SIGN_KEY)" ] || [ -z "$(SIGN_CERT)" ]; then \
		echo "make sign: set SIGN_KEY=key.pem SIGN_CERT=cert.pem (and SIGN_ESP=dir, default $(BUILD)/esp)" >&2; \
		exit 2; fi
	$(Q)mkdir -p $(SIGNED)
	$(Q)python3 $(ENROLL) enroll $(SIGN_ESP) $(BOOTX64) $(SIGNED)/BOOTX64.enrolled.EFI
	$(Q)sbsign --key $(SIGN_KEY) --cert $(SIGN_CERT) --output $(SIGNED)/BOOTX64.EFI \
		$(SIGNED)/BOOTX64.enrolled.EFI
	$(Q)rm -f $(SIGNED)/BOOTX64.enrolled.EFI
	$(Q)sbverify --cert $(SIGN_CERT) $(SIGNED)/BOOTX64.EFI
	$(Q)rm -rf $(SIGNED)/esp && cp -r $(SIGN_ESP) $(SIGNED)/esp && \
		cp $(SIGNED)/BOOTX64.EFI $(SIGNED)/esp/EFI/BOOT/BOOTX64.EFI
	@echo "signed: $(SIGNED)/BOOTX64.EFI (config of $(SIGN_ESP) enrolled), ESP: $(SIGNED)/esp"

# Every tests/secure/*.sh: Secure Boot boots (snakeoil OVMF) and measured boot (swtpm).
SECURE_TESTS := $(sort $(wildcard tests/secure/*.sh))
secure-tests: all
	$(Q)set -e; for t in $(SECURE_TESTS); do echo "== $$t"; $$t; done

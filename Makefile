# The release build: binaries, .deb, .rpm, .msi and SHA256SUMS in dist/.
.PHONY: dist
dist:
	scripts/dist

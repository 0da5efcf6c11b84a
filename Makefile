# The release build: binaries, .deb, .rpm, .msi and SHA256SUMS in dist/.
.PHONY: dist
dist:
	scripts/dist

# Benchmarks against the npm peers, in one run; rewrites BENCHMARKS.md.
.PHONY: bench
bench:
	scripts/bench

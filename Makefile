# agora: `make run` serves the forum, `make test` runs every check. Both install what is missing first.
SHELL := /bin/bash
CARGO ?= cargo
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
ORT_DYLIB_PATH ?= $(CURDIR)/.ort/lib/libonnxruntime.so
CARGO_TARGET_DIR ?= $(CURDIR)/target
export ORT_DYLIB_PATH CARGO_TARGET_DIR

.PHONY: run test setup ort reference vendor mail s3 env lint test-rust test-postgres test-e2e

# On an empty database, `seed-demo --hint` prints how to fill it with the demo community
# (or set SEED=1: `make run SEED=1`).
run: setup
	$(CARGO) build --release
	@if [ "$(SEED)" = 1 ]; then $(CARGO) run --release -q -- seed-demo || true; else $(CARGO) run --release -q -- seed-demo --hint; fi
	$(CARGO) run --release -- serve

setup: env ort vendor mail s3

# A local .env from the documented example, only when there is none.
env:
	@[ -f .env ] || { cp .env.example .env; echo "setup: wrote .env from .env.example"; }

ort:
	@bash tools/ort/install.sh >/dev/null

# onnxruntime-python in .venv-ref: the engine's greedy test computes its Python reference on this machine.
reference:
	@bash tools/setup/reference.sh

vendor:
	@bash tools/setup/vendor.sh

# aiosmtpd in .venv-mail: the real SMTP server the tests deliver mail to (tools/mail/smtp_sink.py).
mail:
	@bash tools/setup/mail.sh

# moto's S3 server in .venv-s3: the real S3-compatible store the upload tests keep images in.
s3:
	@bash tools/setup/s3.sh

test: setup lint test-rust test-postgres test-e2e

# The layering check prints nothing when every import runs down the floors (DESIGN.md); its self-test
# plants forbidden imports in a copy of src/ and expects each to be caught.
lint:
	python3 tools/check/layers.py
	python3 tools/check/test_layers.py
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --locked -- -D warnings

test-rust: reference
	AGORA_REQUIRE_AI=1 $(CARGO) test --locked

test-postgres:
	@TEST_DATABASE_URL=$(TEST_DATABASE_URL) bash tools/setup/postgres.sh
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(CARGO) test --locked --test api

# The binary comes from the test build (same features as `cargo test`, so nothing is compiled twice).
test-e2e:
	@bash tools/setup/chromium.sh
	$(CARGO) test --locked --no-run
	node --test tests/e2e/

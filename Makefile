# The two commands a new user needs (see README.md):
#   make demo   set everything up and run a headless demo drill
#   make test   set everything up and run the test suite
VENV ?= .venv

.PHONY: setup demo test bench
setup:
	scripts/setup

demo: setup
	$(VENV)/bin/voicedrill demo

test: setup
	scripts/lint
	scripts/test

bench: setup
	$(VENV)/bin/python scripts/bench.py

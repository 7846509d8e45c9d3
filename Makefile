# Two commands on a fresh machine: `make run` and `make test`. Everything they need is
# installed by the targets below; caches live outside the repo, keyed by version.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

NODE_BIN := $(shell scripts/node.sh)
export PATH := $(NODE_BIN):$(PATH)

.PHONY: help deps node_modules peers manifests run build image-context test test-unit test-integration typecheck generate bench chaos clean

help:
	@echo "make run    run the operator (no KUBECONFIG: local control plane, AWS emulator and the seed example)"
	@echo "make test   install what is needed and run every test"
	@echo "make bench  worst-case template and rewrite time; sync latency, AWS API cost and memory at scale"
	@echo "make chaos  the fault scenarios at full size, with their figures (about 20 minutes)"
	@echo "make image-context  what the image holds besides Node, laid out from the Dockerfile without Docker, and its size"

node_modules: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## The real peers the tests and the local mode talk to: kube-apiserver + etcd (built once) and moto; helm (built once)
## and the Prometheus Operator's ServiceMonitor CRD for the chart's tests.
peers:
	@command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl; }
	@command -v go >/dev/null || { echo "Go is needed to build kube-apiserver and etcd (or set KUBEBUILDER_ASSETS)"; exit 1; }
	scripts/controlplane-binaries.sh >/dev/null
	scripts/moto.sh >/dev/null
	scripts/helm.sh >/dev/null
	scripts/servicemonitor-crd.sh >/dev/null

deps: node_modules peers

## V8's heap, set deliberately (README, "Memory"): a small young generation, and an old generation sized from the
## memory the process may use (a container's limit). The Dockerfile's CMD runs the operator with the same flags.
NODE_HEAP_FLAGS := --max-semi-space-size=4 --max-old-space-size-percentage=60

run: deps
	node $(NODE_HEAP_FLAGS) src/main.ts

## What the image runs: src/ with its types stripped ahead into dist/ (imports name .js files), so that Node's type
## stripper is never loaded (README, "Memory").
build: node_modules
	rm -rf dist
	npx tsc -p tsconfig.build.json

## deploy/aws-secrets-operator.yaml: the Helm chart rendered with its default values, for kubectl users.
manifests: node_modules
	node scripts/generate-manifests.ts

## What the image holds besides Node (its WORKDIR), without a Docker engine: laid out by following the Dockerfile
## (scripts/image-context.ts: its copies, the build's tsc, `npm ci --omit=dev`) in a new folder under /tmp, or in
## IMAGE_CONTEXT=folder (outside the repository); prints its size and largest dependencies.
image-context: node_modules
	node scripts/image-context.ts $(IMAGE_CONTEXT)

typecheck: node_modules
	npx tsc --noEmit -p .

test: deps typecheck
	npx vitest run

test-unit: node_modules
	npx vitest run --project unit

test-integration: deps
	npx vitest run --project integration

## The time the worst templates and rewrites take; then W1000 and W10000 (scripts/bench/workloads.ts): sync time, AWS calls,
## apiserver ceiling, memory, CPU, latency against bench/baseline.json, into bench/results/. BENCH_WORKLOADS=W1000 picks one,
## BENCH_SCALE=0.2 shrinks them, BENCH_BASELINE=1 rewrites the baseline. The operator runs with the Dockerfile CMD's node flags
## (the heap share taken of the chart's default memory limit), or with BENCH_NODE_OPTIONS alone when that is set.
bench: deps
	node scripts/bench-limits.ts
	node scripts/bench.ts

## The fault scenarios at full size: apiserver outage, black-holed connections, hostile input, AWS faults, SIGKILL.
chaos: deps
	node scripts/chaos/run.ts

generate: node_modules
	npm run generate

clean:
	rm -rf node_modules .tools dist

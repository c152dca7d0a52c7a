#!/usr/bin/env bash
# Builds the peers Ringwatch is benchmarked against, from the Go module proxy, into .cache/peers/:
# Prometheus 3.16 (agent mode) and promtool, Alertmanager 0.28.1 and amtool, VictoriaMetrics and
# vmagent, node_exporter 1.12.1. Cold: about 6 minutes on 2 cores; Go caches stay under .cache/go.
# Notes: Prometheus needs -tags remove_all_sd (the nomad SD dependency is refused by the proxy);
# VictoriaMetrics has replace directives, so it builds from a tools module (vm.go.mod, vm-tools.go).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$root/.cache/peers}
mkdir -p "$out"
if [ -x "$out/vmagent" ] && [ -x "$out/prometheus" ] && [ -x "$out/node_exporter" ]; then exit 0; fi
export GOPATH=$root/.cache/go GOMODCACHE=$root/.cache/go/mod GOCACHE=$root/.cache/go/build GOBIN=$out GOFLAGS=-mod=mod
go install -tags remove_all_sd -ldflags "-X github.com/prometheus/common/version.Version=3.16.0" \
  github.com/prometheus/prometheus/cmd/prometheus@v0.316.0 github.com/prometheus/prometheus/cmd/promtool@v0.316.0
go install github.com/prometheus/alertmanager/cmd/alertmanager@v0.28.1 github.com/prometheus/alertmanager/cmd/amtool@v0.28.1
go install github.com/prometheus/node_exporter@v1.12.1
vm=$(mktemp -d); cp "$here/vm.go.mod" "$vm/go.mod"; cp "$here/vm-tools.go" "$vm/tools.go"
(cd "$vm" && go mod tidy && for a in victoria-metrics vmagent; do
  go build -ldflags "-X github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version=$a-20250718-9d9bea03" \
    -o "$out/$a" "github.com/VictoriaMetrics/VictoriaMetrics/app/$a"; done)
rm -rf "$vm"
ls -la "$out"

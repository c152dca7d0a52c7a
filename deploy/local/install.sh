#!/usr/bin/env bash
# Installs what the local stack and the integration tests need, once: Debian's etcd, Prometheus,
# Alertmanager, Redis and memcached, Apache Kafka's jars from Maven Central (cached under .cache/), and the npm packages
# (which bring Node 24). Every step is skipped when its result is already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="$root/.cache"
mkdir -p "$cache"
log() { printf '[install] %s\n' "$*" >&2; }

need_apt=()
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
# Kafka's jars come from Maven Central through mvn, and Kafka runs on a JRE: a bare Debian has neither.
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
# The fleet status page is tested in a real browser: Debian's chromium, driven by playwright-core.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# A shared results cache for several query replicas (query/README.md): Debian's Redis, memcached.
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v memcached >/dev/null 2>&1 || need_apt+=(memcached)
# The nodes run on jemalloc when it is there (bin/node-reexec.ts): with glibc's malloc RSS creeps up.
[ -e /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 ] || [ -e /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 ] || need_apt+=(libjemalloc2)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  # The packages' maintainer scripts would start system services; the stack runs its own processes.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null; $sudo_cmd chmod +x "$policy"; trap '$sudo_cmd rm -f "$policy"' EXIT; fi
  # Processes of these names that run already are the user's own: remember them, never touch them.
  services=(etcd prometheus prometheus-alertmanager prometheus-node-exporter redis-server memcached)
  before=" $(pgrep -x -d ' ' "$(IFS='|'; echo "${services[*]}")" 2>/dev/null || true) "
  $sudo_cmd apt-get update -qq >/dev/null 2>&1 || $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # Where a service manager ignored the guard, stop only what this install started, by pid. The
  # packages' daemons run as their own users (etcd, prometheus, redis, memcache); a process of
  # ours, started meanwhile by a stack or a test run (as this user), is not the install's.
  me="$(id -un)"
  for pid in $(pgrep -x "$(IFS='|'; echo "${services[*]}")" 2>/dev/null || true); do
    case "$before" in *" $pid "*) continue ;; esac
    [ "$(ps -o user= -p "$pid" 2>/dev/null | tr -d ' ')" = "$me" ] && continue
    log "stopping pid $pid started by the package install"; $sudo_cmd kill "$pid" 2>/dev/null || true
  done
fi

kafka_version="${KAFKA_VERSION:-3.9.1}"
kafka_libs="$cache/kafka-$kafka_version/libs"
if [ ! -f "$kafka_libs/.complete" ]; then
  log "resolving Kafka $kafka_version jars from Maven Central"
  mkdir -p "$kafka_libs" "$cache/kafka-$kafka_version"
  cat > "$cache/kafka-$kafka_version/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.ringwatch</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$kafka_version</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$kafka_version</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
  mvn -B -q -f "$cache/kafka-$kafka_version/pom.xml" -Dmaven.repo.local="$cache/m2" \
    dependency:copy-dependencies -DoutputDirectory="$kafka_libs" -DincludeScope=runtime
  touch "$kafka_libs/.complete"
fi

if [ ! -x "$root/node_modules/.bin/node" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  log "npm ci"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
fi
log "done"

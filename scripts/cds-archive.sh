#!/usr/bin/env bash
# Writes a class-data-sharing archive for the bundle's jar (JDK 13+ dynamic CDS): a training start in sandbox mode
# (the simulator in-process, no Attio, no secrets), stopped once health answers 200; the JVM writes every class it
# loaded to the archive as it exits. Started with -XX:SharedArchiveFile=<archive> the same JVM and jar then map those
# classes instead of loading, verifying and linking them again: about a third of the start-up (docs/PERFORMANCE.md).
# An archive that does not match (another JDK, a rebuilt jar) is ignored with a warning, never an error.
# Usage: scripts/cds-archive.sh <jar> <archive> [management port, default 9876]
set -euo pipefail
jar="$1"; archive="$2"; port="${3:-9876}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
rm -f "$archive"
MANAGEMENT_PORT="$port" java -XX:ArchiveClassesAtExit="$archive" -jar "$jar" --sandbox > "$log" 2>&1 &
pid=$!
healthy=""
for _ in $(seq 1 1200); do
  kill -0 "$pid" 2>/dev/null || { tail -30 "$log" >&2; echo "cds-archive: the training start exited" >&2; exit 1; }
  if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/observe/health" || true)" == "200" ]]; then
    healthy=yes; break
  fi
  sleep 0.1
done
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" || true  # SIGTERM ends the JVM with 143; the archive is written on the way out
if [[ -z "$healthy" ]]; then
  tail -30 "$log" >&2
  echo "cds-archive: the training start never answered health 200: an archive of half a start is not kept" >&2
  rm -f "$archive"
  exit 1
fi
[[ -s "$archive" ]] || { echo "cds-archive: no archive written to $archive" >&2; exit 1; }
echo "cds-archive: $archive ($(( $(stat -c %s "$archive") >> 20 )) MB)"

#!/bin/bash
# The workstation's memory with the OCR engine loaded (issue #8: at most 300 MB), measured on the
# real program as a pharmacist uses it: a fresh home folder, `rxdesk --demo` with N generated phone
# photos named at start, log in (xdotool), the photos read and presented, then End + Enter opens
# the last prescription's review with its photo. Prints VmRSS at the login window and the
# process's VmHWM (peak resident) and VmRSS at the end. Not run by CI (it measures, it does not
# test); run it on an idle machine:  tests/gui/measure_memory.sh [N] [build dir]
set -euo pipefail
N=${1:-20}
BUILD=${2:-build}
work=$(mktemp -d /tmp/rxdesk-memory.XXXXXX)
trap 'kill ${app:-} ${xvfb:-} 2>/dev/null || true; rm -rf "$work"' EXIT
"$BUILD/bin/rxdesk-rxgen" --out "$work/photos" --count "$N" --seed 808 >/dev/null 2>&1
export HOME="$work/home" NO_AT_BRIDGE=1
mkdir -p "$HOME"
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1366x768x24 >/dev/null 2>&1 &
xvfb=$!
sleep 1
export DISPLAY=$display
# First start creates the demo store; the measured start is the second, as on every later day.
"$BUILD/bin/rxdesk" --demo >/dev/null 2>&1 &
app=$!
until [ -f "$HOME/.local/share/rxdesk/demo/demo.rxdb.keys" ]; do sleep 0.5; done
sleep 3; kill $app; wait $app 2>/dev/null || true
"$BUILD/bin/rxdesk" --demo $(ls "$work"/photos/*.jpg | head -n "$N") >/dev/null 2>&1 &
app=$!
until xdotool search --onlyvisible --name . >/dev/null 2>&1; do sleep 0.2; done
sleep 2
echo "login window: $(grep VmRSS /proc/$app/status | awk '{print $2}') kB resident"
xdotool type --delay 20 rxdesk-demo
xdotool key Return
# Wait until the intake is over: resident size unchanged for 10 s.
last=0; still=0
while [ $still -lt 10 ]; do
  sleep 1
  now=$(grep VmRSS /proc/$app/status | awk '{print $2}')
  if [ "$now" = "$last" ]; then still=$((still + 1)); else still=0; last=$now; fi
done
xdotool key End; sleep 0.5; xdotool key Return; sleep 4
echo "after $N photos and a review open: peak $(grep VmHWM /proc/$app/status | awk '{print $2}') kB," \
     "now $(grep VmRSS /proc/$app/status | awk '{print $2}') kB resident"

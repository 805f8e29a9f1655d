#!/bin/sh
# Time from starting `rxdesk --demo` to its login window on an X display, first launch (the demo
# store is made) and the launches after it. Run under Xvfb, e.g.
#   xvfb-run -a -s "-screen 0 1366x768x24" tests/bench/launch_time.sh build/bin/rxdesk 5
# Prints one line per launch: "first 3.41 s" then "again 0.78 s" ... Uses a throw-away HOME, so
# the user's own demo store is not touched. Needs xwininfo (x11-utils).
set -eu
rxdesk=${1:?usage: launch_time.sh PATH/TO/rxdesk [LAUNCHES]}
launches=${2:-5}
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT

# Seconds (with centiseconds) until a window titled like the login window exists; the program is
# then closed. Gives up after 60 s.
launch() {
  start=$(date +%s.%N)
  HOME="$home" NO_AT_BRIDGE=1 "$rxdesk" --demo >/dev/null 2>&1 &
  pid=$!
  tries=0
  until xwininfo -root -tree 2>/dev/null | grep -q "rxdesk — log in\|rxdesk — 登录"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 6000 ] || ! kill -0 "$pid" 2>/dev/null; then
      echo "no login window" >&2
      kill "$pid" 2>/dev/null || true
      return 1
    fi
    sleep 0.01
  done
  end=$(date +%s.%N)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$start $end" | awk '{printf "%.2f s\n", $2 - $1}'
}

printf 'first '
launch
i=1
while [ "$i" -lt "$launches" ]; do
  printf 'again '
  launch
  i=$((i + 1))
done

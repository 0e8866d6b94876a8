#!/usr/bin/env bash
# Records one diagnosis fixture: runs the scenario service (testdata/go/scenarios) in MODE with
# Go VERSION under the open-loop load generator, captures a SECONDS-long bundle with
# `gorca capture`, and trims it to what the rules read (record-lib.bash; the debug=2 dump only
# with --full-dump).
#
#   testdata/diagnosis/record.sh [--full-dump] [--seconds N] [--slow-disk BYTES_PER_S]
#                                VERSION MODE OUTDIR [SERVICE FLAGS...]
#   testdata/diagnosis/record.sh --full-dump 1.26 leak testdata/diagnosis/leak-go1.26
#
# --slow-disk gives the service (its -data-dir: the fsync journal) a disk of its own whose
# writes the kernel throttles to BYTES_PER_S: an ext4 image in /dev/shm on a loop device,
# limited by a cgroup-v1 blkio throttle that the service runs in (root only). The capture
# writes elsewhere, so only the service waits for the disk.
. "$(dirname "$0")/record-lib.bash"
full= secs=1 bps=
while [ $# -gt 0 ]; do
    case "$1" in
    --full-dump) full=full; shift ;;
    --seconds) secs=$2; shift 2 ;;
    --slow-disk) bps=$2; shift 2 ;;
    *) break ;;
    esac
done
[ $# -ge 3 ] || { echo "usage: $0 [--full-dump] [--seconds N] [--slow-disk BPS] VERSION MODE OUTDIR [FLAGS...]" >&2; exit 2; }
v=$1 mode=$2 out=$3
shift 3
bins=$(testdata/go/scenarios/build.sh "$v")
rec_init record
run=()
if [ -n "$bps" ]; then
    img=/dev/shm/gorca-slowdisk.$$ cg=/sys/fs/cgroup/blkio/gorca-slowdisk.$$ loop=
    # Undo whatever of the set-up was done, also when a step fails.
    trap '[ -n "$lg" ] && kill $lg 2>/dev/null; [ -n "$svc" ] && kill $svc 2>/dev/null; wait 2>/dev/null
          umount "$tmp/disk" 2>/dev/null; [ -n "$loop" ] && losetup -d "$loop"
          rm -f "$img"; rmdir "$cg" 2>/dev/null; rm -rf "$tmp"' EXIT
    truncate -s 1G "$img"
    loop=$(losetup -f --show "$img")
    mkfs.ext4 -q "$loop"
    mkdir -p "$tmp/disk" "$cg"
    mount "$loop" "$tmp/disk"
    printf '%d:%d %s\n' "0x$(stat -c %t "$loop")" "0x$(stat -c %T "$loop")" "$bps" \
        >"$cg/blkio.throttle.write_bps_device"
    run=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg")
    set -- -data-dir "$tmp/disk" "$@"
fi
rec_start "${run[@]}" "$bins/service" -mode "$mode" -max-lifetime 2m "$@"
rec_load "$bins/loadgen" -url "$url" -d $((secs + 3))s -c 64 -rate 200
sleep 1
rec_capture "$out" "$secs"
rec_finish "$out" $full

#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for trying `sim sweep --cluster slurm` and for the
# tests and the benchmark. Everything (munge key, slurm.conf, state, logs, pid files) lives in one
# folder; every server listens on 127.0.0.1 only. Needs root and Debian's slurm-wlm + munge.
#
#   scripts/slurm-local.sh check          can a cluster run here? (root, loopback hostname)
#   scripts/slurm-local.sh install        apt-get install slurm-wlm munge (if missing; root)
#   scripts/slurm-local.sh start DIR      write DIR/slurm.conf, start munged, slurmctld, slurmd,
#                                         wait for the node to be idle, print the PIDs
#   scripts/slurm-local.sh status DIR     daemons alive?, sinfo, squeue
#   scripts/slurm-local.sh stop DIR       cancel all jobs, stop the three daemons by PID
#
# Then `export SLURM_CONF=DIR/slurm.conf` and use sbatch/srun/sinfo/squeue/scancel, or
# `sim sweep ... --cluster slurm --cluster-config hpc.yaml` (queue: debug). Environment:
# SLURM_LOCAL_CPUS / SLURM_LOCAL_MEMORY_MB (default: all of this machine, from `slurmd -C`),
# SLURM_LOCAL_TIMEOUT (seconds to wait for the node, default 60).
set -euo pipefail

PARTITION=debug
DAEMONS=(slurmd slurmctld munged)  # stop order

die() { echo "slurm-local: $*" >&2; exit 1; }

need_tools() {
  local missing=()
  for t in munged slurmctld slurmd sbatch sinfo squeue scancel srun; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]}: run '$0 install' as root (apt: slurm-wlm munge)"
}

cmd_install() {
  if command -v slurmctld >/dev/null && command -v munged >/dev/null && command -v sbatch >/dev/null; then
    echo "slurm-wlm and munge are installed"; return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "slurm-wlm/munge missing and not root: sudo apt-get install slurm-wlm munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null \
    || die "apt-get install slurm-wlm munge failed"
  echo "installed: $(slurmd -V)"
}

cmd_check() {
  [ "$(id -u)" -eq 0 ] || die "needs root (munged, slurmctld and slurmd run as root)"
  # the daemons bind to the address the short hostname resolves to (NoInAddrAny): keep it loopback
  local host addr
  host=$(hostname -s)
  addr=$(getent hosts "$host" | awk '{print $1; exit}')
  case "$addr" in
    127.* | ::1) ;;
    *) die "hostname '$host' resolves to '${addr:-nothing}', not a loopback address: the daemons" \
      "would listen there; add '127.0.1.1 $host' to /etc/hosts" ;;
  esac
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pid_of() {  # the PID in DIR/<daemon>.pid if that process is alive
  local f="$DIR/$1.pid"
  [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}

write_conf() {
  local host node_cpus node_mem cpus mem
  host=$(hostname -s)
  read -r node_cpus node_mem < <(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*RealMemory=\([0-9]*\).*/\1 \2/p')
  cpus=${SLURM_LOCAL_CPUS:-$node_cpus}
  mem=${SLURM_LOCAL_MEMORY_MB:-$node_mem}
  cat >"$DIR/slurm.conf" <<EOF
# single-node cluster written by scripts/slurm-local.sh; every server binds to 127.0.0.1
ClusterName=simlocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
KillWait=5
MinJobAge=30
NodeName=$host NodeAddr=127.0.0.1 NodeHostname=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  mkdir -p "$DIR/munge"
  chmod 700 "$DIR" "$DIR/munge"
  if [ ! -s "$DIR/munge/munge.key" ]; then
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$DIR/munge/munge.key"
  fi
  munged --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
    --pid-file="$DIR/munged.pid" --log-file="$DIR/log/munged.log" \
    --seed-file="$DIR/munge/munged.seed" --force \
    || die "munged did not start; see $DIR/log/munged.log"
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
  [ -n "$what" ]
}

node_idle() { [ "$(sinfo -h -N -p "$PARTITION" -o %T 2>/dev/null)" = idle ]; }

cmd_start() {
  need_tools
  cmd_check
  local running
  for d in "${DAEMONS[@]}"; do
    running=$(pid_of "$d" || true)
    [ -z "$running" ] || die "$d already running in $DIR (pid $running): '$0 stop $DIR' first"
  done
  mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
  DIR=$(cd "$DIR" && pwd)
  write_conf
  export SLURM_CONF="$DIR/slurm.conf"
  local timeout=${SLURM_LOCAL_TIMEOUT:-60}
  start_munge
  wait_for 10 munge test -S "$DIR/munge/munge.socket" || die "munged socket missing; see $DIR/log/munged.log"
  slurmctld -f "$SLURM_CONF" -i || die "slurmctld did not start; see $DIR/log/slurmctld.log"
  wait_for "$timeout" slurmctld scontrol ping || die "slurmctld not answering; see $DIR/log/slurmctld.log"
  slurmd -f "$SLURM_CONF" || die "slurmd did not start; see $DIR/log/slurmd.log"
  wait_for "$timeout" node node_idle \
    || die "node not idle after ${timeout}s ($(sinfo -h -N -o '%T %E' 2>&1)); see $DIR/log/"
  for d in munged slurmctld slurmd; do
    echo "$d pid $(pid_of "$d")"
  done
  echo "partition $PARTITION: $(sinfo -h -N -o '%N %c CPUs %m MB %T')"
  echo "export SLURM_CONF=$SLURM_CONF"
}

stop_pid() {  # stop_pid NAME: SIGTERM, wait up to 15 s, then SIGKILL
  local pid
  pid=$(pid_of "$1") || { echo "$1 not running"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || { echo "$1 pid $pid stopped"; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  echo "$1 pid $pid killed"
}

cmd_stop() {
  export SLURM_CONF="$DIR/slurm.conf"
  if [ -n "$(pid_of slurmctld || true)" ]; then
    scancel --partition="$PARTITION" 2>/dev/null || true
    wait_for 30 jobs_gone no_jobs || echo "slurm-local: jobs still listed: $(squeue -h 2>&1)" >&2
  fi
  for d in "${DAEMONS[@]}"; do
    stop_pid "$d"
  done
}

no_jobs() { [ -z "$(squeue -h 2>/dev/null)" ]; }

cmd_status() {
  export SLURM_CONF="$DIR/slurm.conf"
  local rc=0 pid
  for d in munged slurmctld slurmd; do
    if pid=$(pid_of "$d"); then echo "$d pid $pid"; else echo "$d not running"; rc=1; fi
  done
  sinfo -N 2>&1 || rc=1
  squeue 2>&1 || rc=1
  return $rc
}

case "${1:-}" in
  check) cmd_check ;;
  install) cmd_install ;;
  start | stop | status)
    [ -n "${2:-}" ] || die "usage: $0 $1 DIR"
    DIR=$2
    "cmd_$1"
    ;;
  *) die "usage: $0 check | install | start DIR | status DIR | stop DIR" ;;
esac

# lab/progress.sh: lab/compare's progress display (sourced, not run).
# A pool runs the boots, SLOTS at a time, and says what each one does:
#  - on a terminal (pg_tty=1), every PG_TICK seconds, a small block
#    redrawn in place (\r, ANSI cursor-up and erase): overall elapsed
#    time, boots done, running and waiting, then one line per running
#    boot with its phase and elapsed time;
#  - otherwise (pg_tty=0, a log file or a pipe), plain lines: one per
#    running boot when its phase changes, else at most one per
#    PG_PLAIN_EVERY seconds, and never a control character;
#  - at the end, one line with the wall time of each boot (pg_summary).
# A boot's phase comes from its lab/run's progress lines ("lab: ..."
# on stderr, which lab/compare keeps in ID.lab.log) and, once its command
# runs, from the command's markers in its output (ID.log).
# Everything read from those files passes through pg_clean first: a
# guest's or a kernel's bytes never reach the terminal as control codes.
#
# The caller defines job_title JOB (one line naming the boot) and
# job_logs JOB (three lines: its lab log, its command's log and the file
# whose existence means it failed), and sets pg_tty.
# shellcheck shell=bash

PG_TICK=${PG_TICK:-10}
PG_PLAIN_EVERY=${PG_PLAIN_EVERY:-60}
PG_PREFIX=${PG_PREFIX:-lab/compare}
pg_tty=${pg_tty:-0}
pg_t0=${pg_t0:-$SECONDS}
pg_tty_n=0
pg_cols=80
declare -gA pg_plain_state=() pg_plain_time=()
pg_wall_titles=() pg_wall_secs=()

# pg_time SECS: M:SS (minutes keep counting past an hour: 71:03).
pg_time() {
	printf '%d:%02d' $(($1 / 60)) $(($1 % 60))
}

# pg_clean: stdin without control characters (escapes, \r, tabs).
pg_clean() {
	LC_ALL=C tr -d '\000-\037\177'
}

# pg_phase LABLOG: the boot's phase from lab/run's last progress line:
# starting, waiting for the lab lock, downloading, building, preparing,
# booting, running, done, or "stopped: WHY" (its first 60 characters)
# for a line that ended the run.
pg_phase() {
	local line
	# Not phases: warnings, and lab/run --verbose's commands and console.
	line=$([ -f "$1" ] && grep -a '^lab: ' "$1" |
		grep -aEv '^lab: (warning: |console: |(\[[0-9:]+\] )?\+ )' | tail -n 1 | pg_clean) || true
	line=${line#lab: }
	# lab/run --verbose puts the elapsed time first: "[1:23] ".
	[[ ! $line =~ ^\[[0-9:]+\]\  ]] || line=${line#* }
	case $line in
	'') echo starting ;;
	"waiting for another lab/run's preparation"*) echo "waiting for the lab lock" ;;
	*": done in "*" s" | "modules also loaded"*) echo preparing ;;
	downloading*) echo downloading ;;
	building*) echo building ;;
	booting*) echo booting ;;
	"init reached"*) echo running ;;
	"done in"*) echo "done" ;;
	*" ...") echo preparing ;;
	*) echo "stopped: ${line:0:60}" ;;
	esac
}

# pg_detail CMDLOG: what the command is at, from the lab/compare markers
# its output has so far: tinyvmm --bench, bare-hypercall, the workload
# run named by @@next, or the last workload with a result. Empty when
# nothing says more than "running" (the workload and nested boots print
# only when a guest ends).
pg_detail() {
	local line
	line=$([ -f "$1" ] && grep -a -E '^@@(bench|bare|next |result )' "$1" | tail -n 1 | pg_clean) || true
	case $line in
	@@bench) echo "tinyvmm --bench" ;;
	@@bare) echo bare-hypercall ;;
	"@@next "*) line=${line#@@next }; echo "${line%% *}" ;;
	"@@result "*) line=${line#@@result }; echo "${line%% *} done" ;;
	esac
}

# pg_boot_state LABLOG CMDLOG: "PHASE" or "PHASE (DETAIL)".
pg_boot_state() {
	local phase detail=''
	phase=$(pg_phase "$1")
	[ "$phase" != running ] || detail=$(pg_detail "$2")
	echo "$phase${detail:+ ($detail)}"
}

# pg_plain_due KEY STATE NOW: true when a plain line about KEY is due:
# its state changed, or PG_PLAIN_EVERY seconds passed since the last.
pg_plain_due() {
	local key=$1 state=$2 now=$3
	if [ "${pg_plain_state[$key]-}" = "$state" ] &&
		[ $((now - ${pg_plain_time[$key]:-0})) -lt "$PG_PLAIN_EVERY" ]; then
		return 1
	fi
	pg_plain_state[$key]=$state pg_plain_time[$key]=$now
}

# pg_tty_clear: erase the status block drawn last.
pg_tty_clear() {
	[ "$pg_tty_n" -gt 0 ] || return 0
	printf '\033[%dA\r\033[J' "$pg_tty_n" >&2
	pg_tty_n=0
}

# pg_term_cols: pg_cols, the width of the terminal on stderr (read
# each time: it may be resized), else $COLUMNS, else 80.
pg_term_cols() {
	pg_cols=$(stty size <&2 2>/dev/null | cut -d' ' -f2) || true
	[[ $pg_cols =~ ^[0-9]+$ ]] && [ "$pg_cols" -ge 20 ] || pg_cols=${COLUMNS:-80}
	[[ $pg_cols =~ ^[0-9]+$ ]] && [ "$pg_cols" -ge 20 ] || pg_cols=80
}

# pg_tty_draw LINE...: redraw the status block as these lines, each cut
# to the terminal's width so that none wraps (the cursor-up count stays
# right).
pg_tty_draw() {
	local l
	pg_term_cols
	[ "$pg_tty_n" -eq 0 ] || printf '\033[%dA' "$pg_tty_n" >&2
	for l in "$@"; do printf '\r\033[K%s\n' "${l:0:$((pg_cols - 1))}" >&2; done
	printf '\033[J' >&2
	pg_tty_n=$#
}

# pg_event TEXT: a start/done line, "PREFIX: [ELAPSED] TEXT", printed
# above the status block.
pg_event() {
	pg_tty_clear
	echo "$PG_PREFIX: [$(pg_time $((SECONDS - pg_t0)))] $*" >&2
}

# pg_summary TOTAL [TITLE SECS]...: the one-line wall time per boot.
pg_summary() {
	local total=$1 out=''
	shift
	while [ $# -ge 2 ]; do
		out+="${out:+, }$1 $(pg_time "$2")"
		shift 2
	done
	echo "$PG_PREFIX: wall time per boot: ${out:-none}; total $(pg_time "$total")"
}

# pg_report: the status of the running boots (pg_pool's pg_order,
# pg_running, pg_started), drawn or printed as pg_tty says.
pg_report() {
	local now=$SECONDS pid lines=() state logs title head
	head="$PG_PREFIX: [$(pg_time $((now - pg_t0)))] $pg_done of $pg_total boots done, ${#pg_running[@]} running, $((pg_total - pg_next)) waiting"
	for pid in "${pg_order[@]}"; do
		[ -n "${pg_running[$pid]:-}" ] || continue
		mapfile -t logs < <(job_logs "${pg_running[$pid]}")
		state=$(pg_boot_state "${logs[0]}" "${logs[1]}")
		title=$(job_title "${pg_running[$pid]}")
		if [ "$pg_tty" = 1 ]; then
			lines+=("  $title: $state, $(pg_time $((now - pg_started[$pid])))")
		elif pg_plain_due "$pid" "$state" "$now"; then
			echo "$PG_PREFIX: [$(pg_time $((now - pg_t0)))] $title: $state, $(pg_time $((now - pg_started[$pid]))) in this boot ($pg_done of $pg_total done)" >&2
		fi
	done
	[ "$pg_tty" = 0 ] || pg_tty_draw "$head" ${lines[@]+"${lines[@]}"}
}

# pg_pool SLOTS JOB...: runs each JOB (a command line, split into words)
# in the background, in order, at most SLOTS at once, with start and done
# lines and the status every PG_TICK seconds. Leaves each boot's title
# (" (failed)" added when its failure file exists) and wall seconds in
# pg_wall_titles and pg_wall_secs, indexed like the JOBs.
pg_pool() {
	local slots=$1 job pid ticker='' logs title
	shift
	local -a pg_jobs=("$@") pg_order=()
	local -A pg_running=() pg_started=() pg_index=()
	local pg_next=0 pg_done=0 pg_total=$#
	pg_wall_titles=() pg_wall_secs=()
	while [ "$pg_done" -lt "$pg_total" ]; do
		while [ ${#pg_running[@]} -lt "$slots" ] && [ "$pg_next" -lt "$pg_total" ]; do
			job=${pg_jobs[$pg_next]}
			pg_event "start $(job_title "$job")"
			$job &
			pid=$! # before any process substitution changes $!
			pg_running[$pid]=$job pg_started[$pid]=$SECONDS pg_index[$pid]=$pg_next
			pg_order+=("$pid")
			pg_plain_due "$pid" starting "$SECONDS" || true
			pg_next=$((pg_next + 1))
			[ "$pg_tty" = 0 ] || pg_report
		done
		[ -n "$ticker" ] || {
			sleep "$PG_TICK" &
			ticker=$!
		}
		pid=''
		wait -n -p pid "${!pg_running[@]}" "$ticker" || true
		if [ "$pid" = "$ticker" ]; then
			ticker=''
			pg_report
			continue
		fi
		# (No pid: wait was cut short by a signal.)
		if [ -z "$pid" ] || [ -z "${pg_running[$pid]:-}" ]; then continue; fi
		pg_done=$((pg_done + 1))
		job=${pg_running[$pid]}
		title=$(job_title "$job")
		mapfile -t logs < <(job_logs "$job")
		[ ! -e "${logs[2]}" ] || title+=" (failed)"
		pg_wall_titles[${pg_index[$pid]}]=$title
		pg_wall_secs[${pg_index[$pid]}]=$((SECONDS - pg_started[$pid]))
		unset "pg_running[$pid]"
		pg_event "done  $(job_title "$job") ($pg_done of $pg_total)"
		[ "$pg_tty" = 0 ] || [ "$pg_done" -eq "$pg_total" ] || pg_report
	done
	if [ -n "$ticker" ]; then
		kill "$ticker" 2>/dev/null || true
		wait "$ticker" 2>/dev/null || true
	fi
	pg_tty_clear
}

# pg_pool_summary: pg_summary of the last pg_pool, total since pg_t0.
pg_pool_summary() {
	local i args=()
	for i in "${!pg_wall_titles[@]}"; do args+=("${pg_wall_titles[$i]}" "${pg_wall_secs[$i]}"); done
	pg_summary $((SECONDS - pg_t0)) ${args[@]+"${args[@]}"}
}

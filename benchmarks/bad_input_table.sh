#!/usr/bin/env bash
# What a user gets for each bad input the robustness issue lists: the exit status and the first lines on stderr,
# as a Markdown table; then what the refused runs left behind (nothing).
#
#     bash benchmarks/bad_input_table.sh            # from the project root, after `python3 dev.py test` made .venv
#
# Each case is also a test (tests/test_bad_input.py and others); this prints the table for a person to read.
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
C="${CONFORMANCE:-$ROOT/.venv/bin/conformance}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export ROOT

run_case() {
    local name="$1"; shift
    local err; err=$(mktemp)
    "$@" >/dev/null 2>"$err"
    local rc=$?
    printf '| %s | %s | %s |\n' "$name" "$rc" "$(grep -v '^$' "$err" | grep -v 'deselected in' | head -2 | tr '\n' ' ' | cut -c1-230)"
    rm -f "$err"
}

printf 'caf\xe9: 1\n' > latin1.yaml
printf '\xff\xfem\x00o\x00' > utf16.yaml
head -c 200 /bin/ls > binary.yaml
touch afile
echo x > notdb.sqlite
python3 - <<'PY'
import os
lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
for i in range(8):  # ten aliases of the level below, eight levels deep: 10^9 values from 1 KB of text
    lines.append(f"l{i}: &l{i} [" + ", ".join(f"*{'a' if i == 0 else f'l{i - 1}'}" for _ in range(10)) + "]")
open("bomb.yaml", "w").write("\n".join(lines) + "\n")
src = open(os.environ["ROOT"] + "/fixtures/devices/emulator.yaml").read()
cases = {
    "pigeon.yaml": src.replace("transport: http", "transport: carrier-pigeon"),
    "defect.yaml": src + "emulator:\n  defects: [no_such_defect]\n",
    "addr-notaurl.yaml": src.replace("address: embedded", "address: not a url"),
    "addr-ftp.yaml": src.replace("address: embedded", "address: ftp://127.0.0.1:8765"),
    "addr-port.yaml": src.replace("address: embedded", "address: http://127.0.0.1:99999"),
    "addr-nothing.yaml": src.replace("address: embedded", "address: http://127.0.0.1:9"),
    "start.yaml": src.replace('baseline_start: "2027-01-04T09:00:00+08:00"', 'baseline_start: "next tuesday"'),
    "until.yaml": src.replace('security_update_until: "2031-12-31"', 'security_update_until: "2031-13-45"'),
    "dup.yaml": src.replace("  payments: true\n", "  payments: true\n  payments: false\n"),
    "remote.yaml": src.replace("address: embedded", "address: http://192.0.2.1:8765"),
}
for name, text in cases.items():
    open(name, "w").write(text)
PY
printf 'layer: my-lab\nsource: lab tailoring 2027\nparameters:\n  night_end: "22:00"\n  night_start: "22:00"\n' > night.yaml
printf 'layer: my-lab\nsource: lab tailoring 2027\nparameters:\n  friend_cap: 100000000\n' > cap.yaml
printf 'layer: my-lab\nsource: lab tailoring 2027\nparameters:\n  rest_reminder_minutes: 10000000\n' > rest.yaml

echo '| input | exit | what the user reads |'
echo '| --- | --- | --- |'
run_case "declaration not UTF-8" "$C" run --device latin1.yaml
run_case "list --device, not UTF-8" "$C" list --device latin1.yaml
run_case "declaration UTF-16 with BOM" "$C" run --device utf16.yaml
run_case "declaration binary" "$C" run --device binary.yaml
run_case "YAML alias bomb" "$C" run --device bomb.yaml
run_case "unknown transport" "$C" run --device pigeon.yaml
run_case "unknown defect in a declaration" "$C" run --device defect.yaml
run_case "--defect unknown" "$C" run --defect no_such_defect
run_case "address not a URL" "$C" run --device addr-notaurl.yaml
run_case "address ftp://" "$C" run --device addr-ftp.yaml
run_case "address port 99999" "$C" run --device addr-port.yaml
run_case "nothing listening" "$C" run --device addr-nothing.yaml
run_case "baseline_start: next tuesday" "$C" run --device start.yaml
run_case "security_update_until: 2031-13-45" "$C" run --device until.yaml
run_case "duplicate key payments" "$C" run --device dup.yaml
run_case "--defect with a remote device" "$C" run --device remote.yaml --defect daily_limit_ignored
run_case "--in-process with a remote device" "$C" run --device remote.yaml --in-process
run_case "tailoring: night_end = night_start" "$C" run --tailoring night.yaml
run_case "tailoring: friend_cap 10^8" "$C" run --tailoring cap.yaml
run_case "tailoring: rest_reminder 10^7 min" "$C" run --tailoring rest.yaml
run_case "--output under a file" "$C" run --output afile/x
run_case "--output an existing file" "$C" run --output afile
run_case "--output in /proc" "$C" run --output /proc/x
run_case "--run-id ../../x" "$C" run --run-id ../../x
run_case "--select matches nothing" "$C" run --in-process --select CSW-NOPE-1 --output sel
run_case "-k matches nothing" "$C" run --in-process -k zzz_nothing --output kk
run_case "emulator --port 99999" "$C" emulator --port 99999
run_case "emulator --port -1" "$C" emulator --port -1
run_case "emulator --db in a missing folder" "$C" emulator --db /nonexistent/dir/x.sqlite
run_case "emulator --db not SQLite" "$C" emulator --db notdb.sqlite
echo
echo "left behind by the refused runs: $(ls -d sel kk reports 2>/dev/null | tr '\n' ' ' || true)"

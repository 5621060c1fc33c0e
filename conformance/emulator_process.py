"""Start the reference emulator as its own process on a free loopback port, and stop it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

LISTENING = "EMULATOR LISTENING "
BLE_HCI = "EMULATOR BLE HCI "  # with --ble-hci: the HCI spec a central connects to (docs/ble.md)


class EmulatorStartError(RuntimeError):
    pass


@dataclass
class EmulatorProcess:
    process: subprocess.Popen
    address: str
    ble_hci: str | None = None
    errors: IO[str] | None = None

    def stop(self, timeout_s: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.errors):
            if stream is not None:
                stream.close()

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_emulator(*, features: list[str], defects: list[str] = (), db: Path | None = None, token: str | None = None, host: str = "127.0.0.1", port: int = 0, timeout_s: float = 20.0, real_clock: bool = False, ble_hci: str | None = None) -> EmulatorProcess:
    """Launch `python -m emulator` and wait until it announces its address (and, with `ble_hci`, its BLE face's HCI)."""
    command = [sys.executable, "-m", "emulator", "--host", host, "--port", str(port), "--features", ",".join(features), "--stop-when-stdin-closes"]
    if real_clock:
        command.append("--real-clock")
    for name in defects:
        command += ["--defect", name]
    if db is not None:
        command += ["--db", str(db)]
    if token is not None:
        command += ["--token", token]
    if ble_hci is not None:
        command += ["--ble-hci", ble_hci]
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    # stderr to a file, not a pipe: nobody reads it while the run goes on, and a full pipe would block the emulator.
    errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    # Its own session: a Ctrl-C in the terminal reaches the harness alone, which then stops the emulator itself
    # after writing its reports. Its stdin is a pipe only this process holds: when the harness dies in any way,
    # the pipe closes and the emulator stops (--stop-when-stdin-closes).
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True, env=env, start_new_session=True)
    wanted = [LISTENING] + ([BLE_HCI] if ble_hci is not None else [])
    announced: dict[str, str] = {}

    def read_announcements() -> None:
        # The BLE face announces before the HTTP one; read until every wanted line came (or the output ends).
        while not all(prefix in announced for prefix in wanted):
            line = process.stdout.readline()
            if not line:
                return
            announced.update({prefix: line.strip()[len(prefix):] for prefix in wanted if line.startswith(prefix)})

    reader = threading.Thread(target=read_announcements, daemon=True)
    reader.start()
    reader.join(timeout_s)
    if not all(prefix in announced for prefix in wanted):
        process.kill()
        process.wait(5)
        errors.seek(0)
        stderr = errors.read()
        errors.close()
        raise EmulatorStartError(f"the emulator did not start ({' '.join(command)}): {stderr.strip()[-800:] or 'no announcement of ' + ', '.join(p.strip() for p in wanted if p not in announced)}")
    return EmulatorProcess(process, announced[LISTENING], announced.get(BLE_HCI), errors)

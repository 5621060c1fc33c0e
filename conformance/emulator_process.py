"""Start the reference emulator as its own process on a free loopback port, and stop it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

LISTENING = "EMULATOR LISTENING "


class EmulatorStartError(RuntimeError):
    pass


@dataclass
class EmulatorProcess:
    process: subprocess.Popen
    address: str

    def stop(self, timeout_s: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_emulator(*, features: list[str], defects: list[str] = (), db: Path | None = None, token: str | None = None, host: str = "127.0.0.1", port: int = 0, timeout_s: float = 20.0, real_clock: bool = False) -> EmulatorProcess:
    """Launch `python -m emulator` and wait until it announces its address."""
    command = [sys.executable, "-m", "emulator", "--host", host, "--port", str(port), "--features", ",".join(features)]
    if real_clock:
        command.append("--real-clock")
    for name in defects:
        command += ["--defect", name]
    if db is not None:
        command += ["--db", str(db)]
    if token is not None:
        command += ["--token", token]
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    first_line: list[str] = []
    reader = threading.Thread(target=lambda: first_line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    line = first_line[0].strip() if first_line else ""
    if not line.startswith(LISTENING):
        process.kill()
        _, stderr = process.communicate(timeout=5)
        raise EmulatorStartError(f"the emulator did not start ({' '.join(command)}): {stderr.strip()[-800:] or line or 'no output'}")
    return EmulatorProcess(process, line[len(LISTENING):])

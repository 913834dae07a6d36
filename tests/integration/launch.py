"""The 2-process CPU ``accelerate launch`` harness shared by the integration tests (DDP over gloo)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def launch_two_cpu_processes(args: list[str], cwd: Path, timeout: int = 900, **env: str
                             ) -> subprocess.CompletedProcess:
    """``accelerate launch --config_file recipes/accelerate/cpu_ddp.yaml --num_processes 2 ARGS`` on a free port
    (ARGS: ``-m alignkit.cli ...`` or a script and its arguments); output captured as text."""
    with socket.socket() as sock:  # a free port for the rendezvous
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    full_env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", **env}
    accelerate = Path(sys.executable).with_name("accelerate")
    cmd = [str(accelerate), "launch", "--config_file", str(REPO / "recipes" / "accelerate" / "cpu_ddp.yaml"),
           "--num_processes", "2", "--main_process_port", str(port), *args]
    return subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)

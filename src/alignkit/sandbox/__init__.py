"""Trusted execution of untrusted code: one executor for the code judge, the code reward and HumanEval.

The verdict is decided by trusted code outside the candidate's reach; the candidate runs jailed (network,
mount, PID and IPC namespaces, chroot to a read-only system image, an unprivileged uid, rlimits, a seccomp
filter) and can only send back plain values. See :mod:`alignkit.sandbox.executor`.
"""

from alignkit.sandbox.executor import Executor, SharedExecutor, shared_executor
from alignkit.sandbox.extract import extract_code
from alignkit.sandbox.verdict import Verdict

__all__ = ["Executor", "SharedExecutor", "Verdict", "extract_code", "shared_executor"]

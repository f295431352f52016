#!/usr/bin/env python3
"""Writes the golden frames of the protocol tests (tests/unit/proto/test_golden.cc) as .hex files.

The MessagePack here is written by this script, not by the C++ encoder, so the fixtures check the C++ code
against a second, independent reading of doc/spec/protocol.md. Canonical fixtures follow the encoder
conventions of spec section 1.2 (sorted keys, shortest integers, float32 when exact, defaults left out): the
C++ encoder must produce them byte for byte. The "loose" fixture does not: only its decoding is checked.

Run it from anywhere: python3 tests/data/proto/make-fixtures.py. Regenerate only on purpose: a changed
fixture means a changed wire format.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


class Raw:
    """Bytes written as they are (for non-canonical encodings in the loose fixture)."""

    def __init__(self, data):
        self.data = data


def pack(v, sort_keys=True):
    if isinstance(v, Raw):
        return v.data
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        return pack_int(v)
    if isinstance(v, float):
        f32 = struct.unpack(">f", struct.pack(">f", v))[0]
        return b"\xca" + struct.pack(">f", v) if f32 == v else b"\xcb" + struct.pack(">d", v)
    if isinstance(v, str):
        b = v.encode()
        n = len(b)
        if n <= 31:
            return bytes([0xA0 | n]) + b
        if n <= 0xFF:
            return b"\xd9" + bytes([n]) + b
        return b"\xda" + struct.pack(">H", n) + b
    if isinstance(v, list):
        n = len(v)
        head = bytes([0x90 | n]) if n <= 15 else b"\xdc" + struct.pack(">H", n)
        return head + b"".join(pack(x, sort_keys) for x in v)
    if isinstance(v, dict):
        n = len(v)
        head = bytes([0x80 | n]) if n <= 15 else b"\xde" + struct.pack(">H", n)
        items = sorted(v.items()) if sort_keys else list(v.items())
        return head + b"".join(pack(k, sort_keys) + pack(x, sort_keys) for k, x in items)
    raise TypeError(v)


def pack_int(v):
    if 0 <= v <= 0x7F:
        return bytes([v])
    if -32 <= v < 0:
        return struct.pack(">b", v)
    if v > 0:
        for code, fmt, top in ((0xCC, ">B", 0xFF), (0xCD, ">H", 0xFFFF), (0xCE, ">I", 0xFFFFFFFF)):
            if v <= top:
                return bytes([code]) + struct.pack(fmt, v)
        return b"\xcf" + struct.pack(">Q", v)
    for code, fmt, low in ((0xD0, ">b", -0x80), (0xD1, ">h", -0x8000), (0xD2, ">i", -0x80000000)):
        if v >= low:
            return bytes([code]) + struct.pack(fmt, v)
    return b"\xd3" + struct.pack(">q", v)


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def jsonable(v):
    if isinstance(v, Raw):
        return "<raw %s>" % v.data.hex()
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    return v


def write(name, message, sort_keys=True, note=""):
    data = frame(pack(message, sort_keys))
    lines = ["# %s frame, written by make-fixtures.py; do not edit by hand." % name]
    if note:
        lines.append("# " + note)
    lines.append("# " + json.dumps(jsonable(message), separators=(",", ":")))
    hexs = data.hex()
    for i in range(0, len(hexs), 64):
        lines.append(" ".join(hexs[j:j + 2] for j in range(i, min(i + 64, len(hexs)), 2)))
    with open(os.path.join(HERE, name + ".hex"), "w") as f:
        f.write("\n".join(lines) + "\n")


write("heartbeat", {"t": "heartbeat"})

write("hello-agent", {"t": "hello", "v": 1, "role": "agent", "prog": "compss-agent 0.1.0", "node": "n3"})

write("error-version", {"t": "error", "code": "version",
                        "message": "protocol version 2 is not supported (this side speaks protocol 1)"})

write("submit", {"t": "submit", "rid": 300, "tasks": [
    {"name": "member", "argv": ["./simulate", "--member", "{i}"], "cwd": "/home/u/run",
     "env": ["OMP_PROC_BIND=true"], "in": ["in/a.nc"], "out": ["out/{i}.nc"], "after": [3, 1 << 40],
     "cpus": 8, "memory": 4 << 30, "gpus": 2, "custom": [{"name": "licence", "amount": 1}],
     "on_failure": "cancel-successors", "retries": 0, "timeout_s": 7200, "priority": -5,
     "group": "ensemble", "array": {"first": 1, "last": 64, "step": 3}},
    {"argv": ["./merge"], "cwd": "/home/u/run", "priority": -200, "nodes": 2, "ranks": 8, "mpi": True}]})

write("submitted", {"t": "submitted", "rid": 300, "ids": [7, [8, 1031], 1 << 33]})

write("assign", {"t": "assign", "task": 42, "attempt": 2, "name": "merge", "argv": ["./merge", "out/"],
                 "cwd": "/home/u/run", "env": ["COMPSS_X=1"], "cores": [4, 5, 6, 7], "gpus": [1],
                 "output": {"mode": "file", "limit": 1 << 20}})
# Decoded only: the same assign with the timeout_s field it once had (doc/spec/protocol.md 4.3); a
# receiver ignores it like any field it does not know.
write("assign-with-timeout", {"t": "assign", "task": 42, "attempt": 2, "name": "merge", "argv": ["./merge", "out/"],
                              "cwd": "/home/u/run", "env": ["COMPSS_X=1"], "cores": [4, 5, 6, 7], "gpus": [1],
                              "timeout_s": 600, "output": {"mode": "file", "limit": 1 << 20}},
      note="decoded only: timeout_s is no longer a field of assign")

write("finished", {"t": "finished", "task": 42, "attempt": 2, "cause": "exited", "exit_code": 3,
                   "cpu_time_s": 0.1, "wall_s": 12.5, "max_rss": 52428800,
                   "output": {"file": "/run/.compss/1234/n3.out", "offset": 4096, "length": 311}})

write("status-result", {"t": "status_result", "rid": 5,
                        "counts": {"pending": 3, "running": 2, "done": 70000},
                        "nodes": [{"name": "n1", "state": "up", "cores": 16, "busy": 12, "joined": 0.5,
                                   "tasks_run": 40, "cpus": "0-15"},
                                  {"name": "n2", "state": "draining", "cores": 16, "request": 1, "granted": 3.0,
                                   "joined": 4.5, "drained": 60.25, "why": "idle 60 s"}],
                        "events": [{"t": 3.0, "kind": "granted", "node": "n2", "request": 1,
                                    "cause": "after 0.5 s", "text": "grow request 1 granted n2: after 0.5 s"},
                                   {"t": 70.0, "kind": "task-failed", "node": "n1", "task": 12,
                                    "cause": "sim: exit code 1"}],
                        "outcome": "failed"})

# Decoded only: keys out of order, wide integer encodings, a float64 that float32 would hold, nil in an
# optional field, an unknown field. It must decode to the same message as "started-canonical".
write("started-loose", {"pid": Raw(b"\xce" + struct.pack(">I", 81234)), "t": "started",
                        "attempt": Raw(b"\xd3" + struct.pack(">q", 1)), "task": Raw(b"\xcf" + struct.pack(">Q", 42)),
                        "reason": None, "added_in_a_later_version": [1.5, Raw(b"\xcb" + struct.pack(">d", 1.5))]},
      sort_keys=False, note="non-canonical on purpose: decoded, never compared with the encoder's bytes")
write("started-canonical", {"t": "started", "task": 42, "attempt": 1, "pid": 81234})

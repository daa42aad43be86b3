"""The wire codec: plain data between grader and worker, never pickle.

A message is one bytes blob: a 4-byte big-endian header length, a JSON header,
then raw array buffers the header points into. Tensors and arrays travel as
dtype + shape + device + raw bytes; anything else the codec does not know
travels as an `Opaque` (its type name and a short repr) that equals nothing.

What comes from a worker is hostile: `FrameReader` has a deadline for every byte, and
`decode` refuses messages over its size, depth, item-count and string-length limits
before building anything, so decoding costs memory of a small multiple of the bytes
received, with an absolute cap. The grader decodes a worker's reply with
`safe_text.block` as `clean`, so every string in it is safe to show (see `safe_text`).
"""

from __future__ import annotations

import json
import math
import re
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder import safe_text
from autograder.errors import WireError

MAX_MESSAGE_BYTES = 256 * 1024 * 1024  # raw tensor and array bytes included
# All the replies to one request together (a batch is held at once in the grader):
# what bounds the grader's memory, whatever a worker sends.
MAX_REQUEST_BYTES = 64 * 1024 * 1024
MAX_HEADER_BYTES = 1024 * 1024  # the JSON part: structure and scalars, not array data
MAX_ITEMS = 100_000  # values in one message (list items, dict entries, tensors, ...)
MAX_STRING = 10_000  # characters in one string
MAX_DEPTH = 32
REPR_LIMIT = 200
_TENSOR_TYPES = ("torch.Tensor", "torch.nn.parameter.Parameter")
_NUMPY_DTYPES = frozenset({"float16", "float32", "float64", "complex64", "complex128", "int8",
                           "int16", "int32", "int64", "uint8", "bool"})  # fmt: skip
_DTYPES = (
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    "int8", "int16", "int32", "int64", "uint8", "bool",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Opaque:
    """A value the codec cannot carry; it compares equal to nothing."""

    type_name: str
    text: str

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__


def _plain_tensor_types() -> tuple[type, ...]:
    """torch.Tensor and Parameter, where torch is imported (the codec does not import it)."""
    import sys

    torch = sys.modules.get("torch")
    return (torch.Tensor, torch.nn.Parameter) if torch is not None else ()


_PLAIN_TENSORS = _plain_tensor_types()
_SCALARS = (bool, int, float)


def _qualname(obj: Any) -> str:
    kind = type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def _safe_repr(obj: Any) -> str:
    try:
        text = object.__repr__(obj)
    except Exception:  # noqa: BLE001 - a hostile object may raise anything
        text = "<unprintable>"
    return text[:REPR_LIMIT]


class _Encoder:
    def __init__(self) -> None:
        self.buffers: list[bytes] = []

    def buffer(self, raw: bytes) -> int:
        self.buffers.append(raw)
        return len(self.buffers) - 1

    def encode(self, obj: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError(f"value nested deeper than {MAX_DEPTH} levels")
        kind = type(obj)
        if obj is None or kind in (bool, int, str):
            return obj
        if kind in _PLAIN_TENSORS:
            return self.tensor(obj)
        if kind is float:
            return obj if math.isfinite(obj) else {"__float__": repr(obj)}
        if kind is list:
            return [self.encode(item, depth + 1) for item in obj]
        if issubclass(kind, tuple):  # a NamedTuple or torch.Size is a tuple of its items
            return {"__tuple__": [self.encode(item, depth + 1) for item in obj]}
        if issubclass(kind, dict):  # an OrderedDict or defaultdict is a dict of its items
            return {
                "__dict__": [
                    [self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in obj.items()
                ]
            }
        if isinstance(obj, np.ndarray) and kind is np.ndarray:
            return self.array("__ndarray__", obj, "cpu", False)
        if isinstance(obj, np.generic) and kind.__module__ == "numpy":
            return {"__npscalar__": self.array("a", np.asarray(obj), "cpu", False)["a"]}
        if _qualname(obj) in _TENSOR_TYPES:
            return self.tensor(obj)
        return {"__opaque__": [_qualname(obj), _safe_repr(obj)]}

    def array(self, tag: str, arr: np.ndarray, device: str, grad: bool) -> dict[str, Any]:
        arr = arr if arr.flags.c_contiguous else arr.copy(order="C")
        return {
            tag: {
                "dtype": arr.dtype.name,
                "shape": list(arr.shape),
                "device": device,
                "requires_grad": grad,
                "buffer": self.buffer(arr.tobytes()),
            }
        }

    def tensor(self, t: Any) -> dict[str, Any]:
        import torch

        plain = torch.Tensor.detach(t)
        if plain.device.type != "cpu":
            plain = plain.cpu()
        if not plain.is_contiguous():
            plain = plain.contiguous()
        dtype = str(plain.dtype).removeprefix("torch.")
        if not plain.numel():
            raw = b""
        elif dtype in _NUMPY_DTYPES:
            raw = plain.numpy().tobytes()
        else:  # bfloat16: no NumPy dtype, sent as its bytes
            raw = plain.reshape(-1).view(torch.uint8).numpy().tobytes()
        return {
            "__tensor__": {
                "dtype": dtype,
                "shape": list(plain.shape),
                "device": str(t.device),
                "requires_grad": bool(t.requires_grad),
                "buffer": self.buffer(raw),
                "type": _qualname(t),
            }
        }


def encode(obj: Any) -> bytes:
    """Turn plain data (numbers, strings, lists, tuples, dicts, arrays, tensors) into bytes."""
    enc = _Encoder()
    header = json.dumps({"v": enc.encode(obj), "n": [len(b) for b in enc.buffers]}).encode()
    return b"".join([struct.pack(">I", len(header)), header, *enc.buffers])


class _Decoder:
    def __init__(self, buffers: list[memoryview], clean: Callable[[str], str] | None) -> None:
        self.buffers, self.clean = buffers, clean

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError(f"value nested deeper than {MAX_DEPTH} levels")
        kind = type(node)  # json.loads builds exact types, never subclasses
        if kind is str:
            if len(node) > MAX_STRING:
                raise WireError(
                    f"a string of {len(node)} characters, over the limit of {MAX_STRING}"
                )
            return node if self.clean is None else self.clean(node)
        if node is None or kind in _SCALARS:
            return node
        if kind is list:
            return [self.decode(item, depth + 1) for item in node]
        if kind is not dict or len(node) != 1:
            raise WireError(f"malformed node {str(node)[:80]}")
        ((tag, body),) = node.items()
        return self.tagged(tag, body, depth)

    def tagged(self, tag: str, body: Any, depth: int) -> Any:
        if tag == "__float__" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "__tuple__" and isinstance(body, list):
            return tuple(self.decode(item, depth + 1) for item in body)
        if tag == "__dict__" and isinstance(body, list):
            return {self.decode(k, depth + 1): self.decode(v, depth + 1) for k, v in body}
        if tag == "__ndarray__":
            return self.ndarray(body)
        if tag == "__npscalar__":
            return self.ndarray(body)[()]
        if tag == "__tensor__":
            return self.tensor(body)
        if tag == "__opaque__" and isinstance(body, list) and len(body) == 2:
            return _opaque(str(body[0]), str(body[1]))
        raise WireError(f"unknown tag {tag!r}")

    def raw(self, spec: dict[str, Any]) -> tuple[str, tuple[int, ...], memoryview]:
        dtype, shape, index = spec.get("dtype"), spec.get("shape"), spec.get("buffer")
        if dtype not in _DTYPES:
            raise WireError(f"dtype {dtype!r} is not allowed")
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise WireError(f"bad shape {shape!r}")
        if not isinstance(index, int) or not 0 <= index < len(self.buffers):
            raise WireError(f"bad buffer index {index!r}")
        return dtype, tuple(shape), self.buffers[index]

    def ndarray(self, spec: dict[str, Any]) -> np.ndarray:
        dtype, shape, raw = self.raw(spec)
        if dtype == "bfloat16":
            raise WireError("bfloat16 is not a NumPy dtype")
        arr = np.frombuffer(raw, dtype=np.dtype(dtype)) if len(raw) else np.empty(0, dtype)
        if arr.size != math.prod(shape):
            raise WireError(f"buffer holds {arr.size} items, shape {shape} needs more")
        return arr.reshape(shape).copy()

    def tensor(self, spec: dict[str, Any]) -> Any:
        import torch

        dtype, shape, raw = self.raw(spec)
        torch_dtype = getattr(torch, dtype)
        if spec.get("type") not in _TENSOR_TYPES:
            return _opaque(str(spec.get("type")), f"tensor subclass of shape {list(shape)}")
        flat = torch.frombuffer(bytearray(raw), dtype=torch_dtype) if len(raw) else None
        if flat is None:
            flat = torch.empty(0, dtype=torch_dtype)
        if flat.numel() != math.prod(shape):
            raise WireError(f"buffer holds {flat.numel()} items, shape {shape} needs more")
        out = flat.reshape(shape)
        device = str(spec.get("device", "cpu"))
        if device != "cpu":
            out = out.to(device) if _device_available(device) else out
        if spec.get("requires_grad") and out.is_floating_point():
            out.requires_grad_(True)
        return out


def _opaque(type_name: str, text: str) -> Opaque:
    """An Opaque whose texts (shown in messages: "received <type name>") are safe lines."""
    return Opaque(safe_text.line(type_name, REPR_LIMIT), safe_text.line(text, REPR_LIMIT))


_CUDA_DEVICE = re.compile(r"cuda(?::(\d{1,3}))?")


def _device_available(device: str) -> bool:
    """Whether `device` names a CUDA device this machine has (anything else stays on
    the CPU: a device string from a worker is not passed to torch unchecked)."""
    import torch

    found = _CUDA_DEVICE.fullmatch(device)
    if found is None or not torch.cuda.is_available():
        return False
    return int(found.group(1) or 0) < torch.cuda.device_count()


def _items(header: bytes) -> int:
    """An upper bound on the values a JSON text holds, counted before parsing it."""
    return header.count(b",") + header.count(b"[") + header.count(b"{") + 1


def decode(blob: bytes | bytearray | memoryview, clean: Callable[[str], str] | None = None) -> Any:
    """Rebuild plain data from `encode`'s bytes; malformed or oversized input raises
    WireError (never anything else). `clean`, where given, is applied to every string
    (dict keys included): the grader passes the one that makes a worker's text safe."""
    try:
        return _decode(memoryview(blob), clean)
    except WireError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, RecursionError) as exc:
        raise WireError(f"malformed message: {type(exc).__name__}: {str(exc)[:200]}") from None


def _decode(view: memoryview, clean: Callable[[str], str] | None) -> Any:
    if len(view) < 4:
        raise WireError("message shorter than its length prefix")
    (size,) = struct.unpack(">I", view[:4])
    if size > MAX_HEADER_BYTES:
        raise WireError(f"header of {size} bytes, over the limit of {MAX_HEADER_BYTES}")
    raw_header = bytes(view[4 : 4 + size])
    if _items(raw_header) > MAX_ITEMS:
        raise WireError(f"more than {MAX_ITEMS} values in one message")
    try:
        header = json.loads(raw_header)
        sizes = [int(n) for n in header["n"]]
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise WireError(f"malformed header: {str(exc)[:200]}") from exc
    offset, buffers = 4 + size, []
    for n in sizes:
        if n < 0 or offset + n > len(view):
            raise WireError("buffer runs past the end of the message")
        buffers.append(view[offset : offset + n])
        offset += n
    return _Decoder(buffers, clean).decode(header.get("v"))


# ---- frames on a socket: multiprocessing.connection's format, read with deadlines ----


def send_frame(sock: socket.socket, blob: bytes, deadline: float) -> None:
    """Send one frame (4-byte signed length, then the bytes) before `deadline`."""
    _until(sock, deadline)
    sock.sendall(struct.pack("!i", len(blob)) + blob)


class FrameReader:
    """Frames from one socket (a 4-byte signed length, -1 then an 8-byte length for large
    ones, then the bytes), received in chunks: replies that arrive together (a batch's)
    cost one receive between them. A frame larger than a chunk is read straight into a
    buffer of its own size."""

    CHUNK = 1 << 16

    def __init__(self, sock: socket.socket, limit: int = MAX_MESSAGE_BYTES) -> None:
        self.sock, self.limit = sock, limit
        self.buffer = bytearray()
        self.allowance = MAX_REQUEST_BYTES  # bytes the replies to this request may still take

    def new_request(self, allowance: int = MAX_REQUEST_BYTES) -> None:
        """The replies to a new request may take `allowance` bytes in all."""
        self.allowance = allowance

    def ready(self) -> bool:
        """Whether a whole frame is already here (no need to wait for the socket)."""
        found = self._framed()
        return found is not None and len(self.buffer) >= sum(found)

    def read(self, deadline: float) -> bytearray:
        """The next frame; TimeoutError past `deadline`, EOFError if the peer closed,
        WireError for a frame over the limit (refused once its length is known)."""
        while True:
            found = self._framed()
            if found is not None:
                head, size = found
                if len(self.buffer) >= head + size:
                    frame = self.buffer[head : head + size]
                    del self.buffer[: head + size]
                    self.allowance -= size
                    return frame
                if head + size - len(self.buffer) > self.CHUNK:
                    self.allowance -= size
                    return self._large(head, size, deadline)
            _until(self.sock, deadline)
            chunk = self.sock.recv(self.CHUNK)
            if not chunk:
                raise EOFError("the worker closed the connection")
            self.buffer += chunk

    def _large(self, head: int, size: int, deadline: float) -> bytearray:
        frame = bytearray(size)
        have = len(self.buffer) - head
        frame[:have] = self.buffer[head:]
        self.buffer.clear()
        view = memoryview(frame)
        while have < size:
            _until(self.sock, deadline)
            count = self.sock.recv_into(view[have:], size - have)
            if count == 0:
                raise EOFError("the worker closed the connection")
            have += count
        return frame

    def _framed(self) -> tuple[int, int] | None:
        """(length of the size prefix, size of the frame) once the prefix is here."""
        if len(self.buffer) < 4:
            return None
        (size,) = struct.unpack_from("!i", self.buffer)
        head = 4
        if size == -1:
            if len(self.buffer) < 12:
                return None
            (size,) = struct.unpack_from("!Q", self.buffer, 4)
            head = 12
        if not 0 <= size <= self.limit:
            raise WireError(f"a reply of {size} bytes, over the limit of {self.limit}")
        if size > self.allowance:
            raise RepliesTooLarge(
                f"its replies to one request came to over {MAX_REQUEST_BYTES // 2**20} MiB"
            )
        return head, size


class RepliesTooLarge(WireError):
    """The replies to one request would take more than MAX_REQUEST_BYTES together."""


def _until(sock: socket.socket, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline passed")
    sock.settimeout(remaining)

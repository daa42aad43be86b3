"""The wire codec carries plain data both ways and never trusts what it decodes."""

from __future__ import annotations

import json
import math
import struct

import numpy as np
import pytest
import torch

from autograder.errors import WireError
from autograder.worker.wire import Opaque, decode, encode


def roundtrip(value):
    return decode(encode(value))


def test_plain_values_keep_their_types():
    value = (1, 2.5, "s", None, True, [1, (2, 3)], {"a": 1, 2: [None]})
    assert roundtrip(value) == value
    assert type(roundtrip((1,))) is tuple
    assert type(roundtrip([1])) is list


def test_non_finite_floats_survive():
    nan, inf, ninf = roundtrip([math.nan, math.inf, -math.inf])
    assert math.isnan(nan) and inf == math.inf and ninf == -math.inf


@pytest.mark.parametrize(
    "dtype", [torch.float32, torch.float64, torch.int64, torch.bool, torch.bfloat16]
)
def test_tensors_keep_dtype_shape_values_and_grad_flag(dtype):
    t = (torch.arange(6) % 2).to(dtype).reshape(2, 3)
    out = roundtrip(t)
    assert out.dtype == dtype and out.shape == (2, 3) and torch.equal(out, t)
    scalar = roundtrip(torch.tensor(3.5, requires_grad=True))
    assert scalar.shape == () and scalar.item() == 3.5 and scalar.requires_grad


def test_empty_and_non_contiguous_tensors():
    assert roundtrip(torch.empty(0, 3)).shape == (0, 3)
    t = torch.arange(6.0).reshape(2, 3).T
    assert torch.equal(roundtrip(t), t)


def test_numpy_arrays_and_scalars():
    arr = np.arange(6, dtype=np.float32).reshape(3, 2).T
    out = roundtrip(arr)
    assert out.dtype == np.float32 and np.array_equal(out, arr)
    assert type(roundtrip(np.float64(2.5))) is np.float64
    assert roundtrip(np.float64(2.5)) == 2.5


class Rigged:
    def __eq__(self, other):
        return True

    def __repr__(self):
        raise RuntimeError("no repr for you")


def test_unknown_objects_become_opaque_and_equal_nothing():
    out = roundtrip(Rigged())
    assert isinstance(out, Opaque)
    assert out.type_name.endswith("Rigged")
    assert out != out and out != 1


def test_tensor_subclasses_are_not_trusted_as_tensors():
    class Sneaky(torch.Tensor):
        def __eq__(self, other):
            return True

    out = roundtrip(torch.ones(2).as_subclass(Sneaky))
    assert isinstance(out, Opaque)


def _message(header: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(header)) + header + payload


@pytest.mark.parametrize(
    "blob",
    [
        b"\x00",
        _message(b"not json"),
        _message(
            b'{"v": {"__tensor__": {"dtype": "object", "shape": [1], "buffer": 0}}, "n": [8]}',
            b"\x00" * 8,
        ),
        _message(
            b'{"v": {"__tensor__": {"dtype": "float64", "shape": [4], "buffer": 0,'
            b' "type": "torch.Tensor"}}, "n": [8]}',
            b"\x00" * 8,
        ),
        _message(
            b'{"v": {"__ndarray__": {"dtype": "float64", "shape": [1], "buffer": 5}}, "n": []}'
        ),
        _message(b'{"v": {"__pickle__": "gASV"}, "n": []}'),
        _message(b'{"v": 1, "n": [100]}'),
    ],
)
def test_malformed_messages_raise_wire_error(blob):
    with pytest.raises(WireError):
        decode(blob)


def test_deep_nesting_is_refused():
    value: list = []
    for _ in range(40):
        value = [value]
    with pytest.raises(WireError):
        encode(value)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (list(range(100_001)), "more than 100000 values"),
        ("s" * 10_001, "a string of 10001 characters"),
    ],
    ids=["items", "string"],
)
def test_oversized_messages_are_refused_before_they_are_built(value, words):
    with pytest.raises(WireError, match=words):
        decode(encode(value))


@pytest.mark.parametrize(
    "header",
    [
        b'{"v": {"__dict__": [[[1], 2]]}, "n": []}',  # an unhashable key
        b'{"v": ' + b"[" * 5000 + b"]" * 5000 + b', "n": []}',  # nesting past json's limit
        b'{"v": {"__tensor__": {"dtype": "float64", "shape": [1], "buffer": 0,'
        b' "type": "torch.Tensor"}}, "n": ["x"]}',
    ],
    ids=["unhashable-key", "deep-json", "bad-sizes"],
)
def test_any_malformed_message_is_a_wire_error_and_nothing_else(header):
    with pytest.raises(WireError):
        decode(_message(header))


@pytest.mark.parametrize("name", ["cuda:abc", "cuda:99", "cuda\x1b[31m", "meta", "cpu:0"])
def test_a_device_string_from_a_worker_never_reaches_torch_unchecked(name):
    header = (
        b'{"v": {"__tensor__": {"dtype": "float32", "shape": [2], "buffer": 0,'
        b' "type": "torch.Tensor", "device": ' + json.dumps(name).encode() + b'}}, "n": [8]}'
    )
    out = decode(_message(header, b"\x00" * 8))
    assert out.device.type == "cpu" and out.tolist() == [0.0, 0.0]


def test_the_clean_function_sees_every_string_and_opaque_texts_are_one_safe_line():
    seen: list[str] = []

    def clean(text: str) -> str:
        seen.append(text)
        return text.upper()

    class Rigged2:
        pass

    Rigged2.__qualname__ = "R\x1b[2J\nx"
    out = decode(encode({"key": ["value", ("t",)], "o": Rigged2()}), clean)
    assert out["KEY"] == ["VALUE", ("T",)] and sorted(seen) == ["key", "o", "t", "value"]
    assert out["O"].type_name.endswith("R\\x1b[2J\\nx") and "\n" not in out["O"].text

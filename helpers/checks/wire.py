"""Values as plain data: what crosses from a student's kernel to the grader.

A test cell's results leave the kernel as JSON built only from numbers,
strings, arrays (raw bytes of a numeric, bool or string dtype), and lists,
tuples, sets and dicts of them. :func:`encode` turns a value into that form;
anything else (a function, a class, an object of the student's) becomes a
*handle*, a number the caller chooses. :func:`decode` rebuilds the value and
never runs code of the sender's: no pickle, no object dtype, no classes by
name. Subclasses are read through their base type's own methods, so an
object that lies in ``__eq__``, ``__array__`` or ``__iter__`` crosses as the
plain data underneath, or as a handle.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math

import numpy as np

# numpy dtype kinds that are plain data (bool, ints, floats, complex, bytes, text)
KINDS = frozenset("biufcSU")
MAX_DEPTH = 64


class WireError(ValueError):
    """The data from the kernel is not in the expected form."""


def _array_payload(arr, bytes_too=True):
    if not bytes_too:  # the form alone (is_data): no copy, no base64
        return [arr.dtype.str, list(arr.shape), None]
    arr = np.array(arr, order="C", copy=True)  # keeps a 0-d shape, unlike ascontiguousarray
    return [arr.dtype.str, list(arr.shape), base64.b64encode(arr.tobytes()).decode("ascii")]


def _torch_tensor_type():
    import sys

    torch = sys.modules.get("torch")
    return getattr(torch, "Tensor", None) if torch is not None else None


def encode(value, handle, depth=0, bytes_too=True):
    """``value`` as JSON-able data; ``handle(obj) -> int`` names what is not
    data. ``bytes_too=False`` leaves arrays' bytes out (only the form is wanted)."""
    if depth > MAX_DEPTH:
        return {"h": handle(value)}
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int or (isinstance(value, int) and not isinstance(value, bool) and not isinstance(value, np.generic)):
        number = int.__int__(value)
        return number if abs(number) < 2 ** 53 else {"int": str(number)}
    if isinstance(value, float) and not isinstance(value, np.generic):
        number = float.__float__(value)
        return number if math.isfinite(number) else {"float": repr(number)}
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (np.generic,)) and type(value).__module__ == "numpy":
        arr = np.asarray(value)
        if arr.dtype.kind in KINDS:
            return {"np": _array_payload(arr, bytes_too)}
    if isinstance(value, np.ndarray):
        arr = np.array(value, subok=False, copy=True if bytes_too else None)
        if arr.dtype.kind in KINDS:
            return {"nd": _array_payload(arr, bytes_too)}
        return {"h": handle(value)}
    tensor = _torch_tensor_type()
    if tensor is not None and isinstance(value, tensor) and type(value).__module__.startswith("torch"):
        arr = value.detach().cpu().numpy()
        if arr.dtype.kind in KINDS:
            return {"tensor": _array_payload(arr, bytes_too), "grad": bool(value.requires_grad)}
    if isinstance(value, tuple):
        return {"tuple": [encode(v, handle, depth + 1, bytes_too) for v in tuple.__iter__(value)]}
    if isinstance(value, list):
        return {"list": [encode(v, handle, depth + 1, bytes_too) for v in list.__iter__(value)]}
    if isinstance(value, dict):
        return {"dict": [[encode(k, handle, depth + 1, bytes_too), encode(v, handle, depth + 1, bytes_too)]
                         for k, v in dict.items(value)]}
    if isinstance(value, (set, frozenset)):
        base = set if isinstance(value, set) else frozenset
        return {"set" if base is set else "frozenset": [encode(v, handle, depth + 1, bytes_too)
                                                         for v in base.__iter__(value)]}
    return {"h": handle(value)}


def is_data(value, depth=0) -> bool:
    """True when ``value`` crosses whole, with no handle in it."""
    found = []
    encode(value, lambda obj: found.append(obj) or 0, depth, bytes_too=False)
    return not found


def _array(payload, budget):
    try:
        dtype, shape, data = payload
        dtype = np.dtype(str(dtype))
        shape = tuple(int(n) for n in shape)
        if dtype.kind not in KINDS or any(n < 0 for n in shape):
            raise WireError(f"an array of dtype {dtype} cannot cross")
        raw = base64.b64decode(str(data), validate=True)
    except (TypeError, ValueError, binascii.Error) as err:
        raise WireError(f"a malformed array ({err})") from None
    budget.spend(len(raw))
    if len(raw) != dtype.itemsize * math.prod(shape):
        raise WireError("an array whose bytes do not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


class Budget:
    """Bytes of arrays a decode may still build (the grader's memory stays bounded)."""

    def __init__(self, limit):
        self.left = limit

    def spend(self, n):
        self.left -= n
        if self.left < 0:
            raise WireError("more array data than the grader keeps for one notebook")


def decode(data, proxy, budget, depth=0):
    """The value ``data`` encodes; ``proxy(number)`` stands for a handle."""
    if depth > MAX_DEPTH:
        raise WireError("data nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise WireError(f"unexpected data {type(data).__name__}")
    (tag, body), = list(data.items())[:1]
    if tag == "h":
        return proxy(int(body))
    if tag == "int":
        return int(str(body)[:400])
    if tag == "float":
        return float(str(body))
    if tag == "nd":
        return _array(body, budget)
    if tag == "np":
        return _array(body, budget)[()]
    if tag == "tensor":
        arr = _array(body, budget)
        try:
            import torch

            return torch.from_numpy(arr)
        except ImportError:
            return arr
    if not isinstance(body, list):
        raise WireError(f"malformed {tag}")
    items = [decode(v, proxy, budget, depth + 1) for v in body] if tag != "dict" else None
    if tag == "list":
        return items
    if tag == "tuple":
        return tuple(items)
    if tag == "set":
        return set(items)
    if tag == "frozenset":
        return frozenset(items)
    if tag == "dict":
        out = {}
        for pair in body:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("malformed dict")
            out[decode(pair[0], proxy, budget, depth + 1)] = decode(pair[1], proxy, budget, depth + 1)
        return out
    raise WireError(f"unknown tag {tag!r}")


def fingerprint(value, exact=False) -> str:
    """A short digest of a value's data, floats to single precision; what is
    not data counts by its type's name only (a proxy of the kernel and of the
    grader alike)."""
    h = hashlib.blake2b(digest_size=8)
    _feed(h, value, 0, (lambda arr: arr) if exact else _coarse)
    return h.hexdigest()


def _coarse(arr):
    """Floats to single precision: an input computed with another number of
    threads (a BLAS or torch reduction) differs in its last bits only."""
    if arr.dtype.kind == "f":
        return arr.astype(np.float32)
    if arr.dtype.kind == "c":
        return arr.astype(np.complex64)
    return arr


def _feed(h, value, depth, coarse):
    t = type(value)
    if depth > MAX_DEPTH:
        h.update(b"deep")
    elif value is None or t in (bool, int, str):
        h.update(f"{t.__name__}:{value!r};".encode())
    elif t in (float, complex):
        h.update(f"{t.__name__}:{coarse(np.asarray(value)).item()!r};".encode())
    elif isinstance(value, np.ndarray) and value.dtype.kind in KINDS:
        h.update(f"nd:{value.dtype.str}:{value.shape};".encode())
        h.update(np.ascontiguousarray(coarse(value)).tobytes())
    elif isinstance(value, np.generic) and type(value).__module__ == "numpy":
        h.update(f"np:{value.dtype.str}:{coarse(np.asarray(value)).item()!r};".encode())
    elif t in (list, tuple):
        h.update(f"{t.__name__}{len(value)}[".encode())
        for v in value:
            _feed(h, v, depth + 1, coarse)
        h.update(b"]")
    elif t is dict:
        h.update(f"dict{len(value)}{{".encode())
        for k, v in value.items():
            _feed(h, k, depth + 1, coarse)
            _feed(h, v, depth + 1, coarse)
        h.update(b"}")
    elif t.__name__ == "Proxy":
        h.update(b"proxy;")
    else:
        h.update(f"obj:{t.__name__};".encode())

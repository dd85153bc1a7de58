"""Datasets for the course: embedded ones that need no network, real downloads
that are verified, and the small preprocessing steps every notebook uses.

Embedded (generated or shipped by installed packages, no network ever):

- :func:`load_mnist1d` -- MNIST-1D, 4000 train / 1000 test signals of length 40.
- :func:`load_digits` -- scikit-learn's 1797 real 8x8 handwritten digits,
  split into train / val / test.
- :func:`make_moons` -- the 2-D two-moons toy problem.

Real downloads (need the internet once, then read from the cache folder):

- :func:`load_cifar10` -- CIFAR-10 "python version" (cifar-10-python.tar.gz, 163 MiB).
- :func:`load_mnist` -- MNIST, the four idx ``.gz`` files (11 MiB together).

The cache folder is, in this order: the ``root`` argument, the environment
variable ``DL_COURSE_DATA``, the repository's ``data/`` folder (when ``helpers``
is used from a checkout of the course), else ``~/.cache/dl-course``
(see :func:`data_dir`). Every file is checked against its SHA-256 in
:data:`SHA256` before it is used. Downloads go to a temporary file in that
folder and are renamed into place only once their checksum is right, so an
interrupted or corrupt download never leaves a file behind. A file already in
the cache that fails the check is never deleted or replaced for you: you get an
error that says which file to delete. That file can only have come from outside
(a copy placed by hand, or a damaged disk), so it stays yours to remove.

Preprocessing: :func:`train_val_split`, :func:`standardize` and
:func:`subtract_mean_image`, which use statistics of the training set alone.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import http.client
import os
import pickle
import random
import struct
import tarfile
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

__all__ = [
    "load_mnist1d", "load_digits", "make_moons", "load_cifar10", "load_mnist",
    "train_val_split", "standardize", "subtract_mean_image",
    "data_dir", "fetch", "sha256_of", "ChecksumError", "DownloadError",
    "CIFAR10_CLASSES", "ENV_VAR",
]

ENV_VAR = "DL_COURSE_DATA"
MNIST1D_CACHE = "mnist1d-default-seed42.npz"  # generated on first use, then read back

# --------------------------------------------------------------------------
# The one source of truth for the downloadable files. data/checksums.txt is a
# copy in `sha256sum -c` format for people; a test checks that the two agree.
#
# Sources of the SHA-256 values (each confirmed in several public projects):
# - cifar-10-python.tar.gz: keras `keras/src/datasets/cifar10.py` (file_hash)
#   and torchvision's prototype CIFAR-10 resource (HttpResource sha256). The
#   Toronto page itself publishes only the MD5 c58f30108f718f92721af3b95e74349a.
# - MNIST: the sha256 values used for the same four files by TensorFlow
#   Datasets' cvdf-datasets mirror and the torch.rb port of torchvision's
#   MNIST (whose MD5s f68b3c2d..., d53e105e..., 9fb629c4..., ec29112d... are
#   those of torchvision). Sizes are those the hosts report.
# --------------------------------------------------------------------------
SHA256 = {
    "cifar-10-python.tar.gz": "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

SIZES = {
    "cifar-10-python.tar.gz": 170_498_071,
    "train-images-idx3-ubyte.gz": 9_912_422,
    "train-labels-idx1-ubyte.gz": 28_881,
    "t10k-images-idx3-ubyte.gz": 1_648_877,
    "t10k-labels-idx1-ubyte.gz": 4_542,
}

MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

_MNIST_MIRRORS = (
    # torchvision's order: the PyTorch S3 copy first, then the original host
    # (which often refuses scripted downloads), then TensorFlow's copy.
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# Tried in order. The first URL of each list is the one an offline user is
# told to download by hand.
MIRRORS = {
    "cifar-10-python.tar.gz": [
        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        # Keras' dataset bucket; listed by public projects with the same
        # SHA-256. A copy that differs is rejected by the checksum anyway.
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/cifar-10-python.tar.gz",
    ],
    **{name: [m + name for m in _MNIST_MIRRORS] for name in MNIST_FILES},
}

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")

_TIMEOUT = 60  # seconds without data before a mirror counts as failed
_CHUNK = 1 << 20
_USER_AGENT = "dl-course-helpers (python urllib)"


def _default_urlopen(url: str, timeout: float):
    """Open ``url`` for reading. Tests replace the module's ``_urlopen``."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    return urllib.request.urlopen(request, timeout=timeout)


# Hook: called as _urlopen(url, timeout) and must return a binary file-like
# object (a context manager with .read(n)); it raises OSError (URLError is
# one) when the host cannot be reached.
_urlopen = _default_urlopen


class ChecksumError(RuntimeError):
    """A file's SHA-256 is not the published one (corrupt or incomplete)."""

    def _render_traceback_(self):  # IPython: the message alone, no traceback
        return ["\x1b[31mChecksumError\x1b[0m: " + str(self)]


class DownloadError(RuntimeError):
    """A file is not in the cache and could not be downloaded."""

    def _render_traceback_(self):
        return ["\x1b[31mDownloadError\x1b[0m: " + str(self)]


# ==========================================================================
# Cache folder and verified downloads
# ==========================================================================

_REPO_DATA = Path(__file__).resolve().parent.parent / "data"


def data_dir(root=None) -> Path:
    """The folder where downloaded datasets are kept (it may not exist yet).

    In this order: ``root`` if given; else the environment variable
    ``DL_COURSE_DATA``; else the course repository's ``data/`` folder when
    ``helpers`` runs from a checkout and that folder is writable; else
    ``~/.cache/dl-course``.
    """
    if root is not None:
        return Path(root).expanduser().resolve()
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser().resolve()
    if (_REPO_DATA / "checksums.txt").is_file() and os.access(_REPO_DATA, os.W_OK):
        return _REPO_DATA
    return (Path.home() / ".cache" / "dl-course").resolve()


def sha256_of(path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


# path -> (size, mtime_ns, sha256) of files verified in this process, so a
# 163 MiB archive is hashed once per session rather than at every load.
_verified: dict[str, tuple[int, int, str]] = {}


def _known(filename: str) -> str:
    if filename not in SHA256:
        raise ValueError(
            f"Unknown dataset file {filename!r}. Known files: {', '.join(sorted(SHA256))}.")
    return SHA256[filename]


def _size_text(filename: str) -> str:
    size = SIZES.get(filename)
    return f"{size:,} bytes" if size else "size unknown"


def _manual_instructions(filename: str, folder: Path) -> str:
    urls = MIRRORS.get(filename) or []
    where = urls[0] if urls else "(no known URL)"
    others = "".join(f"\n       or {u}" for u in urls[1:])
    return (
        f"To get it by hand (for example on a machine with internet):\n"
        f"  1. Download {where}{others}\n"
        f"     ({_size_text(filename)}, SHA-256 {SHA256.get(filename)})\n"
        f"  2. Put it, without unpacking or renaming it, at exactly this path:\n"
        f"       {folder / filename}\n"
        f"  3. Run this again: the file is checked and nothing is downloaded.\n"
        f"To keep the datasets in another folder, set the environment variable "
        f"{ENV_VAR} to that folder before starting Python or Jupyter\n"
        f"  (Linux/macOS: export {ENV_VAR}=/path/to/folder ; "
        f"Windows: set {ENV_VAR}=C:\\path\\to\\folder),\n"
        f"  or pass root='/path/to/folder' to the load function.")


def _check_cached(path: Path, filename: str) -> None:
    expected = _known(filename)
    st = path.stat()
    key = str(path)
    if _verified.get(key) == (st.st_size, st.st_mtime_ns, expected):
        return
    actual = sha256_of(path)
    if actual != expected:
        raise ChecksumError(
            f"The file {path} is corrupt or incomplete (checksum mismatch).\n"
            f"  expected SHA-256 {expected} ({_size_text(filename)})\n"
            f"  actual   SHA-256 {actual} ({st.st_size:,} bytes)\n"
            f"Delete it and run again to download a fresh copy:\n"
            f"  rm '{path}'\n"
            f"or replace it with a good copy from {MIRRORS.get(filename, ['?'])[0]}.")
    _verified[key] = (st.st_size, st.st_mtime_ns, expected)


class _MirrorFailed(Exception):
    """The host could not be reached or broke off; try the next mirror."""


# what a failing host raises: URLError/HTTPError/timeouts/resets are OSError,
# IncompleteRead and BadStatusLine are HTTPException, a bad URL is ValueError
_NETWORK_ERRORS = (OSError, http.client.HTTPException, EOFError, ValueError)


def _download_one(url: str, folder: Path, filename: str, expected: str) -> Path:
    """Download ``url`` to ``folder/filename`` atomically, verifying SHA-256.

    The bytes go to a temporary file in ``folder`` that is renamed into place
    only when its checksum is right; on any failure it is deleted. Raises
    ChecksumError, _MirrorFailed (network), or OSError (local disk).
    """
    target = folder / filename
    fd, tmp_name = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = _urlopen(url, _TIMEOUT)
            except _NETWORK_ERRORS as e:
                raise _MirrorFailed(f"{type(e).__name__}: {e}") from e
            with response:
                digest, size = _copy(response, out, filename)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != expected:
            raise ChecksumError(
                f"Checksum mismatch for {filename} downloaded from {url}:\n"
                f"  expected SHA-256 {expected} ({_size_text(filename)})\n"
                f"  actual   SHA-256 {actual} ({size:,} bytes)\n"
                f"The download was corrupt or incomplete; it was deleted and "
                f"nothing was saved in {folder}.")
        os.replace(tmp, target)
        st = target.stat()
        _verified[str(target)] = (st.st_size, st.st_mtime_ns, expected)
        return target
    finally:
        tmp.unlink(missing_ok=True)  # after os.replace it no longer exists


def _copy(response, out, filename):
    """Stream ``response`` into ``out``; returns (sha256 object, byte count)."""
    digest, size = hashlib.sha256(), 0
    bar = _progress(_content_length(response), filename)
    try:
        while True:
            try:
                block = response.read(_CHUNK)
            except _NETWORK_ERRORS as e:
                raise _MirrorFailed(f"{type(e).__name__} after {size:,} bytes: {e}") from e
            if not block:
                return digest, size
            out.write(block)
            digest.update(block)
            size += len(block)
            if bar is not None:
                bar.update(len(block))
    finally:
        if bar is not None:
            bar.close()


def _content_length(response):
    try:
        headers = getattr(response, "headers", None)
        value = headers.get("Content-Length") if headers is not None else None
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _progress(total, filename):
    if not total or total < 5 * _CHUNK:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                desc=filename, leave=False)


def fetch(filename: str, root=None, download: bool = True) -> Path:
    """Path of a verified copy of ``filename`` in the cache folder.

    A copy already in the cache (downloaded before, or placed there by hand)
    is checked against :data:`SHA256` and used without any network. Otherwise,
    if ``download`` is true, the mirrors in :data:`MIRRORS` are tried in order.

    Raises:
        ChecksumError: the cached file is corrupt (delete it, as the message
            says), or every mirror that answered sent a corrupt file.
        DownloadError: no mirror could be reached; the message says which
            file to download from where, and the exact path to put it at.
        FileNotFoundError: the file is not cached and ``download`` is False.
    """
    expected = _known(filename)
    folder = data_dir(root)
    path = folder / filename
    if path.is_file():
        _check_cached(path, filename)
        return path
    if not download:
        raise FileNotFoundError(
            f"{filename} is not in the data folder {folder} and download=False.\n"
            + _manual_instructions(filename, folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DownloadError(
            f"Cannot create the data folder {folder} ({e}).\n"
            f"Choose a writable folder: set {ENV_VAR} or pass root=...") from e
    if not os.access(folder, os.W_OK):
        raise DownloadError(
            f"The data folder {folder} is not writable, so {filename} cannot be "
            f"downloaded into it.\n" + _manual_instructions(filename, folder))

    failures: list[str] = []
    bad: list[ChecksumError] = []
    for url in MIRRORS.get(filename, []):
        print(f"Downloading {url}\n  -> {path} ({_size_text(filename)})")
        try:
            return _download_one(url, folder, filename, expected)
        except ChecksumError as e:
            bad.append(e)
            reason = "checksum mismatch (corrupt or incomplete download)"
        except _MirrorFailed as e:
            reason = str(e)
        failures.append(f"  {url}: {reason}")
        print(f"  failed: {reason}")
    tried = "\n".join(failures) if failures else "  (no mirror is listed for it)"
    if bad:
        raise ChecksumError(
            "\n".join(str(e) for e in bad)
            + f"\nNo mirror sent a good copy of {filename}:\n{tried}\n"
            + "Try again later, or get the file by hand.\n"
            + _manual_instructions(filename, folder))
    raise DownloadError(
        f"Could not download {filename}: every mirror failed (are you offline?).\n"
        f"{tried}\n" + _manual_instructions(filename, folder))


# ==========================================================================
# Embedded datasets
# ==========================================================================

@functools.lru_cache(maxsize=1)
def _mnist1d_cached():
    cache = data_dir() / MNIST1D_CACHE
    try:
        with np.load(cache, allow_pickle=False) as f:
            out = {k: f[k] for k in ("X_train", "y_train", "X_test", "y_test", "t")}
    except (OSError, KeyError, ValueError):  # not made yet, or unreadable: make it again
        out = _make_mnist1d()
        _save_quietly(cache, out)
    for a in out.values():
        a.setflags(write=False)
    return out


def _make_mnist1d():
    from mnist1d.data import get_dataset_args, make_dataset

    # make_dataset reseeds numpy's and Python's global generators with 42;
    # put them back so loading data does not change a student's random numbers.
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        d = make_dataset(get_dataset_args())  # default args, seed 42; offline
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    return {
        "X_train": np.asarray(d["x"], dtype=np.float64),
        "y_train": np.asarray(d["y"], dtype=np.int64),
        "X_test": np.asarray(d["x_test"], dtype=np.float64),
        "y_test": np.asarray(d["y_test"], dtype=np.int64),
        "t": np.asarray(d["t"], dtype=np.float64),
    }


def _save_quietly(path: Path, arrays: dict):
    """Keep generated data for the next kernel (3 s saved each time); a
    read-only data folder (a grading sandbox) only means no saving."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


def prepare() -> None:
    """Make the cache of the generated data sets, so that kernels that cannot
    write the data folder (grading sandboxes) read it instead of generating."""
    _mnist1d_cached()


def load_mnist1d() -> dict:
    """MNIST-1D with its default arguments (seed 42), generated offline.

    Returns a new dict (fresh copies on every call) with:
        X_train: float64 (4000, 40) signals; y_train: int64 (4000,) in 0..9
        X_test:  float64 (1000, 40);         y_test:  int64 (1000,)
        t:       float64 (40,) the time points of each signal (for plotting)

    The whole set is centred and scaled to standard deviation 1. Reference
    accuracies (paper): logistic regression 32%, MLP 68%, CNN 94%;
    1-nearest-neighbour (L2) gets 56.7% on this test set.
    """
    return {k: v.copy() for k, v in _mnist1d_cached().items()}


@functools.lru_cache(maxsize=1)
def _digits_cached():
    from sklearn.datasets import load_digits as sk_load_digits

    d = sk_load_digits()
    images = np.asarray(d.images, dtype=np.float64) / 16.0
    y = np.asarray(d.target, dtype=np.int64)
    images.setflags(write=False)
    y.setflags(write=False)
    return images, y


def load_digits(n_val: int = 300, n_test: int = 300, seed: int = 0) -> dict:
    """scikit-learn's 1797 real 8x8 handwritten digits, split three ways.

    Pixels (0..16 in the original) are divided by 16 so they lie in [0, 1].
    The split is stratified (each part has the same class proportions, to
    within one image per class) and fixed by ``seed``: first ``n_test``
    images are drawn for the test set, then ``n_val`` of the rest for
    validation, the remainder (1197 with the defaults) is the training set.

    Returns a dict with, for each part P in train, val, test:
        X_P: float64 (n_P, 64) flattened images; y_P: int64 (n_P,) in 0..9;
        images_P: float64 (n_P, 8, 8) the same pixels as pictures.
    """
    from sklearn.model_selection import train_test_split

    images, y = _digits_cached()
    n, k = len(y), 10
    for name, value in (("n_val", n_val), ("n_test", n_test)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise ValueError(f"{name} must be an integer, got {value!r}.")
    if n_test < k or n_val < 0 or (0 < n_val < k):
        raise ValueError(
            f"A stratified split needs at least one image per class: n_test must be "
            f">= {k} and n_val 0 or >= {k}; got n_val={n_val}, n_test={n_test}.")
    if n - n_val - n_test < k:
        raise ValueError(
            f"n_val + n_test = {n_val + n_test} leaves fewer than {k} of the {n} "
            "images for training.")
    idx = np.arange(n)
    rest, test = train_test_split(idx, test_size=int(n_test), stratify=y, random_state=seed)
    if n_val:
        train, val = train_test_split(rest, test_size=int(n_val), stratify=y[rest],
                                      random_state=seed)
    else:
        train, val = rest, idx[:0]
    out = {}
    for part, ids in (("train", train), ("val", val), ("test", test)):
        ids = np.sort(ids)
        out[f"X_{part}"] = images[ids].reshape(len(ids), 64).copy()
        out[f"y_{part}"] = y[ids].copy()
        out[f"images_{part}"] = images[ids].copy()
    return out


def make_moons(n_samples: int = 200, noise: float = 0.2, seed: int = 0):
    """Two interleaving half circles (scikit-learn's ``make_moons``).

    Returns ``X`` float64 (n_samples, 2) and ``y`` int64 (n_samples,) in {0, 1}.
    ``noise`` is the standard deviation of Gaussian noise added to the points.
    """
    from sklearn.datasets import make_moons as sk_make_moons

    if not isinstance(n_samples, (int, np.integer)) or isinstance(n_samples, bool) or n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}.")
    if noise is None or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}.")
    X, y = sk_make_moons(n_samples=int(n_samples), noise=float(noise), random_state=seed)
    return X.astype(np.float64), y.astype(np.int64)


# ==========================================================================
# Real downloads: CIFAR-10 and MNIST
# ==========================================================================

_CIFAR_DIR = "cifar-10-batches-py"
_CIFAR_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
_CIFAR_TEST = "test_batch"


def _check_count(name, value, maximum):
    """None (meaning: all) or an int from 1 to ``maximum``."""
    if value is None:
        return None
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not 0 < value <= maximum:
        raise ValueError(f"{name} must be None (all) or an integer from 1 to {maximum}, "
                         f"got {value!r}.")
    return int(value)


def _first(arrays, n, what, where):
    """The first ``n`` rows (all if n is None), or a ValueError if too few."""
    if n is not None and len(arrays[0]) < n:
        raise ValueError(f"{where} holds {len(arrays[0])} {what}, fewer than the {n} asked for.")
    return [a[:n] for a in arrays]


def _cifar_batch(fileobj, where: str):
    try:
        d = pickle.load(fileobj, encoding="bytes")
    except Exception as e:
        raise ValueError(f"{where} is not a CIFAR-10 python batch (unpickling failed: {e}).") from e
    if not isinstance(d, dict):
        raise ValueError(f"{where} is not a CIFAR-10 python batch (expected a dict).")
    data = d.get(b"data", d.get("data"))
    labels = d.get(b"labels", d.get("labels"))
    if data is None or labels is None:
        raise ValueError(f"{where} is not a CIFAR-10 python batch (no 'data' or 'labels').")
    data = np.asarray(data)
    labels = np.asarray(labels, dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3072 or data.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{where}: expected data of shape (n, 3072) and n labels, got "
            f"{data.shape} and {labels.shape}.")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{where}: labels must be in 0..9.")
    # each row: 1024 red, 1024 green, 1024 blue values, rows of the 32x32 image
    images = data.astype(np.uint8, copy=False).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, labels


def _cifar_read(names, root, download):
    """dict batch name -> (images uint8 NHWC, labels) for the given names."""
    folder = data_dir(root)
    archive = folder / "cifar-10-python.tar.gz"
    extracted = folder / _CIFAR_DIR
    if not archive.is_file() and all((extracted / n).is_file() for n in names):
        # an already extracted copy (the CS231n get_datasets.sh layout)
        out = {}
        for n in names:
            with open(extracted / n, "rb") as f:
                out[n] = _cifar_batch(f, str(extracted / n))
        return out
    archive = fetch("cifar-10-python.tar.gz", root=root, download=download)
    wanted = {f"{_CIFAR_DIR}/{n}": n for n in names}
    out = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:  # one pass through the gzip stream
            n = wanted.get(member.name)
            if n is None or not member.isfile():
                continue
            out[n] = _cifar_batch(tar.extractfile(member), f"{archive}:{member.name}")
            if len(out) == len(wanted):
                break
    missing = [m for m, n in wanted.items() if n not in out]
    if missing:
        raise ValueError(f"{archive} does not contain {', '.join(missing)}.")
    return out


def load_cifar10(root=None, download: bool = True, num_training=None, num_test=None,
                 dtype=np.float64):
    """CIFAR-10, read from the real "python version" archive.

    Uses ``cifar-10-python.tar.gz`` in the data folder (see :func:`data_dir`),
    downloading and verifying it if needed; the archive is read directly, not
    unpacked. A folder ``cifar-10-batches-py/`` already unpacked in the data
    folder is used instead when there is no archive.

    Args:
        root: data folder; default from :func:`data_dir`.
        download: download the archive if it is missing.
        num_training, num_test: keep only the first so many images of each
            set (as CS231n subsamples); None (default) keeps all 50000 and
            10000. Only the batches needed are decoded.
        dtype: of the images; float64 (the default, as in CS231n) or uint8.

    Returns:
        X_train: (N, 32, 32, 3) images, NHWC, pixel values 0..255 (not scaled)
        y_train: int64 (N,) class indices 0..9, names in ``CIFAR10_CLASSES``
        X_test:  (M, 32, 32, 3);  y_test: int64 (M,)
    The layers use NCHW: ``X.transpose(0, 3, 1, 2)`` converts.
    """
    n_train = _check_count("num_training", num_training, 50000)
    n_test = _check_count("num_test", num_test, 10000)
    # the real batches hold 10000 images each: decode only the ones needed
    k = len(_CIFAR_TRAIN) if n_train is None else -(-n_train // 10000)
    batches = _cifar_read(list(_CIFAR_TRAIN[:k]) + [_CIFAR_TEST], root, download)
    if n_train is not None and sum(len(batches[n][1]) for n in _CIFAR_TRAIN[:k]) < n_train:
        k = len(_CIFAR_TRAIN)  # smaller batches than the real ones: read them all
        batches = _cifar_read(list(_CIFAR_TRAIN) + [_CIFAR_TEST], root, download)
    X_train, y_train = _first(
        [np.concatenate([batches[n][i] for n in _CIFAR_TRAIN[:k]]) for i in (0, 1)],
        n_train, "training images", "The CIFAR-10 data")
    X_test, y_test = _first(list(batches[_CIFAR_TEST]), n_test, "test images",
                            "The CIFAR-10 test batch")
    return (X_train.astype(dtype), y_train.astype(np.int64),
            X_test.astype(dtype), y_test.astype(np.int64))


def _read_idx(path: Path, magic: int, ndim: int) -> np.ndarray:
    """Read an idx file of unsigned bytes (gzip-compressed) into a uint8 array."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise ValueError(f"{path} is not a readable gzip file ({e}).") from e
    header = 4 + 4 * ndim
    found = struct.unpack(">I", raw[:4])[0] if len(raw) >= 4 else None
    if found != magic:
        raise ValueError(
            f"{path}: idx magic number is {found}, expected {magic} "
            f"({'images' if magic == 2051 else 'labels'}). Is it the right file?")
    if len(raw) < header:
        raise ValueError(f"{path} is too short to be an idx file.")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    count = int(np.prod(dims))
    if len(raw) - header != count:
        raise ValueError(
            f"{path}: header says {dims} = {count} bytes of data, file has {len(raw) - header}.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def load_mnist(root=None, download: bool = True, num_training=None, num_test=None,
               dtype=np.float64):
    """MNIST from the four real idx ``.gz`` files.

    The files ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
    ``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` are taken
    from the data folder (see :func:`data_dir`), downloaded and verified if
    needed.

    Args:
        root, download: as for :func:`load_cifar10`.
        num_training, num_test: keep only the first so many images; None
            (default) keeps all 60000 and 10000.
        dtype: of the images; float64 (default) or uint8.

    Returns:
        X_train: (N, 28, 28) pixel values 0..255 (not scaled; 0 is background)
        y_train: int64 (N,) digits 0..9
        X_test:  (M, 28, 28); y_test: int64 (M,)
    """
    n_train = _check_count("num_training", num_training, 60000)
    n_test = _check_count("num_test", num_test, 10000)
    paths = {}
    for name in MNIST_FILES:
        try:
            paths[name] = fetch(name, root=root, download=download)
        except (DownloadError, FileNotFoundError) as e:
            folder = data_dir(root)
            missing = [n for n in MNIST_FILES if not (folder / n).is_file()]
            raise type(e)(
                f"{e}\nMNIST needs all four files in {folder}; missing now: "
                f"{', '.join(missing)} (same mirrors, same folder).") from None
    out = []
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        img_path = paths[f"{prefix}-images-idx3-ubyte.gz"]
        lbl_path = paths[f"{prefix}-labels-idx1-ubyte.gz"]
        images = _read_idx(img_path, 2051, 3)
        labels = _read_idx(lbl_path, 2049, 1)
        if len(images) != len(labels):
            raise ValueError(f"{img_path} has {len(images)} images but {lbl_path} "
                             f"has {len(labels)} labels.")
        images, labels = _first([images, labels], n, "images", str(img_path))
        out += [images.astype(dtype), labels.astype(np.int64)]
    return tuple(out)


# ==========================================================================
# Preprocessing
# ==========================================================================

def train_val_split(X, y, n_val: int, seed: int = 0):
    """Hold out ``n_val`` random examples for validation.

    The split is a random permutation fixed by ``seed`` (not stratified).
    Returns ``X_train, y_train, X_val, y_val`` (new arrays; inputs untouched).
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(
            f"X must have one row per label in the 1-D array y; got X of shape "
            f"{X.shape} and y of shape {y.shape}.")
    n = len(y)
    if not isinstance(n_val, (int, np.integer)) or isinstance(n_val, bool) or not 0 <= n_val < n:
        raise ValueError(f"n_val must be an integer from 0 to {n - 1} (there are {n} "
                         f"examples and training needs at least one), got {n_val!r}.")
    perm = np.random.default_rng(seed).permutation(n)
    val, train = perm[:n_val], perm[n_val:]
    return X[train], y[train], X[val], y[val]


def _stats_arrays(train, others, what):
    train = np.asarray(train, dtype=np.float64)
    if train.ndim < 1 or len(train) < 1:
        raise ValueError(f"{what}: the training set must have at least one example "
                         f"(shape (n, ...)), got shape {train.shape}.")
    arrays = [np.asarray(o, dtype=np.float64) for o in others]
    for i, a in enumerate(arrays, 1):
        if a.shape[1:] != train.shape[1:]:
            raise ValueError(
                f"{what}: array {i} after the training set has examples of shape "
                f"{a.shape[1:]}, but the training examples have shape {train.shape[1:]}.")
    return train, arrays


def _one_or_tuple(arrays):
    return arrays[0] if len(arrays) == 1 else tuple(arrays)


def standardize(train, *others, eps: float = 1e-8):
    """Scale every feature to mean 0, std 1 using training statistics only.

    The mean and standard deviation over axis 0 of ``train`` are applied to
    ``train`` and to each of ``others`` (validation, test), so no information
    leaks from them. Features that are constant in ``train`` (std below
    ``eps``, e.g. blank border pixels) are only centred.

    Returns the transformed ``train`` alone when no ``others`` are given, else
    a tuple ``(train, *others)``; float64 copies, inputs untouched.
    """
    train, arrays = _stats_arrays(train, others, "standardize")
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std = np.where(std < eps, 1.0, std)
    return _one_or_tuple([(a - mean) / std for a in [train, *arrays]])


def subtract_mean_image(train, *others, return_mean: bool = False):
    """Subtract the mean training example (the "mean image") from every set.

    Returns like :func:`standardize`; with ``return_mean=True`` the mean
    (float64, shape of one example) is appended, e.g.
    ``X_train, X_test, mean = subtract_mean_image(X_train, X_test, return_mean=True)``.
    """
    train, arrays = _stats_arrays(train, others, "subtract_mean_image")
    mean = train.mean(axis=0)
    out = [a - mean for a in [train, *arrays]]
    if return_mean:
        return tuple(out) + (mean,)
    return _one_or_tuple(out)

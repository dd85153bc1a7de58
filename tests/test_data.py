"""Tests for helpers.data. They never touch the network: the URL opener is
replaced by a fake web that serves bytes built here, in the exact formats of
the real files (cifar-10-python.tar.gz, the MNIST idx .gz files)."""
from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import struct
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest

import helpers.data as data

REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------
# fixtures: no network, a fake web, tiny datasets in the real formats
# --------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any real network use fails the test; no cached verification leaks in."""
    def refuse(url, timeout):
        raise AssertionError(f"test tried to open {url}: tests must not use the network")
    monkeypatch.setattr(data, "_urlopen", refuse)
    monkeypatch.setattr(data, "_verified", {})
    monkeypatch.delenv(data.ENV_VAR, raising=False)


def sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


class FakeWeb:
    """Serves registered bytes by URL; anything else is an unreachable host."""

    def __init__(self):
        self.pages: dict[str, object] = {}
        self.calls: list[str] = []

    def __call__(self, url, timeout):
        self.calls.append(url)
        page = self.pages.get(url)
        if page is None:
            raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
        if isinstance(page, BaseException):
            raise page
        if callable(page):
            return page()
        return io.BytesIO(page)


@pytest.fixture
def web(monkeypatch):
    fake = FakeWeb()
    monkeypatch.setattr(data, "_urlopen", fake)
    return fake


def register(monkeypatch, name, content, mirrors):
    """Make ``content`` the published file ``name`` with the given mirrors."""
    monkeypatch.setitem(data.SHA256, name, sha256(content))
    monkeypatch.setitem(data.SIZES, name, len(content))
    monkeypatch.setitem(data.MIRRORS, name, list(mirrors))


def files_in(folder: Path):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


CIFAR_SIZES = {f"data_batch_{i}": 3 for i in range(1, 6)} | {"test_batch": 4}


def make_cifar_archive(seed=0):
    """A cifar-10-python.tar.gz like the real one, a few images per batch.

    Returns (archive bytes, {batch name: (images NHWC uint8, labels)}).
    """
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    batches = {}
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        def add(name, payload):
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))

        # member order of the real archive is not sorted; mimic that
        for name in ["data_batch_4", "test_batch", "data_batch_3", "data_batch_2",
                     "data_batch_5", "data_batch_1"]:
            n = CIFAR_SIZES[name]
            images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
            labels = [int(v) for v in rng.integers(0, 10, size=n)]
            rows = images.transpose(0, 3, 1, 2).reshape(n, 3072)  # R plane, G, B
            d = {b"batch_label": f"{name}".encode(), b"labels": labels, b"data": rows,
                 b"filenames": [f"img_{i}.png".encode() for i in range(n)]}
            add(name, pickle.dumps(d, protocol=2))  # the originals are Python 2 pickles
            batches[name] = (images, np.array(labels))
        add("batches.meta", pickle.dumps(
            {b"label_names": [c.encode() for c in data.CIFAR10_CLASSES],
             b"num_cases_per_batch": 10000, b"num_vis": 3072}, protocol=2))
        add("readme.html", b"<html></html>")
    return buf.getvalue(), batches


@pytest.fixture(scope="module")
def cifar():
    return make_cifar_archive()


def idx_gz(array: np.ndarray, magic: int) -> bytes:
    header = struct.pack(f">I{array.ndim}I", magic, *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


@pytest.fixture(scope="module")
def mnist():
    rng = np.random.default_rng(1)
    arrays = {
        "train": (rng.integers(0, 256, (7, 28, 28), dtype=np.uint8), rng.integers(0, 10, 7)),
        "t10k": (rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), rng.integers(0, 10, 5)),
    }
    files = {}
    for prefix, (images, labels) in arrays.items():
        files[f"{prefix}-images-idx3-ubyte.gz"] = idx_gz(images, 2051)
        files[f"{prefix}-labels-idx1-ubyte.gz"] = idx_gz(labels, 2049)
    return files, arrays


def serve_mnist(monkeypatch, web, files, host="https://mirror.test/mnist/"):
    for name, content in files.items():
        register(monkeypatch, name, content, [host + name, "https://second.test/" + name])
        web.pages[host + name] = content


CIFAR = "cifar-10-python.tar.gz"
M1 = "https://mirror-one.test/cifar-10-python.tar.gz"
M2 = "https://mirror-two.test/cifar-10-python.tar.gz"


# --------------------------------------------------------------------------
# the checksum table
# --------------------------------------------------------------------------

def test_checksums_file_agrees_with_module_table():
    lines = (REPO / "data" / "checksums.txt").read_text().splitlines()
    table = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(None, 1)
            table[name.strip()] = digest
    assert table == data.SHA256


def test_every_file_has_sha256_size_and_mirrors():
    for name, digest in data.SHA256.items():
        assert len(digest) == 64 and int(digest, 16) >= 0, name
        assert data.SIZES[name] > 0, name
        assert len(data.MIRRORS[name]) >= 2, name
        assert all(u.startswith(("http://", "https://")) and u.endswith("/" + name)
                   for u in data.MIRRORS[name])
    assert data.MIRRORS[CIFAR][0] == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert data.MIRRORS["train-images-idx3-ubyte.gz"][0].startswith(
        "https://ossci-datasets.s3.amazonaws.com/mnist/")


# --------------------------------------------------------------------------
# CIFAR-10
# --------------------------------------------------------------------------

def test_load_cifar10_downloads_verifies_and_reads_the_real_format(monkeypatch, web, tmp_path, cifar):
    archive, batches = cifar
    register(monkeypatch, CIFAR, archive, [M1, M2])
    web.pages[M1] = archive

    X_train, y_train, X_test, y_test = data.load_cifar10(root=tmp_path)

    assert web.calls == [M1]
    assert files_in(tmp_path) == [CIFAR]  # no temporary file left behind
    assert (tmp_path / CIFAR).read_bytes() == archive
    assert X_train.shape == (15, 32, 32, 3) and X_train.dtype == np.float64
    assert y_train.shape == (15,) and y_train.dtype == np.int64
    assert X_test.shape == (4, 32, 32, 3) and y_test.dtype == np.int64
    want_X = np.concatenate([batches[f"data_batch_{i}"][0] for i in range(1, 6)])
    want_y = np.concatenate([batches[f"data_batch_{i}"][1] for i in range(1, 6)])
    np.testing.assert_array_equal(X_train, want_X)
    np.testing.assert_array_equal(y_train, want_y)
    np.testing.assert_array_equal(X_test, batches["test_batch"][0])
    np.testing.assert_array_equal(y_test, batches["test_batch"][1])

    # second load: read from the cache, no network
    web.pages.clear()
    X2, *_ = data.load_cifar10(root=tmp_path, dtype=np.uint8)
    assert X2.dtype == np.uint8 and web.calls == [M1]
    np.testing.assert_array_equal(X2, want_X)


def test_load_cifar10_subsets(monkeypatch, tmp_path, cifar):
    archive, batches = cifar
    register(monkeypatch, CIFAR, archive, [M1])
    (tmp_path / CIFAR).write_bytes(archive)
    X_train, y_train, X_test, y_test = data.load_cifar10(root=tmp_path, num_training=5, num_test=2)
    assert X_train.shape == (5, 32, 32, 3) and X_test.shape == (2, 32, 32, 3)
    np.testing.assert_array_equal(X_train[:3], batches["data_batch_1"][0])
    np.testing.assert_array_equal(X_train[3:], batches["data_batch_2"][0][:2])
    with pytest.raises(ValueError, match="fewer than the 16"):
        data.load_cifar10(root=tmp_path, num_training=16)
    for bad in (0, -1, 50001, 2.5, True):
        with pytest.raises(ValueError, match="num_training"):
            data.load_cifar10(root=tmp_path, num_training=bad)


def test_load_cifar10_reads_an_unpacked_folder(tmp_path, cifar):
    archive, batches = cifar
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for m in tar.getmembers():
            (tmp_path / m.name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / m.name).write_bytes(tar.extractfile(m).read())
    X_train, y_train, X_test, y_test = data.load_cifar10(root=tmp_path, download=False)
    assert X_train.shape == (15, 32, 32, 3)
    np.testing.assert_array_equal(X_test, batches["test_batch"][0])


def test_cifar_batch_that_is_not_a_batch_is_a_clear_error(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in CIFAR_SIZES:
        (folder / name).write_bytes(pickle.dumps({b"data": np.zeros((2, 100), np.uint8),
                                                  b"labels": [0, 1]}))
    with pytest.raises(ValueError, match=r"\(n, 3072\)"):
        data.load_cifar10(root=tmp_path, download=False)


# --------------------------------------------------------------------------
# MNIST
# --------------------------------------------------------------------------

def test_load_mnist_downloads_and_parses_idx(monkeypatch, web, tmp_path, mnist):
    files, arrays = mnist
    serve_mnist(monkeypatch, web, files)
    X_train, y_train, X_test, y_test = data.load_mnist(root=tmp_path)
    assert files_in(tmp_path) == sorted(files)
    assert X_train.shape == (7, 28, 28) and X_train.dtype == np.float64
    assert y_train.shape == (7,) and y_train.dtype == np.int64
    assert X_test.shape == (5, 28, 28) and y_test.shape == (5,)
    np.testing.assert_array_equal(X_train, arrays["train"][0])
    np.testing.assert_array_equal(y_train, arrays["train"][1])
    np.testing.assert_array_equal(X_test, arrays["t10k"][0])
    np.testing.assert_array_equal(y_test, arrays["t10k"][1])
    X3, y3, _, _ = data.load_mnist(root=tmp_path, num_training=3, dtype=np.uint8)
    assert X3.shape == (3, 28, 28) and X3.dtype == np.uint8


def test_mnist_wrong_magic_number_is_a_clear_error(monkeypatch, tmp_path, mnist):
    files, arrays = mnist
    files = dict(files)
    # labels written where images belong: magic 2049, not 2051
    files["train-images-idx3-ubyte.gz"] = files["train-labels-idx1-ubyte.gz"]
    for name, content in files.items():
        register(monkeypatch, name, content, ["https://x.test/" + name])
        (tmp_path / name).write_bytes(content)
    with pytest.raises(ValueError, match="magic number is 2049, expected 2051"):
        data.load_mnist(root=tmp_path)


def test_mnist_offline_message_lists_all_missing_files(monkeypatch, web, tmp_path, mnist):
    files, _ = mnist
    for name, content in files.items():
        register(monkeypatch, name, content, ["https://x.test/" + name])
    with pytest.raises(data.DownloadError) as info:
        data.load_mnist(root=tmp_path)
    msg = str(info.value)
    for name in files:
        assert name in msg
    assert str(tmp_path / "train-images-idx3-ubyte.gz") in msg


# --------------------------------------------------------------------------
# downloads: checksums, atomicity, mirrors, offline
# --------------------------------------------------------------------------

@pytest.mark.parametrize("damage", ["corrupt", "truncated"])
def test_bad_download_raises_checksum_error_and_leaves_no_file(monkeypatch, web, tmp_path, cifar, damage):
    archive, _ = cifar
    register(monkeypatch, CIFAR, archive, [M1, M2])
    bad = (archive[:100] + bytes([archive[100] ^ 1]) + archive[101:]
           if damage == "corrupt" else archive[: len(archive) // 2])
    web.pages[M1] = bad
    web.pages[M2] = bad
    with pytest.raises(data.ChecksumError) as info:
        data.load_cifar10(root=tmp_path)
    msg = str(info.value)
    assert "Checksum mismatch" in msg and CIFAR in msg
    assert sha256(archive) in msg and sha256(bad) in msg
    assert files_in(tmp_path) == []  # neither the temp file nor the final one
    assert web.calls == [M1, M2]


def test_corrupt_first_mirror_falls_back_to_a_good_second(monkeypatch, web, tmp_path, cifar):
    archive, _ = cifar
    register(monkeypatch, CIFAR, archive, [M1, M2])
    web.pages[M1] = b"<html>503 Service Unavailable</html>"
    web.pages[M2] = archive
    path = data.fetch(CIFAR, root=tmp_path)
    assert path == tmp_path / CIFAR and path.read_bytes() == archive
    assert files_in(tmp_path) == [CIFAR]


def test_unreachable_first_mirror_falls_back_to_the_second(monkeypatch, web, tmp_path, cifar):
    archive, _ = cifar
    register(monkeypatch, CIFAR, archive, [M1, M2])
    web.pages[M1] = urllib.error.HTTPError(M1, 403, "Forbidden", {}, None)
    web.pages[M2] = archive
    X_train, *_ = data.load_cifar10(root=tmp_path)
    assert web.calls == [M1, M2]
    assert X_train.shape == (15, 32, 32, 3)
    assert files_in(tmp_path) == [CIFAR]


def test_connection_dropped_mid_download_tries_next_mirror_and_cleans_up(monkeypatch, web, tmp_path, cifar):
    archive, _ = cifar
    register(monkeypatch, CIFAR, archive, [M1, M2])

    class Dropping(io.BytesIO):
        def read(self, n=-1):
            if self.tell() > 0:
                raise ConnectionResetError("Connection reset by peer")
            return super().read(100)

    web.pages[M1] = lambda: Dropping(archive)
    with pytest.raises(data.DownloadError, match="ConnectionResetError after 100 bytes"):
        data.fetch(CIFAR, root=tmp_path)
    assert files_in(tmp_path) == []
    web.pages[M2] = archive
    assert data.fetch(CIFAR, root=tmp_path).read_bytes() == archive


def test_unexpected_error_during_download_still_leaves_no_file(monkeypatch, web, tmp_path, cifar):
    archive, _ = cifar
    register(monkeypatch, CIFAR, archive, [M1])

    class Broken(io.BytesIO):
        def read(self, n=-1):
            raise RuntimeError("boom")

    web.pages[M1] = lambda: Broken(archive)
    with pytest.raises(RuntimeError, match="boom"):
        data.fetch(CIFAR, root=tmp_path)
    assert files_in(tmp_path) == []


def test_all_mirrors_down_tells_the_user_what_to_download_and_where(monkeypatch, web, tmp_path, cifar):
    archive, _ = cifar
    register(monkeypatch, CIFAR, archive, [M1, M2])
    folder = tmp_path / "not-yet-created"
    with pytest.raises(data.DownloadError) as info:
        data.load_cifar10(root=folder)
    msg = str(info.value)
    assert web.calls == [M1, M2]
    assert CIFAR in msg and M1 in msg and M2 in msg
    assert str(folder / CIFAR) in msg  # the full path to put it at
    assert data.ENV_VAR in msg and sha256(archive) in msg
    assert "offline" in msg
    assert files_in(folder) == []


def test_download_false_with_missing_file_says_where_to_put_it(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        data.load_cifar10(root=tmp_path, download=False)
    assert str(tmp_path / CIFAR) in str(info.value)
    assert data.MIRRORS[CIFAR][0] in str(info.value)


def test_file_placed_by_hand_is_used_without_network(monkeypatch, tmp_path, cifar):
    # the autouse fixture makes any network use fail the test
    archive, batches = cifar
    register(monkeypatch, CIFAR, archive, [M1])
    (tmp_path / CIFAR).write_bytes(archive)
    X_train, y_train, X_test, y_test = data.load_cifar10(root=tmp_path)
    np.testing.assert_array_equal(y_test, batches["test_batch"][1])


def test_corrupt_cached_file_is_reported_not_deleted(monkeypatch, tmp_path, cifar):
    archive, _ = cifar
    register(monkeypatch, CIFAR, archive, [M1])
    truncated = archive[:1000]
    (tmp_path / CIFAR).write_bytes(truncated)
    with pytest.raises(data.ChecksumError) as info:
        data.load_cifar10(root=tmp_path)
    msg = str(info.value)
    assert str(tmp_path / CIFAR) in msg and "Delete it" in msg
    assert sha256(archive) in msg and sha256(truncated) in msg
    assert (tmp_path / CIFAR).read_bytes() == truncated  # the user's file stays


def test_cached_file_is_rechecked_after_it_changes(monkeypatch, tmp_path, cifar):
    archive, _ = cifar
    register(monkeypatch, CIFAR, archive, [M1])
    (tmp_path / CIFAR).write_bytes(archive)
    data.fetch(CIFAR, root=tmp_path)
    (tmp_path / CIFAR).write_bytes(archive[:-10])
    with pytest.raises(data.ChecksumError):
        data.fetch(CIFAR, root=tmp_path)


def test_unknown_file_name_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="Unknown dataset file"):
        data.fetch("cifar-100-python.tar.gz", root=tmp_path)


# --------------------------------------------------------------------------
# which folder
# --------------------------------------------------------------------------

def test_env_var_overrides_the_cache_folder(monkeypatch, tmp_path, mnist):
    files, arrays = mnist
    folder = tmp_path / "from-env"
    folder.mkdir()
    for name, content in files.items():
        register(monkeypatch, name, content, ["https://x.test/" + name])
        (folder / name).write_bytes(content)
    monkeypatch.setenv(data.ENV_VAR, str(folder))
    assert data.data_dir() == folder.resolve()
    X_train, *_ = data.load_mnist()  # no root: found through the variable
    np.testing.assert_array_equal(X_train, arrays["train"][0])
    # an explicit root still wins over the variable
    assert data.data_dir(tmp_path / "other") == (tmp_path / "other").resolve()


def test_default_folder_is_the_repo_data_folder():
    assert data.data_dir() == REPO / "data"


def test_default_folder_falls_back_to_home_cache(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "_REPO_DATA", tmp_path / "site-packages" / "data")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data.data_dir() == (tmp_path / ".cache" / "dl-course").resolve()


# --------------------------------------------------------------------------
# embedded datasets
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mnist1d_first_load():
    """Generate MNIST-1D afresh, recording the global RNG around it."""
    data._mnist1d_cached.cache_clear()
    np.random.seed(123)
    d = data.load_mnist1d()
    after = np.random.rand()
    return d, after


def test_load_mnist1d_shapes_and_dtypes(mnist1d_first_load):
    d, _ = mnist1d_first_load
    assert d["X_train"].shape == (4000, 40) and d["X_train"].dtype == np.float64
    assert d["y_train"].shape == (4000,) and d["y_train"].dtype == np.int64
    assert d["X_test"].shape == (1000, 40) and d["X_test"].dtype == np.float64
    assert d["y_test"].shape == (1000,) and d["y_test"].dtype == np.int64
    assert d["t"].shape == (40,)
    assert set(np.unique(d["y_train"])) == set(range(10))


def test_load_mnist1d_one_nearest_neighbour_accuracy(mnist1d_first_load):
    from sklearn.neighbors import KNeighborsClassifier

    d, _ = mnist1d_first_load
    acc = KNeighborsClassifier(1).fit(d["X_train"], d["y_train"]).score(d["X_test"], d["y_test"])
    assert acc == pytest.approx(0.567, abs=1e-9)


def test_load_mnist1d_returns_copies_and_leaves_global_rng_alone(mnist1d_first_load):
    d, after = mnist1d_first_load
    np.random.seed(123)
    assert after == np.random.rand()  # generation did not reseed numpy's global RNG
    first = d["X_train"][0, 0]
    d["X_train"][:] = 0
    d["y_test"][:] = -1
    again = data.load_mnist1d()
    assert again["X_train"][0, 0] == first and again["y_test"].min() == 0
    again["X_train"][0, 0] = 99.0  # fresh arrays are writable


def test_load_digits_split_sizes_values_and_stratification():
    from sklearn.datasets import load_digits as sk

    d = data.load_digits()
    sizes = {p: len(d[f"y_{p}"]) for p in ("train", "val", "test")}
    assert sizes == {"train": 1197, "val": 300, "test": 300}
    all_y = sk().target
    counts = np.bincount(all_y, minlength=10)
    total = np.zeros(10, int)
    for part, n in sizes.items():
        X, y, images = d[f"X_{part}"], d[f"y_{part}"], d[f"images_{part}"]
        assert X.shape == (n, 64) and X.dtype == np.float64
        assert y.dtype == np.int64 and images.shape == (n, 8, 8)
        assert X.min() >= 0 and X.max() <= 1 and X.max() == 1
        np.testing.assert_array_equal(images.reshape(n, 64), X)
        part_counts = np.bincount(y, minlength=10)
        total += part_counts
        # stratified: each class within one image of its share of the part
        assert np.all(np.abs(part_counts - counts * n / len(all_y)) <= 1), part
    np.testing.assert_array_equal(total, counts)  # nothing lost or duplicated


def test_load_digits_is_seeded():
    a, b, c = data.load_digits(seed=0), data.load_digits(seed=0), data.load_digits(seed=1)
    np.testing.assert_array_equal(a["X_test"], b["X_test"])
    assert not np.array_equal(a["X_test"], c["X_test"])
    assert len(data.load_digits(n_val=0)["y_val"]) == 0
    for kwargs in ({"n_test": 5}, {"n_val": 3}, {"n_val": 900, "n_test": 900}, {"n_val": 1.5}):
        with pytest.raises(ValueError):
            data.load_digits(**kwargs)


def test_make_moons():
    X, y = data.make_moons(n_samples=50, noise=0.1, seed=3)
    assert X.shape == (50, 2) and X.dtype == np.float64
    assert y.shape == (50,) and y.dtype == np.int64 and set(y) == {0, 1}
    X2, _ = data.make_moons(n_samples=50, noise=0.1, seed=3)
    np.testing.assert_array_equal(X, X2)
    with pytest.raises(ValueError, match="n_samples"):
        data.make_moons(n_samples=1)
    with pytest.raises(ValueError, match="noise"):
        data.make_moons(noise=-0.1)


# --------------------------------------------------------------------------
# preprocessing
# --------------------------------------------------------------------------

def test_train_val_split():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    X_tr, y_tr, X_val, y_val = data.train_val_split(X, y, n_val=3, seed=0)
    assert X_tr.shape == (7, 2) and X_val.shape == (3, 2)
    assert sorted(np.concatenate([y_tr, y_val])) == list(range(10))
    np.testing.assert_array_equal(X_tr[:, 0] // 2, y_tr)  # rows stay with their labels
    again = data.train_val_split(X, y, n_val=3, seed=0)
    np.testing.assert_array_equal(again[3], y_val)
    for bad in (10, -1, 2.0):
        with pytest.raises(ValueError, match="n_val"):
            data.train_val_split(X, y, n_val=bad)
    with pytest.raises(ValueError, match="one row per label"):
        data.train_val_split(X, y[:5], n_val=1)


def test_standardize_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    train = rng.normal(5, 3, size=(100, 4))
    train[:, 3] = 7.0  # a constant feature
    test = rng.normal(5, 3, size=(10, 4))
    train_copy, test_copy = train.copy(), test.copy()
    tr, te = data.standardize(train, test)
    np.testing.assert_allclose(tr[:, :3].mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(tr[:, :3].std(0), 1, atol=1e-12)
    assert np.all(tr[:, 3] == 0) and np.all(np.isfinite(te))
    np.testing.assert_allclose(te[:, 0], (test[:, 0] - train[:, 0].mean()) / train[:, 0].std())
    np.testing.assert_array_equal(train, train_copy)
    np.testing.assert_array_equal(test, test_copy)
    alone = data.standardize(train)
    assert isinstance(alone, np.ndarray)
    with pytest.raises(ValueError, match="shape"):
        data.standardize(train, test[:, :3])


def test_subtract_mean_image():
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, size=(20, 4, 4, 3)).astype(np.uint8)
    val = rng.integers(0, 256, size=(5, 4, 4, 3)).astype(np.uint8)
    tr, va, mean = data.subtract_mean_image(train, val, return_mean=True)
    assert mean.shape == (4, 4, 3) and tr.dtype == np.float64
    np.testing.assert_allclose(mean, train.mean(0))
    np.testing.assert_allclose(va, val - train.mean(0))
    np.testing.assert_allclose(tr.mean(0), 0, atol=1e-12)
    assert isinstance(data.subtract_mean_image(train), np.ndarray)
    with pytest.raises(ValueError, match="shape"):
        data.subtract_mean_image(train, val[:, :2])


def test_real_urllib_opener_on_local_file_urls(monkeypatch, tmp_path, cifar):
    """The default opener (urllib, with its User-Agent) on file:// URLs: no network."""
    archive, _ = cifar
    served = tmp_path / "served"
    served.mkdir()
    (served / CIFAR).write_bytes(archive)
    missing = (served / "missing" / CIFAR).as_uri()
    register(monkeypatch, CIFAR, archive, [missing, (served / CIFAR).as_uri()])
    monkeypatch.setattr(data, "_urlopen", data._default_urlopen)
    cache = tmp_path / "cache"
    assert data.fetch(CIFAR, root=cache).read_bytes() == archive
    assert files_in(cache) == [CIFAR]


def test_mnist1d_cache_holds_exactly_the_generated_set(tmp_path, monkeypatch):
    from helpers import data

    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    made = data._make_mnist1d()
    data._mnist1d_cached.cache_clear()
    try:
        first = data.load_mnist1d()  # generates and saves
        assert (tmp_path / data.MNIST1D_CACHE).exists()
        data._mnist1d_cached.cache_clear()
        again = data.load_mnist1d()  # reads the file back
        (tmp_path / data.MNIST1D_CACHE).write_bytes(b"not a zip")  # a spoiled cache is made again
        data._mnist1d_cached.cache_clear()
        spoiled = data.load_mnist1d()
    finally:
        data._mnist1d_cached.cache_clear()
    for k in made:
        assert np.array_equal(first[k], made[k]) and np.array_equal(again[k], made[k])
        assert np.array_equal(spoiled[k], made[k]) and again[k].dtype == made[k].dtype

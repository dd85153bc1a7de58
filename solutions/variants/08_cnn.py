"""Typical mistakes and alternative answers for notebook 08 (convolutional layers).

Each Mistake must lose exactly the test cells it names; each Alternative must
keep full marks.
"""
from grader.variants import Alternative, Mistake

SIZE, SIZE_BAD = "test_conv_output_size", "test_conv_output_size_invalid"
COUNT, COUNT_MORE = "test_conv_param_count", "test_conv_param_count_more"
FWD, FWD_MORE = "test_conv_forward_naive", "test_conv_forward_naive_more"
BWD, BWD_STRIDE, BWD_NUM = ("test_conv_backward_naive", "test_conv_backward_naive_stride",
                            "test_conv_backward_naive_numerical")
PF, PF_MORE = "test_max_pool_forward_naive", "test_max_pool_forward_naive_more"
PB, PB_OVERLAP = "test_max_pool_backward_naive", "test_max_pool_backward_naive_overlap"
IM2COL, FAST, FAST_LOOPS = ("test_conv_forward_fast_im2col", "test_conv_forward_fast",
                            "test_conv_forward_fast_no_loops")
TRAIN = "test_train_convnet"

_WINDOW = "window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]"
_OUT = "out[n, f, i, j] = np.sum(window * w[f]) + b[f]"
_PAD = "xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))"
_ROWS = """rows = slice(i * stride, i * stride + HH)
                    cols = slice(j * stride, j * stride + WW)"""
_POOL_ROUTE = "dx[n, c, i * S + di, j * S + dj] += dout[n, c, i, j]"
_COLS_FILL = "cols[:, :, di, dj] = xp[:, :, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride]"
_MATMUL = "out = w.reshape(F, -1) @ cols + b[:, None]         # (N, F, H_out*W_out)"

VARIANTS = [
    # ---- output size -----------------------------------------------------------
    Mistake("size_pad_once", "conv_output_size",
            "span = H + 2 * pad", "span = H + pad", loses=SIZE),
    Mistake("size_no_checks", "conv_output_size", source='''\
def conv_output_size(H, HH, stride=1, pad=0):
    return (H + 2 * pad - HH) // stride + 1
''', loses=SIZE_BAD),
    Mistake("size_true_division", "conv_output_size",
            "return (span - HH) // stride + 1", "return (span - HH) / stride + 1.5", loses=SIZE),
    Alternative("size_one_line_checks", "conv_output_size", source='''\
def conv_output_size(H, HH, stride=1, pad=0):
    q, r = divmod(H + 2 * pad - HH, stride)
    if q < 0 or r:
        raise ValueError("impossible: the kernel does not fit or the stride does not divide")
    return q + 1
'''),

    # ---- parameter count ---------------------------------------------------------
    Mistake("count_forgets_bias", "conv_param_count",
            "count = F * (C * HH * WW + 1)", "count = F * C * HH * WW", loses=(COUNT, COUNT_MORE)),
    Mistake("count_square_kernel", "conv_param_count",
            "count = F * (C * HH * WW + 1)", "count = F * (C * HH * HH + 1)", loses=COUNT_MORE),
    Alternative("count_sum_of_parts", "conv_param_count",
                old="count = F * (C * HH * WW + 1)", new="count = F * C * HH * WW + F"),

    # ---- conv forward --------------------------------------------------------------
    Mistake("forward_flipped_kernel", "conv_forward_naive",
            _OUT, "out[n, f, i, j] = np.sum(window * w[f, :, ::-1, ::-1]) + b[f]", loses=(FWD, FWD_MORE)),
    Mistake("forward_forgets_bias", "conv_forward_naive",
            _OUT, "out[n, f, i, j] = np.sum(window * w[f])", loses=(FWD, FWD_MORE)),
    Mistake("forward_pads_once", "conv_forward_naive",
            _PAD, "xp = np.pad(x, ((0, 0), (0, 0), (pad, 0), (pad, 0)))", loses=(FWD, FWD_MORE)),
    Alternative("forward_einsum", "conv_forward_naive",
                old=_OUT, new="out[n, f, i, j] = np.einsum('chw,chw->', window, w[f]) + b[f]"),
    Alternative("forward_tensordot", "conv_forward_naive",
                old=_OUT, new="out[n, f, i, j] = np.tensordot(window, w[f], axes=3) + b[f]"),
    Alternative("forward_manual_padding", "conv_forward_naive", old=_PAD, new="""\
xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    xp[:, :, pad:pad + H, pad:pad + W] = x"""),
    Alternative("forward_all_filters_at_once", "conv_forward_naive", old="""\
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]""", new="""\
    for i in range(H_out):
        for j in range(W_out):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b"""),

    # ---- conv backward -------------------------------------------------------------
    Mistake("backward_forgets_padding_crop", "conv_backward_naive",
            "dx = dxp[:, :, pad:pad + H, pad:pad + W]", "dx = dxp", loses=(BWD, BWD_STRIDE)),
    Mistake("backward_ignores_stride", "conv_backward_naive", _ROWS, """rows = slice(i, i + HH)
                    cols = slice(j, j + WW)""", loses=BWD_STRIDE),
    Mistake("backward_bias_not_summed_over_positions", "conv_backward_naive",
            "db = dout.sum(axis=(0, 2, 3))", "db = dout[:, :, 0, 0].sum(axis=0)",
            loses=(BWD, BWD_STRIDE, BWD_NUM)),
    Mistake("backward_dw_from_unpadded_input", "conv_backward_naive",
            "dw[f] += dout[n, f, i, j] * xp[n, :, rows, cols]",
            "dw[f] += dout[n, f, i, j] * np.pad(x, ((0, 0), (0, 0), (0, 2 * pad), (0, 2 * pad)))[n, :, rows, cols]",
            loses=(BWD, BWD_STRIDE)),
    Mistake("backward_flipped_kernel", "conv_backward_naive",
            "dxp[n, :, rows, cols] += dout[n, f, i, j] * w[f]",
            "dxp[n, :, rows, cols] += dout[n, f, i, j] * w[f, :, ::-1, ::-1]",
            loses=(BWD, BWD_STRIDE, BWD_NUM)),
    Alternative("backward_einsum_per_position", "conv_backward_naive", old="""\
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    rows = slice(i * stride, i * stride + HH)
                    cols = slice(j * stride, j * stride + WW)
                    dxp[n, :, rows, cols] += dout[n, f, i, j] * w[f]
                    dw[f] += dout[n, f, i, j] * xp[n, :, rows, cols]""", new="""\
    for i in range(H_out):
        for j in range(W_out):
            rows = slice(i * stride, i * stride + HH)
            cols = slice(j * stride, j * stride + WW)
            dxp[:, :, rows, cols] += np.einsum('nf,fchw->nchw', dout[:, :, i, j], w)
            dw += np.einsum('nf,nchw->fchw', dout[:, :, i, j], xp[:, :, rows, cols])"""),
    Alternative("backward_manual_padding", "conv_backward_naive", old=_PAD, new="""\
xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    xp[:, :, pad:pad + H, pad:pad + W] = x"""),
    Alternative("backward_db_two_sums", "conv_backward_naive",
                old="db = dout.sum(axis=(0, 2, 3))", new="db = np.sum(np.sum(dout, axis=(2, 3)), axis=0)"),

    # ---- max pooling forward ---------------------------------------------------------
    Mistake("pool_forward_fixed_2x2", "max_pool_forward_naive",
            "x[:, :, i * S:i * S + PH, j * S:j * S + PW]", "x[:, :, i * 2:i * 2 + 2, j * 2:j * 2 + 2]",
            loses=PF_MORE),
    Mistake("pool_forward_average", "max_pool_forward_naive",
            ".max(axis=(2, 3))", ".mean(axis=(2, 3))", loses=(PF, PF_MORE)),
    Alternative("pool_forward_four_loops", "max_pool_forward_naive", old="""\
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = x[:, :, i * S:i * S + PH, j * S:j * S + PW].max(axis=(2, 3))""", new="""\
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    out[n, c, i, j] = np.max(x[n, c, i * S:i * S + PH, j * S:j * S + PW])"""),

    # ---- max pooling backward --------------------------------------------------------
    Mistake("pool_backward_to_every_element", "max_pool_backward_naive", _POOL_ROUTE,
            "dx[n, c, i * S:i * S + PH, j * S:j * S + PW] += dout[n, c, i, j]", loses=(PB, PB_OVERLAP)),
    Mistake("pool_backward_overwrites_overlaps", "max_pool_backward_naive", _POOL_ROUTE,
            "dx[n, c, i * S + di, j * S + dj] = dout[n, c, i, j]", loses=PB_OVERLAP),
    Mistake("pool_backward_spreads_evenly", "max_pool_backward_naive", _POOL_ROUTE,
            "dx[n, c, i * S:i * S + PH, j * S:j * S + PW] += dout[n, c, i, j] / (PH * PW)",
            loses=(PB, PB_OVERLAP)),
    Alternative("pool_backward_mask", "max_pool_backward_naive", old="""\
                    di, dj = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * S + di, j * S + dj] += dout[n, c, i, j]""", new="""\
                    mask = window == window.max()
                    dx[n, c, i * S:i * S + PH, j * S:j * S + PW] += mask * dout[n, c, i, j]"""),

    # ---- im2col / fast forward ------------------------------------------------------
    Mistake("im2col_ignores_stride", "conv_forward_fast", _COLS_FILL,
            "cols[:, :, di, dj] = xp[:, :, di:di + H_out, dj:dj + W_out]", loses=(IM2COL, FAST)),
    Mistake("im2col_positions_first", "conv_forward_fast",
            "cols = cols.reshape(N, C * HH * WW, H_out * W_out)",
            "cols = cols.reshape(N, H_out * W_out, C * HH * WW).transpose(0, 2, 1)", loses=(IM2COL, FAST, FAST_LOOPS)),
    Mistake("fast_forgets_bias", "conv_forward_fast", _MATMUL, "out = w.reshape(F, -1) @ cols",
            loses=(FAST, FAST_LOOPS)),
    Mistake("fast_loops_over_images", "conv_forward_fast", _MATMUL, """\
out = np.stack([w.reshape(F, -1) @ cols[n] + b[:, None] for n in range(N)])""", loses=FAST_LOOPS),
    Alternative("im2col_sliding_window_view", "conv_forward_fast", old="""\
    cols = np.zeros((N, C, HH, WW, H_out, W_out))
    for di in range(HH):
        for dj in range(WW):
            cols[:, :, di, dj] = xp[:, :, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride]
    cols = cols.reshape(N, C * HH * WW, H_out * W_out)""", new="""\
    windows = np.lib.stride_tricks.sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * HH * WW, H_out * W_out)"""),
    Alternative("fast_einsum", "conv_forward_fast", old=_MATMUL,
                new="out = np.einsum('fk,nkl->nfl', w.reshape(F, -1), cols) + b[:, None]"),
    Alternative("fast_tensordot", "conv_forward_fast", old=_MATMUL,
                new="out = np.tensordot(cols, w.reshape(F, -1), axes=([1], [1])).transpose(0, 2, 1) + b[:, None]"),

    # ---- training ---------------------------------------------------------------------
    Mistake("train_lr_too_large", "train_convnet", "Adam(lr=1e-2)", "Adam(lr=1.0)", loses=TRAIN),
    Mistake("train_two_epochs", "train_convnet", "num_epochs=10", "num_epochs=1", loses=TRAIN),
]

DEMO_MISTAKE = "pool_backward_to_every_element"

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
COL2IM, BFAST, BFAST_LOOPS = ("test_conv_backward_fast_col2im", "test_conv_backward_fast",
                              "test_conv_backward_fast_no_loops")
PFAST, PFAST_MORE, PBFAST = ("test_max_pool_forward_fast", "test_max_pool_forward_fast_more",
                             "test_max_pool_backward_fast")
POOL_TIES, POOL_LOOPS = "test_max_pool_backward_fast_ties", "test_max_pool_fast_no_loops"
TRAIN = "test_train_convnet"
CNN_INIT, CNN_SCORES, CNN_LOSS, CNN_REG, CNN_MORE = (
    "test_SmallConvNet_init", "test_SmallConvNet_scores", "test_SmallConvNet_loss", "test_SmallConvNet_reg",
    "test_SmallConvNet_more")
CNN_ALL = (CNN_INIT, CNN_SCORES, CNN_LOSS, CNN_REG, CNN_MORE)
OVERFIT, DIGITS = "test_overfit_small", "test_train_digits"
SBN_F, SBN_F_TEST, SBN_B = ("test_spatial_batchnorm_forward", "test_spatial_batchnorm_forward_test_mode",
                            "test_spatial_batchnorm_backward")
GN_F, GN_F_MORE, GN_B, GN_B_MORE = ("test_groupnorm_forward", "test_groupnorm_forward_more",
                                    "test_groupnorm_backward", "test_groupnorm_backward_more")
_CNN_REG_LOSS = 'loss = data_loss + self.reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2) + np.sum(p["W3"] ** 2))'
_CNN_INIT_BODY = """\
        C, H, W = self.input_dim
        self.params = {
            "W1": weight_scale * rng.standard_normal((num_filters, C, filter_size, filter_size)),
            "b1": np.zeros(num_filters),
            "W2": weight_scale * rng.standard_normal((num_filters * (H // 2) * (W // 2), hidden_dim)),
            "b2": np.zeros(hidden_dim),
            "W3": weight_scale * rng.standard_normal((hidden_dim, num_classes)),
            "b3": np.zeros(num_classes),
        }"""
_CNN_LOSS_BODY = """\
        p = self.params
        X = np.reshape(X, (len(X), *self.input_dim))
        a1, conv_cache = conv_forward(X, p["W1"], p["b1"], conv_param)
        r1, relu_cache = relu_forward(a1)
        h1, pool_cache = pool_forward(r1, pool_param)
        h2, hidden_cache = affine_relu_forward(h1, p["W2"], p["b2"])
        scores, scores_cache = affine_forward(h2, p["W3"], p["b3"])
        if y is None:
            return scores

        data_loss, dscores = softmax_loss(scores, y)
        loss = data_loss + self.reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2) + np.sum(p["W3"] ** 2))
        grads = {}
        dh2, grads["W3"], grads["b3"] = affine_backward(dscores, scores_cache)
        dh1, grads["W2"], grads["b2"] = affine_relu_backward(dh2, hidden_cache)
        dr1 = pool_backward(dh1, pool_cache)
        da1 = relu_backward(dr1, relu_cache)
        _, grads["W1"], grads["b1"] = conv_backward(da1, conv_cache)
        for k in ("W1", "W2", "W3"):
            grads[k] = grads[k] + 2 * self.reg * p[k]
        return loss, grads"""
_GN_BODY = """\
    groups = x.reshape(N, G, -1)
    mean, var = groups.mean(axis=2), groups.var(axis=2)
    x_hat = ((groups - mean[:, :, None]) / np.sqrt(var[:, :, None] + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)"""

_WINDOW = "window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]"
_OUT = "out[n, f, i, j] = np.sum(window * w[f]) + b[f]"
_PAD = "xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))"
_ROWS = """rows = slice(i * stride, i * stride + HH)
                    cols = slice(j * stride, j * stride + WW)"""
_POOL_ROUTE = "dx[n, c, i * S + di, j * S + dj] += dout[n, c, i, j]"
_COLS_FILL = "cols[:, :, di, dj] = xp[:, :, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride]"
_MATMUL = "out = w.reshape(F, -1) @ cols + b[:, None]         # (N, F, H_out*W_out)"
_COL2IM_ADD = "xp[:, :, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride] += cols6[:, :, di, dj]"
_IM2COL_CALL = "cols = conv.im2col(x, HH, WW, stride, pad)"
_DW = "dw = (dout2 @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)"
_POOL_FAST_FWD = "out = x.reshape(N, C, H_out, PH, W_out, PW).max(axis=(3, 5))"
_POOL_ONEHOT = "onehot = np.arange(PH * PW) == first[..., None]              # (N, C, H_out, W_out, PH*PW)"
_POOL_BWD = """\
    windows = x.reshape(N, C, H_out, PH, W_out, PW).transpose(0, 1, 2, 4, 3, 5).reshape(
        N, C, H_out, W_out, PH * PW)
    first = windows.argmax(axis=-1)                              # (N, C, H_out, W_out)
    onehot = np.arange(PH * PW) == first[..., None]              # (N, C, H_out, W_out, PH*PW)
    dwindows = onehot * dout[..., None]
    dx = dwindows.reshape(N, C, H_out, W_out, PH, PW).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H, W)"""

VARIANTS = [
    # ---- output size -----------------------------------------------------------
    Mistake("size_pad_once", "conv_output_size",
            "span = H + 2 * pad", "span = H + pad", loses=SIZE, why="add the padding once instead of on both sides"),
    Mistake("size_no_checks", "conv_output_size", source='''\
def conv_output_size(H, HH, stride=1, pad=0):
    return (H + 2 * pad - HH) // stride + 1
''', loses=SIZE_BAD, why="compute the size without raising ValueError for impossible configurations"),
    Mistake("size_true_division", "conv_output_size",
            "return (span - HH) // stride + 1", "return (span - HH) / stride + 1.5", loses=SIZE,
            why="divide with / instead of //, getting a float instead of an int"),
    Alternative("size_one_line_checks", "conv_output_size", source='''\
def conv_output_size(H, HH, stride=1, pad=0):
    q, r = divmod(H + 2 * pad - HH, stride)
    if q < 0 or r:
        raise ValueError("impossible: the kernel does not fit or the stride does not divide")
    return q + 1
'''),

    # ---- parameter count ---------------------------------------------------------
    Mistake("count_forgets_bias", "conv_param_count",
            "count = F * (C * HH * WW + 1)", "count = F * C * HH * WW", loses=(COUNT, COUNT_MORE),
            why="forget the one bias per filter in the parameter count"),
    Mistake("count_square_kernel", "conv_param_count",
            "count = F * (C * HH * WW + 1)", "count = F * (C * HH * HH + 1)", loses=COUNT_MORE,
            why="use HH twice, as if every kernel were square"),
    Alternative("count_sum_of_parts", "conv_param_count",
                old="count = F * (C * HH * WW + 1)", new="count = F * C * HH * WW + F"),

    # ---- conv forward --------------------------------------------------------------
    Mistake("forward_flipped_kernel", "conv_forward_naive",
            _OUT, "out[n, f, i, j] = np.sum(window * w[f, :, ::-1, ::-1]) + b[f]", loses=(FWD, FWD_MORE),
            why="flip the filter as in a mathematical convolution; conv layers cross-correlate"),
    Mistake("forward_forgets_bias", "conv_forward_naive",
            _OUT, "out[n, f, i, j] = np.sum(window * w[f])", loses=(FWD, FWD_MORE),
            why="forget to add each filter's bias to its outputs"),
    Mistake("forward_pads_once", "conv_forward_naive",
            _PAD, "xp = np.pad(x, ((0, 0), (0, 0), (pad, 0), (pad, 0)))", loses=(FWD, FWD_MORE),
            why="pad only the top and left of the input instead of both sides"),
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
            "dx = dxp[:, :, pad:pad + H, pad:pad + W]", "dx = dxp", loses=(BWD, BWD_STRIDE),
            why="return the gradient of the padded input without cropping the padding"),
    Mistake("backward_ignores_stride", "conv_backward_naive", _ROWS, """rows = slice(i, i + HH)
                    cols = slice(j, j + WW)""", loses=BWD_STRIDE,
            why="start window (i, j) at i, j instead of i * stride, j * stride in backward"),
    Mistake("backward_bias_not_summed_over_positions", "conv_backward_naive",
            "db = dout.sum(axis=(0, 2, 3))", "db = dout[:, :, 0, 0].sum(axis=0)",
            loses=(BWD, BWD_STRIDE, BWD_NUM), why="sum db over the images only, not over every output position"),
    Mistake("backward_dw_from_unpadded_input", "conv_backward_naive",
            "dw[f] += dout[n, f, i, j] * xp[n, :, rows, cols]",
            "dw[f] += dout[n, f, i, j] * np.pad(x, ((0, 0), (0, 0), (0, 2 * pad), (0, 2 * pad)))[n, :, rows, cols]",
            loses=(BWD, BWD_STRIDE), why="take dw's windows from the unpadded input instead of the padded one"),
    Mistake("backward_flipped_kernel", "conv_backward_naive",
            "dxp[n, :, rows, cols] += dout[n, f, i, j] * w[f]",
            "dxp[n, :, rows, cols] += dout[n, f, i, j] * w[f, :, ::-1, ::-1]",
            loses=(BWD, BWD_STRIDE, BWD_NUM), why="flip the filter when sending the gradient back to the input"),
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
            loses=PF_MORE, why="hard-code 2x2 windows with stride 2 instead of reading pool_param"),
    Mistake("pool_forward_average", "max_pool_forward_naive",
            ".max(axis=(2, 3))", ".mean(axis=(2, 3))", loses=(PF, PF_MORE),
            why="average each window instead of taking its maximum"),
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
            "dx[n, c, i * S:i * S + PH, j * S:j * S + PW] += dout[n, c, i, j]", loses=(PB, PB_OVERLAP),
            why="send the gradient to every element of the window, not just its maximum"),
    Mistake("pool_backward_overwrites_overlaps", "max_pool_backward_naive", _POOL_ROUTE,
            "dx[n, c, i * S + di, j * S + dj] = dout[n, c, i, j]", loses=PB_OVERLAP,
            why="assign with = where overlapping windows must add their gradients"),
    Mistake("pool_backward_spreads_evenly", "max_pool_backward_naive", _POOL_ROUTE,
            "dx[n, c, i * S:i * S + PH, j * S:j * S + PW] += dout[n, c, i, j] / (PH * PW)",
            loses=(PB, PB_OVERLAP), why="spread the gradient evenly over the window, as average pooling would"),
    Alternative("pool_backward_mask", "max_pool_backward_naive", old="""\
                    di, dj = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * S + di, j * S + dj] += dout[n, c, i, j]""", new="""\
                    mask = window == window.max()
                    dx[n, c, i * S:i * S + PH, j * S:j * S + PW] += mask * dout[n, c, i, j]"""),

    # ---- im2col / fast forward ------------------------------------------------------
    Mistake("im2col_ignores_stride", "conv_forward_fast", _COLS_FILL,
            "cols[:, :, di, dj] = xp[:, :, di:di + H_out, dj:dj + W_out]", loses=(IM2COL, FAST),
            why="take every position in im2col instead of stepping by the stride"),
    Mistake("im2col_positions_first", "conv_forward_fast",
            "cols = cols.reshape(N, C * HH * WW, H_out * W_out)",
            "cols = cols.reshape(N, H_out * W_out, C * HH * WW).transpose(0, 2, 1)", loses=(IM2COL, FAST, FAST_LOOPS),
            why="reshape cols as if positions came first, scrambling the (c, di, dj) row order"),
    Mistake("fast_forgets_bias", "conv_forward_fast", _MATMUL, "out = w.reshape(F, -1) @ cols",
            loses=(FAST, FAST_LOOPS), why="forget to add the biases after the matrix product"),
    Mistake("fast_loops_over_images", "conv_forward_fast", _MATMUL, """\
out = np.stack([w.reshape(F, -1) @ cols[n] + b[:, None] for n in range(N)])""", loses=FAST_LOOPS,
            why="loop over the images in Python around the matrix product"),
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

    # ---- calling PyTorch in the NumPy exercises (0 points for the exercise) ---------------
    Mistake("size_torch_conv2d", "conv_output_size", source='''\
def conv_output_size(H, HH, stride=1, pad=0):
    import torch
    out = torch.nn.functional.conv2d(torch.zeros(1, 1, H, 1), torch.zeros(1, 1, HH, 1), stride=stride,
                                     padding=(pad, 0))
    return out.shape[2]
''', loses=(SIZE, SIZE_BAD), why="let PyTorch's conv2d compute the size inside a NumPy exercise"),
    Mistake("forward_torch_conv2d", "conv_forward_naive", _PAD, """\
import torch
    return torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=stride,
                                      padding=pad).numpy(), (x, w, b, conv_param)""", loses=(FWD, FWD_MORE),
            why="call PyTorch's conv2d inside a NumPy exercise"),
    Mistake("backward_torch_autograd", "conv_backward_naive", _PAD, """\
import torch
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=pad).backward(torch.tensor(dout))
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()""", loses=(BWD, BWD_STRIDE, BWD_NUM),
            why="let PyTorch's autograd compute the convolution's gradients"),
    Mistake("pool_forward_torch", "max_pool_forward_naive", "out = np.zeros((N, C, H_out, W_out))", """\
import torch
    return torch.nn.functional.max_pool2d(torch.tensor(x), (PH, PW), S).numpy(), (x, pool_param)""",
            loses=(PF, PF_MORE), why="call PyTorch's max_pool2d inside a NumPy exercise"),
    Mistake("pool_backward_torch_autograd", "max_pool_backward_naive", "dx = np.zeros_like(x)", """\
import torch
    xt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(xt, (PH, PW), S).backward(torch.tensor(dout))
    return xt.grad.numpy()""", loses=(PB, PB_OVERLAP), why="let PyTorch's autograd compute the pooling gradient"),
    Mistake("im2col_torch_unfold", "conv_forward_fast", old="""\
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.zeros((N, C, HH, WW, H_out, W_out))
    for di in range(HH):
        for dj in range(WW):
            cols[:, :, di, dj] = xp[:, :, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride]
    cols = cols.reshape(N, C * HH * WW, H_out * W_out)""", new="""\
    import torch
    cols = torch.nn.functional.unfold(torch.tensor(x), (HH, WW), stride=stride, padding=pad).numpy()""",
            loses=(IM2COL, FAST, FAST_LOOPS), why="call PyTorch's unfold for im2col inside a NumPy exercise"),
    Mistake("fast_forward_torch_conv2d", "conv_forward_fast", _MATMUL, """\
import torch
    out = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=stride,
                                     padding=pad).numpy().reshape(N, F, -1)""", loses=(FAST, FAST_LOOPS),
            why="call PyTorch's conv2d inside the fast convolution"),

    # ---- col2im / fast backward -----------------------------------------------------
    Mistake("col2im_assigns", "conv_backward_fast", _COL2IM_ADD, _COL2IM_ADD.replace("+=", "="),
            loses=(COL2IM, BFAST, BFAST_LOOPS),
            why="assign with = in col2im, so overlapping windows overwrite instead of adding up"),
    Mistake("col2im_crops_one_side", "conv_backward_fast",
            "x = xp[:, :, pad:pad + H, pad:pad + W]", "x = xp[:, :, :H, :W]",
            loses=(COL2IM, BFAST, BFAST_LOOPS),
            why="keep xp[:, :, :H, :W] instead of cropping the padding off every side"),
    Mistake("col2im_ignores_stride", "conv_backward_fast", _COL2IM_ADD,
            "xp[:, :, di:di + H_out, dj:dj + W_out] += cols6[:, :, di, dj]", loses=(COL2IM, BFAST),
            why="add each window back at every position instead of stepping by the stride"),
    Mistake("col2im_torch_fold", "conv_backward_fast", """\
    cols6 = cols.reshape(N, C, HH, WW, H_out, W_out)
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for di in range(HH):
        for dj in range(WW):
            xp[:, :, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride] += cols6[:, :, di, dj]
    x = xp[:, :, pad:pad + H, pad:pad + W]""", """\
    import torch
    x = torch.nn.functional.fold(torch.tensor(cols), (H, W), (HH, WW), stride=stride, padding=pad).numpy()""",
            loses=(COL2IM, BFAST, BFAST_LOOPS), why="call PyTorch's fold for col2im inside a NumPy exercise"),
    Mistake("fast_backward_dw_reshaped_wrong", "conv_backward_fast", _DW,
            "dw = (cols @ dout2.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)", loses=(BFAST, BFAST_LOOPS),
            why="multiply cols and dout in the wrong order, so dw comes out scrambled"),
    Mistake("fast_backward_db_not_summed_over_positions", "conv_backward_fast",
            "db = dout.sum(axis=(0, 2, 3))", "db = dout.sum(axis=0)", loses=(BFAST, BFAST_LOOPS),
            why="sum db over the images only, not over every output position"),
    Mistake("fast_backward_calls_naive", "conv_backward_fast", _IM2COL_CALL,
            "return conv_backward_naive(dout, cache)", loses=BFAST_LOOPS,
            why="call the looping conv_backward_naive from the fast backward pass"),
    Mistake("fast_backward_loops_over_images", "conv_backward_fast", _DW, """\
dw = sum(dout2[n] @ cols[n].T for n in range(N)).reshape(w.shape)""", loses=BFAST_LOOPS,
            why="loop over the images in Python to compute dw"),
    Mistake("col2im_loops_over_positions", "conv_backward_fast", """\
    for di in range(HH):
        for dj in range(WW):
            xp[:, :, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride] += cols6[:, :, di, dj]""", """\
    for i in range(H_out):
        for j in range(W_out):
            xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += cols6[:, :, :, :, i, j]""",
            loses=BFAST_LOOPS, why="loop over the output positions in col2im instead of the kernel offsets"),
    Mistake("fast_backward_torch_autograd", "conv_backward_fast", _IM2COL_CALL, """\
import torch
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=pad).backward(torch.tensor(dout))
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()""", loses=(BFAST, BFAST_LOOPS),
            why="let PyTorch's autograd compute the fast backward pass"),
    Alternative("col2im_add_at", "conv_backward_fast", old="""\
    cols6 = cols.reshape(N, C, HH, WW, H_out, W_out)
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for di in range(HH):
        for dj in range(WW):
            xp[:, :, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride] += cols6[:, :, di, dj]""",
                new="""\
    rows = (np.arange(HH)[:, None] + stride * np.arange(H_out)[None, :])   # (HH, H_out)
    cols_idx = (np.arange(WW)[:, None] + stride * np.arange(W_out)[None, :])  # (WW, W_out)
    r = rows[:, None, :, None]          # (HH, 1, H_out, 1)
    c = cols_idx[None, :, None, :]      # (1, WW, 1, W_out)
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    np.add.at(xp, (slice(None), slice(None), r, c), cols.reshape(N, C, HH, WW, H_out, W_out))"""),
    Alternative("fast_backward_einsum", "conv_backward_fast", old=_DW + """
    db = dout.sum(axis=(0, 2, 3))
    dcols = w.reshape(F, -1).T @ dout2                  # (N, C*HH*WW, H_out*W_out)""", new="""\
dw = np.einsum("nfl,nkl->fk", dout2, cols).reshape(w.shape)
    db = np.einsum("nfij->f", dout)
    dcols = np.einsum("fk,nfl->nkl", w.reshape(F, -1), dout2)"""),
    Alternative("fast_backward_own_im2col", "conv_backward_fast",
                old=_IM2COL_CALL, new="cols = im2col(x, HH, WW, stride, pad)"),
    Alternative("fast_backward_dw_from_window_views", "conv_backward_fast", old=_DW, new="""\
xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    dw = np.einsum("nfij,ncijhw->fchw", dout, windows)"""),

    # ---- fast max pooling ------------------------------------------------------------
    Mistake("pool_fast_forward_axis_order", "max_pool_fast", _POOL_FAST_FWD,
            "out = x.reshape(N, C, PH, H_out, PW, W_out).max(axis=(2, 4))", loses=(PFAST, PFAST_MORE, POOL_LOOPS),
            why="split each axis as (offset, window) instead of (window, offset) in the reshape"),
    Mistake("pool_fast_forward_swaps_height_width", "max_pool_fast", _POOL_FAST_FWD,
            "out = x.reshape(N, C, H_out, PW, W_out, PH).max(axis=(3, 5))", loses=PFAST_MORE,
            why="swap the pool's height and width in the reshape"),
    Mistake("pool_fast_forward_torch", "max_pool_fast", _POOL_FAST_FWD, """\
import torch
    out = torch.nn.functional.max_pool2d(torch.tensor(x), (PH, PW), S).numpy()""",
            loses=(PFAST, PFAST_MORE, POOL_LOOPS), why="call PyTorch's max_pool2d inside the fast pooling"),
    Mistake("pool_fast_forward_loops_over_images", "max_pool_fast", _POOL_FAST_FWD, """\
out = np.stack([x[n].reshape(C, H_out, PH, W_out, PW).max(axis=(2, 4)) for n in range(N)])""",
            loses=POOL_LOOPS, why="loop over the images in Python in the fast pooling"),
    Mistake("pool_fast_backward_every_tied_max", "max_pool_fast", _POOL_ONEHOT,
            "onehot = windows == windows.max(axis=-1, keepdims=True)", loses=POOL_TIES,
            why="send the whole gradient to every tied maximum instead of only the first"),
    Mistake("pool_fast_backward_shares_ties", "max_pool_fast", _POOL_ONEHOT, """\
onehot = windows == windows.max(axis=-1, keepdims=True)
    onehot = onehot / onehot.sum(axis=-1, keepdims=True)""", loses=POOL_TIES,
            why="share the gradient among tied maxima instead of giving it all to the first"),
    Mistake("pool_fast_backward_first_in_column_major", "max_pool_fast", _POOL_BWD, _POOL_BWD.replace(
        "transpose(0, 1, 2, 4, 3, 5).reshape(\n", "transpose(0, 1, 2, 4, 5, 3).reshape(\n").replace(
        "reshape(N, C, H_out, W_out, PH, PW).transpose(0, 1, 2, 4, 3, 5)",
        "reshape(N, C, H_out, W_out, PW, PH).transpose(0, 1, 2, 5, 3, 4)"), loses=POOL_TIES,
            why="pick the first maximum in column-major order instead of row-major"),
    Mistake("pool_fast_backward_forgets_transpose_back", "max_pool_fast",
            "dx = dwindows.reshape(N, C, H_out, W_out, PH, PW).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H, W)",
            "dx = dwindows.reshape(N, C, H, W)", loses=(PBFAST, POOL_TIES, POOL_LOOPS),
            why="reshape dx back without undoing the transpose of the window axes"),
    Mistake("pool_fast_backward_calls_naive", "max_pool_fast", """\
    windows = x.reshape(N, C, H_out, PH, W_out, PW).transpose(0, 1, 2, 4, 3, 5).reshape(
        N, C, H_out, W_out, PH * PW)""", """\
    return max_pool_backward_naive(dout, cache)""", loses=POOL_LOOPS,
            why="call the looping naive backward pass from the fast one"),
    Mistake("pool_fast_backward_torch_autograd", "max_pool_fast", """\
    windows = x.reshape(N, C, H_out, PH, W_out, PW).transpose(0, 1, 2, 4, 3, 5).reshape(
        N, C, H_out, W_out, PH * PW)""", """\
    import torch
    xt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(xt, (PH, PW), pool_param["stride"]).backward(torch.tensor(dout))
    return xt.grad.numpy()""", loses=(PBFAST, POOL_TIES, POOL_LOOPS),
            why="let PyTorch's autograd compute the fast pooling gradient"),
    Alternative("pool_fast_forward_offset_slices", "max_pool_fast", old=_POOL_FAST_FWD, new="""\
out = np.max([x[:, :, di::PH, dj::PW] for di in range(PH) for dj in range(PW)], axis=0)"""),
    Alternative("pool_fast_forward_as_strided", "max_pool_fast", old=_POOL_FAST_FWD, new="""\
sn, sc, sh, sw = x.strides
    view = np.lib.stride_tricks.as_strided(x, (N, C, H_out, W_out, PH, PW),
                                           (sn, sc, sh * PH, sw * PW, sh, sw))
    out = view.max(axis=(4, 5))"""),
    Alternative("pool_fast_backward_put_along_axis", "max_pool_fast", old="""\
    onehot = np.arange(PH * PW) == first[..., None]              # (N, C, H_out, W_out, PH*PW)
    dwindows = onehot * dout[..., None]""", new="""\
    dwindows = np.zeros(windows.shape)
    np.put_along_axis(dwindows, first[..., None], dout[..., None], axis=-1)"""),
    Alternative("pool_fast_backward_offset_loop", "max_pool_fast", old="""\
    windows = x.reshape(N, C, H_out, PH, W_out, PW).transpose(0, 1, 2, 4, 3, 5).reshape(
        N, C, H_out, W_out, PH * PW)
    first = windows.argmax(axis=-1)                              # (N, C, H_out, W_out)
    onehot = np.arange(PH * PW) == first[..., None]              # (N, C, H_out, W_out, PH*PW)
    dwindows = onehot * dout[..., None]
    dx = dwindows.reshape(N, C, H_out, W_out, PH, PW).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H, W)""",
                new="""\
    blocks = x.reshape(N, C, H_out, PH, W_out, PW)
    best = blocks.max(axis=(3, 5))
    dx = np.zeros((N, C, H_out, PH, W_out, PW))
    taken = np.zeros(best.shape, dtype=bool)
    for di in range(PH):            # row-major order inside the window
        for dj in range(PW):
            hit = (blocks[:, :, :, di, :, dj] == best) & ~taken
            dx[:, :, :, di, :, dj] = np.where(hit, dout, 0.0)
            taken |= hit
    dx = dx.reshape(N, C, H, W)"""),

    # ---- SmallConvNet (assembled with the course's conv and pool layers in the tests) ------
    Mistake("convnet_no_relu_after_conv", "SmallConvNet", "r1, relu_cache = relu_forward(a1)",
            "r1, relu_cache = a1, np.ones_like(a1)", loses=(CNN_SCORES, CNN_LOSS, CNN_REG, CNN_MORE),
            why="leave out the ReLU between the convolution and the pooling"),
    Mistake("convnet_hidden_relu_not_backpropagated", "SmallConvNet",
            'dh1, grads["W2"], grads["b2"] = affine_relu_backward(dh2, hidden_cache)',
            'dh1, grads["W2"], grads["b2"] = affine_backward(dh2, hidden_cache[0])',
            loses=(CNN_LOSS, CNN_REG, CNN_MORE),
            why="go back through the hidden affine layer but not through its ReLU"),
    Mistake("convnet_skips_relu_backward", "SmallConvNet", """\
        dr1 = pool_backward(dh1, pool_cache)
        da1 = relu_backward(dr1, relu_cache)""", """\
        dr1 = pool_backward(dh1, pool_cache)
        da1 = dr1""", loses=(CNN_LOSS, CNN_REG, CNN_MORE),
            why="skip the conv ReLU's backward pass between the pooling and the convolution"),
    Mistake("convnet_reg_on_biases", "SmallConvNet", _CNN_REG_LOSS,
            "loss = data_loss + self.reg * sum(np.sum(v ** 2) for v in p.values())", loses=(CNN_REG, CNN_MORE),
            why="put the L2 penalty on the biases as well as the weights"),
    Mistake("convnet_reg_gradient_without_2", "SmallConvNet", "grads[k] = grads[k] + 2 * self.reg * p[k]",
            "grads[k] = grads[k] + self.reg * p[k]", loses=(CNN_REG, CNN_MORE),
            why="forget the factor 2 in the penalty's gradient 2 * reg * W"),
    Mistake("convnet_W2_sized_before_pooling", "SmallConvNet", "num_filters * (H // 2) * (W // 2)",
            "num_filters * H * W", loses=CNN_INIT, why="size W2 for the conv output before the pooling halved it"),
    Mistake("convnet_uniform_init", "SmallConvNet", '"W1": weight_scale * rng.standard_normal(',
            '"W1": weight_scale * rng.random(', loses=CNN_INIT,
            why="draw W1 from a uniform distribution instead of a standard normal one"),
    Mistake("convnet_ignores_flat_input", "SmallConvNet", "X = np.reshape(X, (len(X), *self.input_dim))",
            "X = np.asarray(X)", loses=CNN_MORE,
            why="assume (N, C, H, W) images and never reshape flat (N, 64) input"),
    Mistake("convnet_wraps_course_convnet", "SmallConvNet", source='''\
class SmallConvNet:
    def __init__(self, input_dim=(1, 8, 8), num_filters=16, filter_size=3, hidden_dim=100,
                 num_classes=10, weight_scale=1e-2, reg=0.0, seed=0, *, conv_layers):
        self.net = conv.ConvNet(input_dim, num_filters=(num_filters,), filter_size=filter_size, pool_size=2,
                                num_classes=num_classes, weight_init=weight_scale, reg=reg, seed=seed,
                                hidden_dims=(hidden_dim,))
        self.params = self.net.params

    def loss(self, X, y=None):
        self.net.params = self.params
        return self.net.loss(X, y)
''', loses=CNN_ALL, why="wrap the course's ConvNet instead of assembling the layers yourself"),
    Mistake("convnet_torch_autograd", "SmallConvNet", _CNN_LOSS_BODY, """\
        import torch
        import torch.nn.functional as F
        t = {k: torch.tensor(v, requires_grad=True) for k, v in self.params.items()}
        x = torch.tensor(np.reshape(X, (len(X), *self.input_dim)))
        h = F.max_pool2d(F.relu(F.conv2d(x, t["W1"], t["b1"], padding=conv_param["pad"])), 2)
        scores = F.relu(h.flatten(1) @ t["W2"] + t["b2"]) @ t["W3"] + t["b3"]
        if y is None:
            return scores.detach().numpy()
        loss = F.cross_entropy(scores, torch.tensor(y)) + self.reg * sum((t[k] ** 2).sum() for k in ("W1", "W2", "W3"))
        loss.backward()
        return loss.item(), {k: v.grad.numpy() for k, v in t.items()}""",
            loses=(CNN_SCORES, CNN_LOSS, CNN_REG, CNN_MORE),
            why="build the network in PyTorch and let autograd give the gradients"),
    Alternative("convnet_every_layer_apart", "SmallConvNet", old=_CNN_LOSS_BODY, new="""\
        p = self.params
        X = np.asarray(X).reshape(len(X), *self.input_dim)
        caches = []
        h, cache = conv_forward(X, p["W1"], p["b1"], conv_param); caches.append(cache)
        h, cache = relu_forward(h); caches.append(cache)
        h, cache = pool_forward(h, pool_param); caches.append(cache)
        h, cache = affine_forward(h, p["W2"], p["b2"]); caches.append(cache)
        h, cache = relu_forward(h); caches.append(cache)
        scores, cache = affine_forward(h, p["W3"], p["b3"]); caches.append(cache)
        if y is None:
            return scores
        loss, d = softmax_loss(scores, y)
        grads = {}
        d, grads["W3"], grads["b3"] = affine_backward(d, caches.pop())
        d = relu_backward(d, caches.pop())
        d, grads["W2"], grads["b2"] = affine_backward(d, caches.pop())
        d = pool_backward(d, caches.pop())
        d = relu_backward(d, caches.pop())
        d, grads["W1"], grads["b1"] = conv_backward(d, caches.pop())
        for k in ("W1", "W2", "W3"):
            loss += self.reg * np.sum(p[k] ** 2)
            grads[k] += 2 * self.reg * p[k]
        return loss, grads"""),
    Alternative("convnet_init_in_a_loop", "SmallConvNet", old=_CNN_INIT_BODY, new="""\
        C, H, W = self.input_dim
        shapes = {"W3": (hidden_dim, num_classes), "W2": (num_filters * (H // 2) * (W // 2), hidden_dim),
                  "W1": (num_filters, C, filter_size, filter_size)}
        self.params = {}
        for name, shape in shapes.items():  # another order of draws: other numbers, same distribution
            self.params[name] = weight_scale * rng.standard_normal(shape)
            self.params["b" + name[1]] = np.zeros(shape[-1] if name != "W1" else shape[0])"""),
    Alternative("convnet_reg_over_weight_keys", "SmallConvNet", old=_CNN_REG_LOSS,
                new='loss = data_loss + self.reg * sum(np.sum(v * v) for k, v in p.items() if k.startswith("W"))'),
    Alternative("convnet_reshape_method", "SmallConvNet", old="X = np.reshape(X, (len(X), *self.input_dim))",
                new="X = np.asarray(X).reshape(-1, *self.input_dim)"),

    # ---- overfitting a few images, training on the digits (the course's network in the tests) ----
    Mistake("overfit_strong_reg", "overfit_small", "reg=0.0", "reg=1.0", loses=OVERFIT,
            why="keep a strong L2 penalty when the net should memorize a few images"),
    Mistake("overfit_tiny_lr", "overfit_small", "Adam(lr=1e-2)", "Adam(lr=1e-5)", loses=OVERFIT,
            why="train with a learning rate far too small to fit in time"),
    Mistake("overfit_one_epoch", "overfit_small", "num_epochs=15", "num_epochs=1", loses=OVERFIT,
            why="stop after one epoch, before the net has fit the images"),
    Alternative("overfit_returns_the_net", "overfit_small", old="    return solver", new="    return solver.model"),
    Mistake("digits_lr_too_large", "train_digits", "Adam(lr=1e-2)", "Adam(lr=1.0)", loses=DIGITS,
            why="train with a learning rate so large that the loss diverges"),
    Mistake("digits_one_epoch", "train_digits", "num_epochs=10", "num_epochs=1", loses=DIGITS,
            why="train for a single epoch, too few to reach 96%"),
    Alternative("digits_sgd_momentum", "train_digits", old="""\
    net = make_net(num_filters=16, hidden_dim=100, weight_scale=0.1, reg=1e-3, seed=seed)
    solver = Solver(net, data, optimizer=Adam(lr=1e-2), batch_size=50, num_epochs=10, lr_decay=0.8,
                    verbose=False, progress=False, seed=seed)""", new="""\
    net = make_net(num_filters=8, hidden_dim=64, weight_scale=0.1, seed=seed)
    solver = Solver(net, data, optimizer="momentum", optim_config={"lr": 0.1, "momentum": 0.9}, batch_size=32,
                    num_epochs=12, lr_decay=0.9, verbose=False, progress=False, seed=seed)"""),

    # ---- spatial batch norm ---------------------------------------------------------------
    Mistake("sbn_reshape_without_transpose", "spatial_batchnorm_forward",
            "rows = x.transpose(0, 2, 3, 1).reshape(-1, C)", "rows = x.reshape(-1, C)", loses=(SBN_F, SBN_F_TEST),
            why="reshape to (N*H*W, C) without first moving the channel axis last"),
    Mistake("sbn_output_not_transposed_back", "spatial_batchnorm_forward",
            "out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)", "out = out_rows.reshape(N, C, H, W)",
            loses=(SBN_F, SBN_F_TEST), why="reshape the output back to (N, C, H, W) without undoing the transpose"),
    Mistake("sbn_statistics_per_image", "spatial_batchnorm_forward", source='''\
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out_rows, cache = batchnorm_forward(x.reshape(N, -1).T, np.ones(N), np.zeros(N), bn_param)
    out = gamma[:, None, None] * out_rows.T.reshape(N, C, H, W) + beta[:, None, None]
    return out, cache
''', loses=(SBN_F, SBN_F_TEST), why="normalize each image on its own instead of each channel over the batch"),
    Mistake("sbn_torch_batch_norm", "spatial_batchnorm_forward", source='''\
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    import torch
    import torch.nn.functional as F
    C = x.shape[1]
    running_mean = torch.tensor(bn_param.get("running_mean", np.zeros(C)))
    running_var = torch.tensor(bn_param.get("running_var", np.ones(C)))
    train = bn_param["mode"] == "train"
    out = F.batch_norm(torch.tensor(x), running_mean, running_var, torch.tensor(gamma), torch.tensor(beta),
                       training=train, momentum=1 - bn_param.get("momentum", 0.9), eps=bn_param.get("eps", 1e-5))
    bn_param["running_mean"], bn_param["running_var"] = running_mean.numpy(), running_var.numpy()
    return out.numpy(), None
''', loses=(SBN_F, SBN_F_TEST), why="call PyTorch's batch_norm inside a NumPy exercise"),
    Alternative("sbn_moveaxis", "spatial_batchnorm_forward", old="""\
    rows = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out_rows, cache = batchnorm_forward(rows, gamma, beta, bn_param)
    out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)""", new="""\
    out_rows, cache = batchnorm_forward(np.moveaxis(x, 1, -1).reshape(-1, C), gamma, beta, bn_param)
    out = np.moveaxis(out_rows.reshape(N, H, W, C), -1, 1)"""),
    Alternative("sbn_channels_first_then_transpose", "spatial_batchnorm_forward",
                old="rows = x.transpose(0, 2, 3, 1).reshape(-1, C)",
                new="rows = x.transpose(1, 0, 2, 3).reshape(C, -1).T  # the same (n, i, j) order of rows"),
    Mistake("sbn_backward_reshape_without_transpose", "spatial_batchnorm_backward",
            "batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)",
            "batchnorm_backward(dout.reshape(-1, C), cache)", loses=SBN_B,
            why="reshape dout to (N*H*W, C) without first moving the channel axis last"),
    Mistake("sbn_backward_dx_not_transposed_back", "spatial_batchnorm_backward",
            "dx = drows.reshape(N, H, W, C).transpose(0, 3, 1, 2)", "dx = drows.reshape(N, C, H, W)", loses=SBN_B,
            why="reshape dx back to (N, C, H, W) without undoing the transpose"),
    Mistake("sbn_backward_torch_autograd", "spatial_batchnorm_backward", source='''\
def spatial_batchnorm_backward(dout, cache):
    import torch
    import torch.nn.functional as F
    rows, x_hat, mean, var, gamma, eps = cache
    N, C, H, W = dout.shape
    x = torch.tensor(rows.reshape(N, H, W, C).transpose(0, 3, 1, 2), requires_grad=True)
    g, b = torch.tensor(gamma, requires_grad=True), torch.zeros(C, dtype=torch.float64, requires_grad=True)
    F.batch_norm(x, None, None, g, b, training=True, eps=eps).backward(torch.tensor(dout))
    return x.grad.numpy(), g.grad.numpy(), b.grad.numpy()
''', loses=SBN_B, why="let PyTorch's autograd compute the gradients inside a NumPy exercise"),
    Mistake("sbn_backward_calls_course_reference", "spatial_batchnorm_backward", source='''\
def spatial_batchnorm_backward(dout, cache):
    from helpers import spatial_norm
    return spatial_norm.spatial_batchnorm_backward(dout, cache)
''', loses=SBN_B, why="call the course's spatial_batchnorm_backward instead of writing it"),
    Alternative("sbn_backward_moveaxis", "spatial_batchnorm_backward", old="""\
    drows, dgamma, dbeta = batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)
    dx = drows.reshape(N, H, W, C).transpose(0, 3, 1, 2)""", new="""\
    drows, dgamma, dbeta = batchnorm_backward(np.moveaxis(dout, 1, -1).reshape(-1, C), cache)
    dx = np.moveaxis(drows.reshape(N, H, W, C), -1, 1)"""),
    Alternative("sbn_backward_simplified_formula", "spatial_batchnorm_backward", old="""\
    drows, dgamma, dbeta = batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)""", new="""\
    from helpers.layers import batchnorm_backward_alt
    drows, dgamma, dbeta = batchnorm_backward_alt(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)"""),

    # ---- group norm -----------------------------------------------------------------------
    Mistake("gn_statistics_per_channel", "groupnorm_forward", "groups = x.reshape(N, G, -1)",
            "groups = x.reshape(N, C, -1)", loses=(GN_F, GN_F_MORE),
            why="normalize each channel on its own (instance norm) instead of groups of channels"),
    Mistake("gn_groups_interleaved", "groupnorm_forward", _GN_BODY, """\
    groups = x.reshape(N, C // G, G, H * W).transpose(0, 2, 1, 3).reshape(N, G, -1)  # channel c in group c % G
    mean, var = groups.mean(axis=2), groups.var(axis=2)
    xh = (groups - mean[:, :, None]) / np.sqrt(var[:, :, None] + eps)
    x_hat = xh.reshape(N, G, C // G, H * W).transpose(0, 2, 1, 3).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)""", loses=(GN_F, GN_F_MORE),
            why="put channel c in group c % G instead of grouping consecutive channels"),
    Mistake("gn_unbiased_variance", "groupnorm_forward", "groups.var(axis=2)", "groups.var(axis=2, ddof=1)",
            loses=(GN_F, GN_F_MORE),
            why="normalize with the unbiased group variance (ddof=1) instead of the biased one"),
    Mistake("gn_eps_outside_sqrt", "groupnorm_forward", "np.sqrt(var[:, :, None] + eps)",
            "(np.sqrt(var[:, :, None]) + eps)", loses=(GN_F, GN_F_MORE),
            why="add eps after the square root instead of inside it"),
    Mistake("gn_default_eps_only", "groupnorm_forward", "np.sqrt(var[:, :, None] + eps)",
            "np.sqrt(var[:, :, None] + 1e-5)", loses=GN_F_MORE,
            why="use the constant 1e-5 instead of the eps argument"),
    Mistake("gn_torch_group_norm", "groupnorm_forward", _GN_BODY, """\
    import torch
    import torch.nn.functional as F
    xt = torch.tensor(x)
    groups = xt.reshape(N, G, -1)
    mean, var = groups.mean(dim=2).numpy(), groups.var(dim=2, unbiased=False).numpy()
    x_hat = F.group_norm(xt, G, eps=eps).numpy()
    out = F.group_norm(xt, G, torch.tensor(gamma), torch.tensor(beta), eps=eps).numpy()""", loses=(GN_F, GN_F_MORE),
            why="call PyTorch's group_norm inside a NumPy exercise"),
    Mistake("gn_calls_course_reference", "groupnorm_forward", source='''\
def groupnorm_forward(x, gamma, beta, G, eps=1e-5):
    from helpers import spatial_norm
    return spatial_norm.groupnorm_forward(x, gamma, beta, G, eps)
''', loses=(GN_F, GN_F_MORE), why="call the course's groupnorm_forward instead of writing it"),
    Alternative("gn_with_batchnorm_on_columns", "groupnorm_forward", old=_GN_BODY, new="""\
    columns = x.reshape(N * G, -1).T  # one column per group of each image: batch norm of the columns
    cols_hat, bn_cache = batchnorm_forward(columns, np.ones(N * G), np.zeros(N * G), {"mode": "train", "eps": eps})
    x_hat = cols_hat.T.reshape(N, C, H, W)
    mean, var = bn_cache[2].reshape(N, G), bn_cache[3].reshape(N, G)
    out = gamma[:, None, None] * x_hat + beta[:, None, None]"""),
    Alternative("gn_keepdims", "groupnorm_forward", old=_GN_BODY, new="""\
    groups = x.reshape(N, G, -1)
    mu = groups.mean(axis=2, keepdims=True)
    sigma2 = ((groups - mu) ** 2).mean(axis=2, keepdims=True)
    x_hat = ((groups - mu) / np.sqrt(sigma2 + eps)).reshape(x.shape)
    mean, var = mu[:, :, 0], sigma2[:, :, 0]
    out = np.einsum("c,nchw->nchw", gamma, x_hat) + beta[None, :, None, None]"""),
    Mistake("gnb_forgets_mean_term", "groupnorm_backward",
            "dx = (dx_hat - dx_hat.mean(axis=2, keepdims=True) - xh * (dx_hat * xh).mean(axis=2, keepdims=True)) / std",
            "dx = (dx_hat - xh * (dx_hat * xh).mean(axis=2, keepdims=True)) / std", loses=(GN_B, GN_B_MORE),
            why="drop the mean-path term from group norm's dx"),
    Mistake("gnb_forgets_gamma", "groupnorm_backward", "dx_hat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)",
            "dx_hat = dout.reshape(N, G, -1)", loses=(GN_B, GN_B_MORE),
            why="forget to multiply dout by gamma before the normalization's backward pass"),
    Mistake("gnb_dgamma_per_image", "groupnorm_backward", "dgamma = (dout * x_hat).sum(axis=(0, 2, 3))",
            "dgamma = (dout * x_hat).sum(axis=(2, 3)).mean(axis=0)", loses=(GN_B, GN_B_MORE),
            why="average dgamma over the images instead of summing it"),
    Mistake("gnb_torch_autograd", "groupnorm_backward", source='''\
def groupnorm_backward(dout, cache):
    import torch
    import torch.nn.functional as F
    x, x_hat, mean, var, gamma, G, eps = cache
    ts = [torch.tensor(a, requires_grad=True) for a in (x, gamma, np.zeros_like(gamma))]
    F.group_norm(ts[0], G, ts[1], ts[2], eps=eps).backward(torch.tensor(dout))
    return tuple(t.grad.numpy() for t in ts)
''', loses=(GN_B, GN_B_MORE), why="let PyTorch's autograd compute group norm's gradients"),
    Alternative("gnb_step_by_step", "groupnorm_backward", old="""\
    xh = x_hat.reshape(N, G, -1)
    std = np.sqrt(var + eps)[:, :, None]
    dx = (dx_hat - dx_hat.mean(axis=2, keepdims=True) - xh * (dx_hat * xh).mean(axis=2, keepdims=True)) / std""", new="""\
    M = dx_hat.shape[2]
    xc = x.reshape(N, G, -1) - mean[:, :, None]
    inv_std = 1.0 / np.sqrt(var + eps)[:, :, None]
    dvar = np.sum(dx_hat * xc, axis=2, keepdims=True) * -0.5 * inv_std ** 3
    dxc = dx_hat * inv_std + dvar * 2.0 * xc / M
    dx = dxc - dxc.mean(axis=2, keepdims=True)"""),
    Alternative("gnb_with_batchnorm_backward", "groupnorm_backward", old="""\
    dx_hat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    std = np.sqrt(var + eps)[:, :, None]
    dx = (dx_hat - dx_hat.mean(axis=2, keepdims=True) - xh * (dx_hat * xh).mean(axis=2, keepdims=True)) / std
    dx = dx.reshape(N, C, H, W)""", new="""\
    columns = lambda a: a.reshape(N * G, -1).T  # one column per group of each image
    bn_cache = (columns(x), columns(x_hat), mean.ravel(), var.ravel(), np.ones(N * G), eps)
    dcols, _, _ = batchnorm_backward(columns(dout * gamma[:, None, None]), bn_cache)
    dx = dcols.T.reshape(N, C, H, W)"""),

    # ---- the ConvNet on MNIST-1D -----------------------------------------------------------------
    Mistake("train_lr_too_large", "train_convnet", "Adam(lr=1e-2)", "Adam(lr=1.0)", loses=TRAIN,
            why="train with a learning rate so large that training diverges"),
    Mistake("train_two_epochs", "train_convnet", "num_epochs=10", "num_epochs=1", loses=TRAIN,
            why="train for a single epoch, far too few to reach 88%"),
]

DEMO_MISTAKE = "pool_backward_to_every_element"
